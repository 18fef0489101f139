"""Which watched people a news item names: one Aho-Corasick pass, however many are watched.

A `Matcher` is built once per run from every watched person's name forms (name, native name,
aliases) and context terms, all folded with `tracker.text.fold`, into one pyahocorasick
automaton. Each name form is inserted under every key it is found under (tracker.names: its
fold, and for a pinyin name `tang wen bo`, `wenbo tang`...), made here, once, so a variant costs
the scan nothing. `Matcher.match(text)` folds the item's text once, runs the automaton over it
once and maps each hit back to the people whose forms fold to that key (several people may
share one).

The rules, all applied to the folded text:

- Folding makes case (Turkish İ and ı, Azerbaijani Ə included), Latin accents and diacritics,
  hyphens versus spaces and curly versus straight apostrophes alike: `AL-MASRI` finds
  `al-Masri`, `Tran Thi Thu Ha` finds `Trần Thị Thu Hà`, `O’Connor` finds `O'Connor`. Chinese
  is compared in simplified characters (`馮潔` finds `冯洁`), and a name's dots between Chinese
  characters are dropped (`伊力哈木•土赫提` finds `伊力哈木·土赫提`).
- A pinyin name is found in the forms the press writes it in (tracker.names): `Tang Wen-bo`,
  `Tang Wen bo`, `TANG Wenbo`, `Wenbo Tang` for `Tang Wenbo`.
- A romanised name glossed in Chinese characters that are not the person's own names someone
  else: `Tang Wenbo (唐文波)` and `唐文波（Tang Wenbo）` are not Tang Wenbo recorded as 唐文博
  (a person recorded without a name in characters is found as before).
- A key that begins or ends with a letter, mark or digit of a spaced script (Latin, Cyrillic,
  Greek, Arabic, ...) is a whole word: the character before and the one after the hit must not be
  such a letter, mark or digit. `Liu Jian` is not found in `Liu Jianguo`, but is in `Liu Jian's`,
  `Liu Jian’s` and `Liu Jian'`. Chinese, Japanese, Korean (and Thai, Lao, Khmer, Myanmar) are
  written without spaces between words, so their keys match anywhere, and their characters count
  as a boundary for a Latin name next to them (`律师Liu Jian说`).
- A person with context terms is named only if one of the terms also occurs in the text (under
  the same rules: a Chinese term anywhere, a Latin one as a whole word).

Speed. The matcher runs over every polled item, so its per-item cost is kept close to that of the
bare automaton scan (`bench/matching.py` measures both, and a regex per person):

- `_fold_text` returns exactly `fold(text)` (the tests compare them on every character, in
  several contexts, and on random strings) at 10-20 times its speed: fold() is character by
  character apart from collapsing separators and a few NFC joins, so ASCII is lower-cased and
  translated in C, and each distinct other character whose fold differs from itself is replaced
  throughout with `str.replace`, its fold cached from calling fold() itself.
- pyahocorasick keeps each trie node's children in insertion order and searches them linearly.
  The root of an automaton over thousands of names has hundreds of children (every first letter,
  every Chinese surname), and every character that extends no match goes back to it, so a space
  or a common letter found at the end of that list costs hundreds of comparisons. The matcher
  inserts the characters of everyday text first (space, English letters by frequency, digits,
  punctuation, Cyrillic), as keys that never occur in folded text, so they sit at the front:
  English text is scanned about twice as fast.
- Context terms are not in the automaton: `lawyer` or `arrested` may be in every other item,
  and each hit would be a step of Python. They are looked for (`str.find`, in C) only when
  someone who needs one was found, once per term and item.
"""

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import ahocorasick

from tracker.chinese import other_script, to_simplified_table
from tracker.names import name_keys
from tracker.text import UNSPACED, fold, is_word_char, join_name_dots


@dataclass(frozen=True)
class WatchedPerson:
    id: int
    name_forms: tuple[str, ...]  # name, native_name, aliases (non-blank)
    context_terms: tuple[str, ...]  # may be empty


class _WordChars(dict[str, bool]):
    def __missing__(self, ch: str) -> bool:
        self[ch] = found = is_word_char(ch)
        return found


_word_chars = _WordChars()


def _is_whole(text: str, end: int, key: "_Key") -> bool:
    """Whether the hit of `key` ending at `end` is not part of a longer word."""
    _names, length, check_before, check_after, _glossed = key
    if check_before and end >= length and _word_chars[text[end - length]]:
        return False
    return not (check_after and end + 1 < len(text) and _word_chars[text[end + 1]])


