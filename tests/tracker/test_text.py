import pytest

from tracker.text import fold


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
