"""Traditional and simplified Chinese, through OpenCC: the one module that uses the converter.

Comparison (tracker.text.fold) needs one form of each character, whatever the text around it:
`to_simplified_table()` is OpenCC's traditional-to-simplified mapping (t2s) read character by
character, once per process, as a `str.translate` table. A character is converted alone, not
as part of a phrase, so that a name folds the same on its own as inside an article (OpenCC's
phrase rules could convert it differently next to one neighbour than next to another).

Searching (the batched queries of search sources, the one-box search of records without a
folded column) looks for a name as the press writes it: `other_script()` converts a whole name
with OpenCC's s2t (or t2s) rules, phrases included, as Hong Kong and Taiwan media (or mainland
ones) would write it.
"""

import functools

import opencc

# The blocks OpenCC's traditional characters are in: CJK unified ideographs (and extension A),
# compatibility ideographs, and the supplementary ideographic planes.
_HAN_BLOCKS = ((0x3400, 0xA000), (0xF900, 0xFB00), (0x20000, 0x32000))


# Each converter is built once per process, when this module is imported: loading one (its
# dictionaries) takes a noticeable moment, which must not fall between a search source's request
# slot and its request (polling.py), nor into the first search a user makes.
_T2S = opencc.OpenCC("t2s.json")
_S2T = opencc.OpenCC("s2t.json")
_S2T.convert("冯")  # the first conversion loads the rest


@functools.cache
def to_simplified_table() -> dict[int, str]:
    """Code point -> its simplified character, for each character OpenCC's t2s changes. The
    table is closed (a character maps to one the table leaves alone), so folding twice changes
    nothing more than folding once."""
    chars = [chr(cp) for start, end in _HAN_BLOCKS for cp in range(start, end)]
    # One call for every character, each on a line of its own: no phrase spans two of them.
    converted = _T2S.convert("\n".join(chars)).split("\n")
    if len(converted) != len(chars):
        raise RuntimeError("OpenCC's t2s did not keep one line per character")
    pairs = zip(chars, converted, strict=True)
    table = {ord(ch): out for ch, out in pairs if out != ch and len(out) == 1}
    for cp, out in table.items():
        seen = {cp}
        while ord(out) in table and ord(out) not in seen:  # 薴 -> 苧 -> 苎
            seen.add(ord(out))
            out = table[ord(out)]
        table[cp] = out
    return table


def to_traditional(text: str) -> str:
    """`text` in traditional characters (OpenCC s2t); unchanged where it has none to change."""
    return _S2T.convert(text)


def to_simplified(text: str) -> str:
    """`text` in simplified characters (OpenCC t2s); unchanged where it has none to change."""
    return _T2S.convert(text)


def other_script(text: str) -> str:
    """`text` as the other script writes it: simplified Chinese in traditional characters, and
    traditional in simplified; unchanged where the two write it alike (唐文博) or it is not
    Chinese."""
    if text.isascii():
        return text
    traditional = to_traditional(text)
    return traditional if traditional != text else to_simplified(text)