def _occurs(text: str, term: str) -> bool:
    """Whether the folded context `term` occurs in `text` under the same rules as a name (a
    Latin term as a whole word, a Chinese one anywhere)."""
    key: _Key = ((), len(term), is_word_char(term[0]), is_word_char(term[-1]), False)
    start = text.find(term)
    while start >= 0:
        if _is_whole(text, start + len(term) - 1, key):
            return True
        start = text.find(term, start + 1)
    return False


# A name in Chinese characters in parentheses right after a romanised name, or the romanised
# name in parentheses right after one: `Tang Wenbo (唐文波)`, `唐文波（Tang Wenbo）` (folded: the
# full-width parentheses are ASCII ones).
_GLOSS_AFTER = re.compile(rf" ?\(({UNSPACED.pattern}+)\)")
_GLOSS_BEFORE = re.compile(rf"({UNSPACED.pattern}+) ?\($")


def _is_gloss(key: str) -> bool:
    """Whether a key is written in Chinese characters (or another unspaced script) alone."""
    return all(UNSPACED.match(ch) for ch in key)


def _gloss(text: str, end: int, key: "_Key") -> tuple[str, bool] | None:
    """The characters glossing the hit of a romanised `key` ending at `end`, and whether they
    come after it; None if there are none."""
    after = _GLOSS_AFTER.match(text, end + 1)
    if after is not None:
        return after.group(1), True
    start = end + 1 - key[1]
    if start > 0 and text[start - 1] == "(" and text.startswith(")", end + 1):
        before = _GLOSS_BEFORE.search(text, max(0, start - 40), start)
        if before is not None:
            return before.group(1), False
    return None


# Folding text fast (see the module docstring). Every function here returns what fold() would.
_ASCII_SEPARATORS = "\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f-_"
_ASCII_SPECIALS = frozenset(_ASCII_SEPARATORS + "`")
_ASCII_FOLD = bytes.maketrans(f"{_ASCII_SEPARATORS}`".encode(), b" " * 11 + b"'")
# Deleting these bytes from UTF-8 text leaves the ASCII characters whose fold is not their
# lower-case self (translated by _ASCII_FOLD), and every non-ASCII character.
_PLAIN_ASCII_BYTES = bytes(b for b in range(128) if chr(b) not in _ASCII_SPECIALS)


def _ranges_except(start: int, end: int, excluded: Iterable[int]) -> str:
    """A character class's ranges for start..end (inclusive) without the `excluded` ones."""
    ranges, low = [], start
    for cp in sorted({cp for cp in excluded if start <= cp <= end}):
        if low < cp:
            ranges.append((low, cp - 1))
        low = cp + 1
    if low <= end:
        ranges.append((low, end))
    return "".join(chr(a) if a == b else f"{chr(a)}-{chr(b)}" for a, b in ranges)


# Characters that fold to themselves, removed before collecting the characters to replace
# (tests/tracker/newswatch/test_matching.py checks every one): Cyrillic, Greek, Hebrew, Arabic and
# Devanagari letters, curly double quotes, CJK punctuation, Hangul syllables, and the CJK
# ideographs but for the traditional ones (which fold to simplified: tracker.chinese).
_TRADITIONAL = to_simplified_table().keys()
_FOLDS_TO_ITSELF = re.compile(
    "["
    "\u0430-\u0438\u043a-\u044f"  # а-и, к-я (not й)
    "\u03b1-\u03c1\u03c3-\u03c9"  # α-ρ, σ-ω (not ς)
    "\u05d0-\u05ea"  # Hebrew letters
    "\u0627-\u064a"  # Arabic letters from alef (those before it carry a hamza or madda)
    "\u0915-\u0928\u092a-\u0930\u0932\u0933\u0935-\u0939"  # Devanagari consonants, no nukta
    "\u201a-\u201f\u3001-\u3011"  # low and double quotation marks, CJK punctuation
    + _ranges_except(0x3400, 0x4DBF, _TRADITIONAL)  # CJK ideographs, extension A
    + _ranges_except(0x4E00, 0x9FFF, _TRADITIONAL)  # CJK ideographs
    + "\uac00-\ud7a3"  # Hangul syllables
    "]+"
)
# Characters that NFC may join to the one before them (once combining marks are gone): Hangul
# vowel and final-consonant jamo and a few two-part vowel signs. Without one, NFC is skipped.
_JOINS_PREVIOUS = frozenset(
    "\u09be\u09d7\u0b3e\u0b56\u0b57\u0bbe\u0bd7\u0cc2\u0cd5\u0cd6\u0d3e\u0d57\u0dcf\u0ddf"
    "\u0fb5\u0fb7\u102e\u1b35\U00011127\U0001133e\U00011357\U000114b0\U000114ba\U000114bd"
    "\U000115af\U00011930"
) | frozenset(map(chr, [*range(0x1161, 0x1176), *range(0x11A8, 0x11C3)]))
_SPACE_RUNS = re.compile("  +")

