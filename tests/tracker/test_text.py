import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.text import fold, fold_with_origins


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Trần Thị Thu Hà", "Tran Thi Thu Ha"),
        ("İlham Tohti", "ilham tohti"),
        ("Jean-Pierre", "jean pierre"),
        ("O’Brien", "O'Brien"),
        ("Đoàn Thị Hồng", "doan thi hong"),
        ("Łukasz", "lukasz"),
        ("  Liu   Xia ", "liu xia"),
    ],
)
def test_fold_makes_name_variants_equal(a, b):
    assert fold(a) == fold(b)


def test_fold_leaves_chinese_characters_alone():
    assert fold("刘霞") == "刘霞"


def test_fold_keeps_different_names_different():
    assert fold("Liu Jian") != fold("Liu Jiang")


# Hangul jamo are left out: fold() recomposes them across characters, which a fold of one
# character at a time cannot (fold_with_origins says so).
_JAMO = "".join(
    chr(c)
    for r in ((0x1100, 0x11FF), (0xA960, 0xA97F), (0xD7B0, 0xD7FF))
    for c in range(r[0], r[1] + 1)
)
_TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters=_JAMO)
    | st.sampled_from(list("Ee\u0301\u0302- \u00a0\u2010_İıßŒ’Đ王芳"))
)


@settings(max_examples=500, deadline=None)
@given(_TEXT)
def test_folding_a_character_at_a_time_gives_fold_and_where_each_character_came_from(text):
    folded, origins = fold_with_origins(text)
    assert folded in (fold(text), fold(text) + " ")
    assert len(origins) == len(folded)
    assert origins == sorted(origins)
    for ch, origin in zip(folded, origins, strict=True):
        assert ch in fold_with_origins(text[origin])[0] + " "
