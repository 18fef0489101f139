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


@pytest.mark.parametrize(
    ("traditional", "simplified"),
    [
        ("馮潔", "冯洁"),
        ("高麗華", "高丽华"),
        ("鄭遠", "郑远"),
        ("鄒幸彤", "邹幸彤"),
        ("唐文博", "唐文博"),
    ],
)
def test_fold_writes_traditional_chinese_as_simplified(traditional, simplified):
    assert fold(traditional) == fold(simplified) == simplified


def test_folding_twice_changes_nothing_more_than_folding_once():
    # OpenCC maps 薴 to 苧, itself traditional for 苎: the table follows the chain to its end.
    for text in ["薴", "馮潔被判處有期徒刑三年", "伊力哈木 • 土赫提", "TANG Wen-bo"]:
        assert fold(fold(text)) == fold(text)


@pytest.mark.parametrize(
    "dotted",
    [
        "伊力哈木·土赫提",
        "伊力哈木•土赫提",
        "伊力哈木‧土赫提",
        "伊力哈木・土赫提",
        "伊力哈木･土赫提",
        "伊力哈木 · 土赫提",
        "伊力哈木土赫提",
    ],
)
def test_every_dot_between_the_parts_of_a_name_in_chinese_script_folds_away(dotted):
    assert fold(dotted) == "伊力哈木土赫提"


def test_a_dot_between_latin_words_stays_a_mark_between_them():
    assert fold("News • Politics") == fold("News · Politics") == "news · politics"
    assert fold("Liu Jian·王芳") == "liu jian·王芳"


def test_fold_with_origins_points_at_the_characters_as_written_around_a_dropped_dot():
    folded, origins = fold_with_origins("记者：伊力哈木 • 土赫提")
    assert folded == "记者:伊力哈木土赫提"
    assert [origins[folded.index(ch)] for ch in "木土"] == [6, 10]


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
    | st.sampled_from(list("Ee\u0301\u0302- \u00a0\u2010_İıßŒ’Đ王芳馮潔·•‧・"))
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
