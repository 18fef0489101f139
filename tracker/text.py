"""Text folding shared by search, the news matcher and the review queue's highlighting.

`fold()` maps a string to a comparison key: case-folded (Turkish dotted İ included), Latin
accents and diacritics removed (`Trần Thị Thu Hà` -> `tran thi thu ha`), hyphens, curly and
straight apostrophes and runs of whitespace made alike. Scripts without case or accents
(Chinese, Japanese, Korean) pass through unchanged.
"""

import functools
import re
import unicodedata

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


def fold(text: str) -> str:
    return _fold_unstripped(text).strip()


def _fold_unstripped(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = unicodedata.normalize("NFC", stripped).translate(_STROKED).translate(_APOSTROPHES)
    return _SEPARATORS.sub(" ", stripped)


# Scripts written without spaces between words: names in them match as character sequences, and
# their characters do not continue a neighbouring Latin or Cyrillic word.
_UNSPACED = re.compile(
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


def is_word_char(ch: str) -> bool:
    """A letter, mark or digit that would continue a word of a spaced script."""
    if ch.isascii():
        return ch.isalnum()
    return unicodedata.category(ch)[0] in "LMN" and _UNSPACED.match(ch) is None


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
    return "".join(folded), origins