# Per non-ASCII character, what it folds to in context: fold() collapses and strips
# separators, so a lone "—" folds to "" although it folds to " " between letters.
_char_folds: dict[str, str] = {}  # characters that do not fold to themselves
_char_same: set[str] = set()  # characters that fold to themselves
_char_joins: set[str] = set()  # characters that are or fold to something in _JOINS_PREVIOUS
# Characters whose fold is not a fixed point (mathematical capitals: 𝚨 -> Α, which folds to α);
# replacing them one by one could differ from fold(), so a text holding one takes fold() itself.
_char_unsafe: set[str] = set()


def _fold_char(ch: str) -> str:
    return fold(f"a{ch}a")[1:-1]


def _learn_char(ch: str) -> str:
    folded = _fold_char(ch)
    if not _JOINS_PREVIOUS.isdisjoint(ch + folded):
        _char_joins.add(ch)
    if folded == ch:
        _char_same.add(ch)
    elif any(not c.isascii() and _fold_char(c) != c for c in folded):
        _char_unsafe.add(ch)
    else:
        _char_folds[ch] = folded
    return folded


def _fold_text(text: str) -> str:
    """`fold(text)`, computed in a few passes of C code rather than one Python step a character.

    Folding is character by character apart from collapsing separators and the NFC
    recomposition of a few sequences (Hangul jamo), so the text is lower-cased, each distinct
    character whose fold differs is replaced throughout, then NFC (if needed) and separator runs
    are redone over the whole.
    """
    raw = text.encode("utf-8", "surrogatepass")
    if len(raw) * 4 < len(text) * 5:
        # Mostly ASCII: lower-case it and translate its separators as bytes; every other
        # character, capitals included, is replaced below.
        raw = raw.lower()
        folded = raw.translate(_ASCII_FOLD).decode("utf-8", "surrogatepass")
        done = _ASCII_SPECIALS
    else:
        # Mostly other scripts: lower-casing them at once leaves fewer characters to replace.
        folded = text.lower()
        raw = folded.encode("utf-8", "surrogatepass")
        done = frozenset()
    if not raw.isascii():
        special = raw.translate(None, _PLAIN_ASCII_BYTES).decode("utf-8", "surrogatepass")
        chars = set(_FOLDS_TO_ITSELF.sub("", special))
        recompose = not chars.isdisjoint(_char_joins)
        chars -= _char_same
        chars -= done
        if not chars.isdisjoint(_char_unsafe):
            return fold(text)
        for ch in chars:
            replacement = _char_folds.get(ch)
            if replacement is None:
                replacement = _learn_char(ch)
                if ch in _char_unsafe:
                    return fold(text)
                recompose = recompose or ch in _char_joins
                if replacement == ch:
                    continue
            if replacement == " ":
                # A dash between spaces: avoid making a run of spaces to collapse later.
                folded = folded.replace(f" {ch} ", " ")
            folded = folded.replace(ch, replacement)
        if recompose:
            folded = unicodedata.normalize("NFC", folded)
    if "  " in folded:
        folded = _SPACE_RUNS.sub(" ", folded)
    return join_name_dots(folded.strip())


# The characters of everyday folded text, most frequent first, inserted into the automaton ahead
# of the names so that the root finds them at the front of its list of children. Each one that
# starts no name lengthens the list for every other character, so Chinese characters (too many to
# help) are left out.
_COMMON_CHARS = (
    " etaoinsrhldcumfpgwybvkxjqz'.,0123456789\"():;!?/&%$“”"
    "оеаинтсрвлкмдпуяыьгзбчхжшюцщэф"  # Cyrillic by frequency (fold turns й into и, ё into е)
)
_NEVER_IN_TEXT = "\uffff"  # a noncharacter: keys `c + _NEVER_IN_TEXT` only shape the trie


# What the automaton holds for a folded key: the people it names, as (person index, the form as
# their record spells it); its length; whether to check the character before a hit and the one
# after (not for a key that starts or ends in an unspaced script or with punctuation); whether
# Chinese characters written beside a hit may rule it out (a romanised key, and one of its people
# is recorded with a name in characters: `_glossed_as`).
_Key = tuple[tuple[tuple[int, str], ...], int, bool, bool, bool]


