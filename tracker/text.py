"""Text folding shared by search and (later) the news matcher.

`fold()` maps a string to a comparison key: case-folded (Turkish dotted İ included), Latin
accents and diacritics removed (`Trần Thị Thu Hà` -> `tran thi thu ha`), hyphens, curly and
straight apostrophes and runs of whitespace made alike. Scripts without case or accents
(Chinese, Japanese, Korean) pass through unchanged.
"""

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
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = unicodedata.normalize("NFC", stripped).translate(_STROKED).translate(_APOSTROPHES)
    return _SEPARATORS.sub(" ", stripped).strip()
