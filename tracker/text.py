"""Text folding shared by search, the news matcher and the review queue's highlighting.

`fold()` maps a string to a comparison key: case-folded (Turkish dotted İ included), Latin
accents and diacritics removed (`Trần Thị Thu Hà` -> `tran thi thu ha`), hyphens, curly and
straight apostrophes and runs of whitespace made alike. Chinese is compared in simplified
characters: each traditional character becomes its simplified form (OpenCC's t2s, one
character at a time: tracker.chinese), so `馮潔` folds as `冯洁`. The dots that separate the
parts of a name written in Chinese or Japanese script (`伊力哈木·土赫提`, with ·, •, ‧, ・ or
none) are dropped between two such characters, so every dot form is the same name. Scripts
without case or accents pass through otherwise unchanged.
"""

import functools
import re
import unicodedata

from tracker.chinese import to_simplified_table

# Letters that carry a stroke rather than a combining mark, so NFKD does not decompose them.
_STROKED = str.maketrans(
    {
        "đ": "d",
        "ħ": "h",
        "ł": "l",
        "ø": "o",
        "ŧ": "t",
        "ı": "i",
        "æ": "ae",
        "œ": "oe",
        "þ": "th",
    }
)
# Hyphens and dashes of every kind become a space; apostrophes become the straight one.
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212_]+")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'"})
# The dots written between the parts of a name (middle dot, bullet, hyphenation point, katakana
# middle dot, bullet and dot operators) become the middle dot; _NAME_DOT drops it in names.
NAME_DOT = "\u00b7"
_DOTS = str.maketrans(dict.fromkeys("\u2022\u2027\u30fb\u2219\u22c5", NAME_DOT))
# One table for the characters fold() replaces one for one (after NFKD and NFC, which may
# produce them): stroked letters, apostrophes, dots, traditional Chinese characters.
_REPLACED = {**to_simplified_table(), **_STROKED, **_APOSTROPHES, **_DOTS}


def fold(text: str) -> str:
    return join_name_dots(_fold_unstripped(text).strip())


def _fold_unstripped(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = unicodedata.normalize("NFC", stripped).translate(_REPLACED)
    return _SEPARATORS.sub(" ", stripped)


# Scripts written without spaces between words: names in them match as character sequences, and
# their characters do not continue a neighbouring Latin or Cyrillic word.
UNSPACED = re.compile(
    "["
    "\u0e00-\u0fff"  # Thai, Lao, Tibetan
    "\u1000-\u109f"  # Myanmar
    "\u1100-\u11ff"  # Hangul jamo
    "\u1780-\u17ff"  # Khmer
    "\u2e80-\ua4cf"  # CJK radicals and symbols, kana, bopomofo, CJK ideographs, Yi
    "\ua960-\ua97f"  # Hangul jamo extended A
    "\ua9e0-\ua9ff\uaa60-\uaa7f"  # Myanmar extended
    "\uac00-\ud7ff"  # Hangul syllables, jamo extended B
    "\uf900-\ufaff"  # CJK compatibility ideographs
    "\uff65-\uffdc"  # half-width kana and Hangul
    "\U00016fe0-\U00018aff"  # Tangut, Khitan
    "\U0001b000-\U0001b2ff"  # kana supplements
    "\U00020000-\U0003ffff"  # CJK ideographs, extensions B onwards
    "]"
)


# A name's dot (and a space either side of it) between two characters of an unspaced script.
_NAME_DOT = re.compile(f"(?<={UNSPACED.pattern}) ?{NAME_DOT} ?(?={UNSPACED.pattern})")


def join_name_dots(folded: str) -> str:
    """Folded text without the dots between the parts of names in unspaced scripts (the last
    step of fold(), over the whole text: `伊力哈木 · 土赫提` -> `伊力哈木土赫提`)."""
    return _NAME_DOT.sub("", folded) if NAME_DOT in folded else folded


def is_word_char(ch: str) -> bool:
    """A letter, mark or digit that would continue a word of a spaced script."""
    if ch.isascii():
        return ch.isalnum()
    return unicodedata.category(ch)[0] in "LMN" and UNSPACED.match(ch) is None


def is_whole_word(text: str, start: int, end: int) -> bool:
    """Whether `text[start:end]` is not part of a longer word: no word character continues it
    on either side (an edge in an unspaced script, or punctuation, is never continued). The
    matcher applies the same rule with its flags worked out ahead (matching._is_whole)."""
    if start > 0 and is_word_char(text[start]) and is_word_char(text[start - 1]):
        return False
    return not (end < len(text) and is_word_char(text[end - 1]) and is_word_char(text[end]))


_fold_one = functools.lru_cache(maxsize=8192)(_fold_unstripped)  # one character at a time


def fold_with_origins(text: str) -> tuple[str, list[int]]:
    """`fold(text)` worked out a character at a time, with the index in `text` each folded
    character comes from: a match found in the folded text can then be shown in the original.

    The folded text is fold(text) with, at most, one space more at its end; but for the rare
    sequences that fold() recomposes across characters (Hangul jamo), which stay apart."""
    folded: list[str] = []
    origins: list[int] = []
    for index, ch in enumerate(text):
        for out in _fold_one(ch):
            if out == " " and (not folded or folded[-1] == " "):
                continue  # a run of separators is one space, and none leads
            folded.append(out)
            origins.append(index)
    joined = "".join(folded)
    if NAME_DOT in joined:  # as join_name_dots(), keeping each kept character's origin
        dropped = {i for m in _NAME_DOT.finditer(joined) for i in range(m.start(), m.end())}
        origins = [origin for i, origin in enumerate(origins) if i not in dropped]
        joined = "".join(ch for i, ch in enumerate(joined) if i not in dropped)
    return joined, origins