class Matcher:
    """Finds watched people in news text. Build once per run; `match()` is safe to call often."""

    def __init__(self, people: Iterable[WatchedPerson]) -> None:
        self._ids: list[int] = []
        self._contexts: list[tuple[str, ...]] = []  # per person, the folded context terms
        self._glosses: list[frozenset[str]] = []  # per person, the keys in Chinese characters
        names: dict[str, list[tuple[int, str]]] = {}
        for index, person in enumerate(people):
            self._ids.append(person.id)
            keyed = [(form, name_keys(form)) for form in person.name_forms]
            # Each form's own key before any form's variants: a hit on a form in the record is
            # reported as that form, even where it is also another form's variant.
            ordered = [(form, keys[0]) for form, keys in keyed if keys]
            ordered += [(form, key) for form, keys in keyed for key in keys[1:]]
            seen: set[str] = set()
            for form, key in ordered:
                if key not in seen:
                    seen.add(key)
                    names.setdefault(key, []).append((index, form))
            self._glosses.append(frozenset(key for _form, key in ordered if _is_gloss(key)))
            contexts = dict.fromkeys(fold(term) for term in person.context_terms)
            self._contexts.append(tuple(term for term in contexts if term))
        if not names:
            self._automaton = None
            return
        automaton = ahocorasick.Automaton()
        for ch in _COMMON_CHARS:
            automaton.add_word(ch + _NEVER_IN_TEXT, None)
        for key, named in names.items():
            before, after = is_word_char(key[0]), is_word_char(key[-1])
            glossed = before and any(self._glosses[index] for index, _form in named)
            value: _Key = (tuple(named), len(key), before, after, glossed)
            automaton.add_word(key, value)
        automaton.make_automaton()
        self._automaton = automaton

    def _glossed_as(self, index: int, gloss: tuple[str, bool]) -> bool:
        """Whether the Chinese characters written beside a romanised hit may name the person
        `index`: they begin (after it) or end (before it) with one of the person's names in
        characters; any characters will do for a person recorded without any."""
        glosses = self._glosses[index]
        if not glosses:
            return True
        text, after = gloss
        return any(text.startswith(g) if after else text.endswith(g) for g in glosses)

    def match(self, text: str) -> dict[int, list[str]]:
        """Person id -> the name forms (as the person's record spells them, deduplicated, in
        order found) that matched in `text`, only for people whose context rule holds.

        Forms of one person that fold alike (`Nguyễn Văn Minh`, `Nguyen Van Minh`) are one key,
        reported as the first of them in the record.
        """
        if self._automaton is None:
            return {}
        folded = _fold_text(text)
        if not folded:
            return {}
        found: dict[int, dict[str, None]] = {}  # person index -> forms, in order found
        for end, key in self._automaton.iter(folded):
            if key is None or not _is_whole(folded, end, key):
                continue
            gloss = _gloss(folded, end, key) if key[4] else None
            for index, form in key[0]:
                if gloss is not None and not self._glossed_as(index, gloss):
                    continue  # `Tang Wenbo (唐文波)`: another Tang Wenbo
                if index in found:
                    found[index][form] = None
                else:
                    found[index] = {form: None}
        if not found:
            return {}
        occurs: dict[str, bool] = {}  # context term -> whether it is in the text, looked for once

        def in_text(term: str) -> bool:
            if term not in occurs:
                occurs[term] = _occurs(folded, term)
            return occurs[term]

        mentions: dict[int, list[str]] = {}
        for index, forms in found.items():
            required = self._contexts[index]
            if required and not any(map(in_text, required)):
                continue
            person_id = self._ids[index]
            if person_id in mentions:  # the same person listed twice
                listed = mentions[person_id]
                listed.extend(form for form in forms if form not in listed)
            else:
                mentions[person_id] = list(forms)
        return mentions


def search_terms(name_forms: Sequence[str]) -> list[str]:
    """A person's name forms as search phrases: '"Wang Fang"', '"王芳"' (each form quoted,
    folded duplicates removed), and after a form in Chinese characters its form in the other
    script where that differs ('"冯洁"', '"馮潔"'): a provider matches the characters as
    written, and Hong Kong and Taiwan media write traditional ones."""
    quoted: list[str] = []
    seen: set[str] = set()
    for form in name_forms:
        phrase = " ".join(form.replace('"', " ").split())  # a quote inside would end the phrase
        key = fold(phrase)
        if key and key not in seen:
            seen.add(key)
            quoted.append(f'"{phrase}"')
            other = other_script(phrase)
            if other != phrase and f'"{other}"' not in quoted:
                quoted.append(f'"{other}"')
    return quoted
