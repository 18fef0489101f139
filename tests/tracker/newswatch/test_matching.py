import html
import json
import random
import re
import sys
import unicodedata
import xml.etree.ElementTree as ET  # the fixtures are our own, trusted files
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest

from tests.tracker.newswatch.feedserver import FIXTURES
from tracker.newswatch import matching
from tracker.newswatch.matching import Matcher, WatchedPerson, search_terms
from tracker.text import fold


def person(pid, *forms, context=()):
    return WatchedPerson(id=pid, name_forms=tuple(forms), context_terms=tuple(context))


def found(people, text):
    return Matcher(people).match(text)


# The sample feeds: every article of every file, matched against its label.


def _plain(markup):
    """Tags removed, then entities decoded (so `&lt;` in text never turns into a tag)."""
    return " ".join(html.unescape(re.sub(r"<[^>]*>", " ", markup or "")).split())


def _without_tracking(url):
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if not k.startswith("utm_")]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _rss_items(path):
    """RSS 2.0 and RSS 1.0 (RDF) items, whatever their namespace."""
    for item in ET.parse(path).getroot().iter():  # noqa: S314 (our own fixture files)
        if item.tag.rsplit("}", 1)[-1] != "item":
            continue
        fields = {child.tag.rsplit("}", 1)[-1]: child.text or "" for child in item}
        yield fields["link"], fields["title"], fields.get("description", "")


def _atom_entries(path):
    atom = "{http://www.w3.org/2005/Atom}"
    for entry in ET.parse(path).getroot().iter(f"{atom}entry"):  # noqa: S314
        link = entry.find(f"{atom}link[@rel='alternate']")
        yield link.get("href"), entry.findtext(f"{atom}title"), entry.findtext(f"{atom}summary")


def _gdelt_articles(path):
    for article in json.loads(path.read_text()).get("articles", []):
        yield article["url"], article["title"], ""


def sample_articles():
    """(file, url, title + "\\n" + summary) for every article in the sample feeds."""
    sources = [
        (FIXTURES / "rights.xml", _rss_items),
        (FIXTURES / "digest.atom", _atom_entries),
        (FIXTURES / "wire.rdf", _rss_items),
        *((path, _rss_items) for path in sorted(FIXTURES.glob("gnews/*.xml"))),
        *((path, _gdelt_articles) for path in sorted(FIXTURES.glob("gdelt/*.json"))),
    ]
    return [
        (path.relative_to(FIXTURES).as_posix(), url, f"{_plain(title)}\n{_plain(summary)}")
        for path, read in sources
        for url, title, summary in read(path)
    ]


def sample_people():
    records = json.loads((FIXTURES / "persons.json").read_text())
    return [
        WatchedPerson(
            id=int(key.removeprefix("P")),
            name_forms=tuple(
                f for f in [r["name"], r["native_name"], *r["aliases"]] if f and f.strip()
            ),
            context_terms=tuple(r["context_terms"]),
        )
        for key, r in records.items()
    ]


LABELS = {
    label["article_url"]: {int(p.removeprefix("P")) for p in label["persons"]}
    for label in json.loads((FIXTURES / "expected_mentions.json").read_text())
}
ARTICLES = sample_articles()


@pytest.fixture(scope="module")
def sample_matcher():
    return Matcher(sample_people())


@pytest.mark.parametrize(
    ("source", "url", "text"), ARTICLES, ids=[f"{s}:{u}" for s, u, _ in ARTICLES]
)
def test_each_sample_article_names_exactly_its_labelled_people(sample_matcher, source, url, text):
    assert set(sample_matcher.match(text)) == LABELS[_without_tracking(url)]


def test_the_sample_feeds_are_matched_with_precision_and_recall_of_one(sample_matcher):
    true_positives = false_positives = false_negatives = 0
    for _source, url, text in ARTICLES:
        got, expected = set(sample_matcher.match(text)), LABELS[_without_tracking(url)]
        true_positives += len(got & expected)
        false_positives += len(got - expected)
        false_negatives += len(expected - got)
    assert len(ARTICLES) == 21
    assert true_positives == 14  # 13 labelled mentions, one article carried by two feeds
    assert (false_positives, false_negatives) == (0, 0)
    # Every label was exercised by at least one article.
    assert {_without_tracking(url) for _, url, _ in ARTICLES} == set(LABELS)


def test_sample_matches_report_the_forms_as_the_record_spells_them(sample_matcher):
    assert sample_matcher.match("Gülnarə Əliyeva begins hunger strike") == {5: ["Gülnarə Əliyeva"]}
    assert sample_matcher.match("GULNARA ALIYEVA SENTENCED") == {5: ["Gulnara Aliyeva"]}
    assert sample_matcher.match("Rights lawyers rally for Yasmin Al Masri") == {
        6: ["Yasmin al-Masri"]
    }
    assert sample_matcher.match("Seán O’Connor freed") == {8: ["Seán O'Connor"]}


# Folding: case, Turkish and Azerbaijani letters, diacritics, separators, apostrophes.


@pytest.mark.parametrize("text", ["Ilham Tohti spoke", "ilham tohti spoke", "ILHAM TOHTİ spoke"])
def test_a_turkish_dotted_capital_i_matches_a_plain_i(text):
    assert found([person(1, "İlham Tohti")], text) == {1: ["İlham Tohti"]}


@pytest.mark.parametrize("text", ["İLHAM TOHTİ", "ılham tohtı", "Ilham Tohti"])
def test_dotted_and_dotless_i_in_the_text_match_a_plain_i(text):
    assert found([person(1, "Ilham Tohti")], f"Court hears {text} case") == {1: ["Ilham Tohti"]}


@pytest.mark.parametrize("text", ["GÜLNARƏ ƏLİYEVA", "gülnarə əliyeva", "Gulnarə Əliyeva"])
def test_an_azerbaijani_schwa_matches_in_either_case(text):
    assert found([person(5, "Gülnarə Əliyeva")], f"{text} on hunger strike") == {
        5: ["Gülnarə Əliyeva"]
    }


@pytest.mark.parametrize(
    ("form", "text"),
    [
        ("Trần Thị Thu Hà", "Blogger Tran Thi Thu Ha was moved"),
        ("Tran Thi Thu Ha", "Blogger Trần Thị Thu Hà was moved"),
        ("Trần Thị Thu Hà", "BLOGGER TRẦN THỊ THU HÀ WAS MOVED"),
        ("Trần Thị Thu Hà", unicodedata.normalize("NFD", "Blogger Trần Thị Thu Hà was moved")),
        ("Đoàn Văn Vươn", "Doan Van Vuon appealed"),
    ],
)
def test_vietnamese_diacritics_are_ignored_both_ways(form, text):
    assert found([person(3, form)], text) == {3: [form]}


def test_a_letter_that_folds_to_two_keeps_word_boundaries_right():
    people = [person(1, "Anna Weiß")]
    assert found(people, "Frau ANNA WEISS sagte") == {1: ["Anna Weiß"]}
    assert found(people, "Anna Weissberg sagte") == {}


@pytest.mark.parametrize(
    "text",
    [
        "Yasmin Al-Masri was held",
        "Yasmin al Masri was held",
        "YASMIN AL-MASRI WAS HELD",
        "Yasmin al\u2011Masri was held",  # non-breaking hyphen
        "Yasmin al\u2013Masri was held",  # en dash
        "Yasmin al -\nMasri was held",
    ],
)
def test_particles_match_with_a_hyphen_or_a_space_in_any_case(text):
    assert found([person(6, "Yasmin al-Masri", "Yasmine El Masry")], text) == {
        6: ["Yasmin al-Masri"]
    }


def test_an_alias_covers_another_spelling_of_a_particle():
    people = [person(6, "Yasmin al-Masri", "Yasmine El Masry")]
    assert found(people, "Yasmine El-Masry transferred") == {6: ["Yasmine El Masry"]}


@pytest.mark.parametrize("text", ["Seán O’Connor freed", "Sean O'Connor freed", "SEAN O`CONNOR"])
def test_apostrophes_in_a_name_match_straight_or_curly(text):
    assert found([person(8, "Seán O'Connor")], text) == {8: ["Seán O'Connor"]}


def test_a_curly_apostrophe_in_the_record_matches_a_straight_one_in_the_text():
    assert found([person(8, "Seán O’Connor")], "Sean O'Connor freed") == {8: ["Seán O’Connor"]}


@pytest.mark.parametrize(
    "text",
    [
        "Chen Guo's trial",
        "Chen Guo’s trial",
        "Chen Guo‘s trial",
        "the Chen Guo' case",
        "'Chen Guo'",
    ],
)
def test_possessives_are_found_with_either_apostrophe(text):
    assert found([person(9, "Chen Guo")], text) == {9: ["Chen Guo"]}


def test_separators_in_the_text_may_be_any_run_of_whitespace():
    assert found([person(1, "Wang Fang")], "Wang\n  Fang\tarrived") == {1: ["Wang Fang"]}


# Whole words for spaced scripts, character sequences for Chinese, Japanese and Korean.


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Liu Jianguo wins marathon", {}),
        ("Liu Jian wins marathon", {2: ["Liu Jian"]}),
        ("Liu Jian-guo wins marathon", {2: ["Liu Jian"]}),  # a hyphen is a word boundary
        ("Liu Jian2 wins", {}),
        ("Xliu Jian wins", {}),
        ("Liu Jian", {2: ["Liu Jian"]}),
        ("(Liu Jian)", {2: ["Liu Jian"]}),
        ("Liu Jian and Liu Jianguo", {2: ["Liu Jian"]}),
    ],
)
def test_a_latin_name_is_found_only_as_whole_words(text, expected):
    assert found([person(2, "Liu Jian")], text) == expected


def test_a_name_that_prefixes_another_persons_name_finds_only_the_right_person():
    people = [person(2, "Liu Jian"), person(7, "Liu Jianguo")]
    assert found(people, "Liu Jianguo wins marathon") == {7: ["Liu Jianguo"]}
    assert found(people, "Liu Jian and Liu Jianguo met") == {2: ["Liu Jian"], 7: ["Liu Jianguo"]}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Дарья Петренко осталась под стражей", {4: ["Дарья Петренко"]}),
        ("ДАРЬЯ ПЕТРЕНКО", {4: ["Дарья Петренко"]}),
        ("Суд: «Дарья Петренко»", {4: ["Дарья Петренко"]}),
        ("адвокат Дарьи Петренко", {}),  # inflected forms are not matched
        ("Дарья Петренковой", {}),
        ("Дарьяна Петренко", {}),
    ],
)
def test_a_cyrillic_name_is_found_only_as_whole_words(text, expected):
    assert found([person(4, "Дарья Петренко")], text) == expected


@pytest.mark.parametrize(
    "text", ["律师称刘坚已被释放", "刘坚", "《刘坚案》二审", "LIU JIAN、刘坚的家属"]
)
def test_a_chinese_name_is_found_inside_text_without_spaces(text):
    assert 2 in found([person(2, "Liu Jian", "刘坚")], text)


def test_a_latin_name_next_to_chinese_characters_is_a_whole_word():
    assert found([person(2, "Liu Jian")], "律师称Liu Jian已被释放") == {2: ["Liu Jian"]}


def test_japanese_and_korean_names_are_found_as_character_sequences():
    people = [person(10, "Sato Yuki", "佐藤ゆき"), person(11, "Kim Jong-su", "김종수")]
    assert found(people, "佐藤ゆきさんは東京で逮捕された") == {10: ["佐藤ゆき"]}
    assert found(people, "김종수가 체포되었다") == {11: ["김종수"]}


# Context terms.


WANG_FANG = person(1, "Wang Fang", "王芳", context=["lawyer", "律师", "detained", "拘留"])


@pytest.mark.parametrize(
    "text",
    [
        "Activist Wang Fang detained after protest",
        "Police DETAINED Wang Fang",
        "A lawyer for Wang Fang",
        "王芳的律师说",
        "维权人士王芳被拘留",
        "Wang Fang\nLawyer barred",
        "Wang Fang, undetained in May, was detained in June",  # inside a word, then whole
    ],
)
def test_a_person_with_context_terms_is_found_when_one_is_present(text):
    assert 1 in found([WANG_FANG], text)


@pytest.mark.parametrize(
    "text",
    [
        "Pianist Wang Fang opens festival",
        "歌手王芳发布新专辑",
        "Wang Fang was undetained by the weather",  # a Latin term is a whole word
    ],
)
def test_a_person_with_context_terms_is_not_found_without_one(text):
    assert found([WANG_FANG], text) == {}


def test_context_terms_ignore_case_and_accents():
    people = [person(1, "Wang Fang", context=["Détenu"])]
    assert found(people, "Wang Fang DETENU hier") == {1: ["Wang Fang"]}


def test_a_context_term_of_one_person_does_not_need_to_be_anyone_elses():
    people = [WANG_FANG, person(2, "Liu Jian")]
    assert found(people, "Liu Jian met Wang Fang") == {2: ["Liu Jian"]}
    assert found(people, "Liu Jian met Wang Fang's lawyer") == {
        2: ["Liu Jian"],
        1: ["Wang Fang"],
    }


def test_a_context_term_may_also_be_someone_elses_name():
    people = [person(1, "Wang Fang", context=["Liu Jian"]), person(2, "Liu Jian")]
    assert found(people, "Wang Fang and Liu Jian") == {1: ["Wang Fang"], 2: ["Liu Jian"]}


def test_blank_context_terms_impose_no_rule():
    assert found([person(1, "Wang Fang", context=[" ", "-"])], "Wang Fang") == {1: ["Wang Fang"]}


# Several forms, several people.


def test_a_person_found_under_several_forms_is_reported_once_with_each_form_in_order_found():
    people = [person(4, "Daria Petrenko", "Дарья Петренко", "Darya Petrenko")]
    text = "Darya Petrenko (Дарья Петренко), also spelt Daria Petrenko. Darya Petrenko said"
    assert found(people, text) == {4: ["Darya Petrenko", "Дарья Петренко", "Daria Petrenko"]}


def test_forms_that_fold_alike_are_reported_as_the_first_in_the_record():
    people = [person(3, "Nguyễn Văn Minh", "Nguyen Van Minh")]
    assert found(people, "Blogger Nguyen Van Minh moved") == {3: ["Nguyễn Văn Minh"]}


def test_two_people_in_one_text_are_both_found():
    people = [person(2, "Liu Jian", "刘坚"), person(7, "Zhou Lan", "周兰")]
    assert found(people, "周兰 and Liu Jian's families") == {7: ["周兰"], 2: ["Liu Jian"]}


def test_people_who_share_a_name_are_all_found():
    people = [person(1, "Wang Fang"), person(2, "Wang Fang", "王芳"), person(3, "Liu Jian")]
    assert found(people, "Wang Fang spoke") == {1: ["Wang Fang"], 2: ["Wang Fang"]}


def test_a_person_listed_twice_is_reported_once():
    people = [person(1, "Wang Fang"), person(1, "王芳")]
    assert found(people, "王芳 (Wang Fang)") == {1: ["王芳", "Wang Fang"]}


def test_nothing_is_found_in_empty_text_or_with_nobody_watched():
    assert found([person(1, "Wang Fang")], "") == {}
    assert found([person(1, "Wang Fang")], " \n- ") == {}
    assert found([], "Wang Fang") == {}
    assert found([person(1, " ", "-")], "Wang Fang") == {}


def test_characters_the_automaton_uses_internally_in_the_text_are_harmless():
    assert found([person(1, "Wang Fang")], "a\uffff \uffff Wang Fang\uffff") == {1: ["Wang Fang"]}


def test_a_matcher_over_ten_thousand_people_finds_them_all():
    rng = random.Random(20240301)
    syllables = "an bo chen da en fu gao hu jia kun li ming ning ou ping qi ru shan tao wei xin yu"
    syllables = syllables.split()
    people = []
    for pid in range(1, 10_001):
        given, family = rng.sample(syllables, 2)
        # An index suffix makes every name unique, as ids would in the database.
        people.append(person(pid, f"{family.title()} {given.title()}{pid}", f"王{pid}号"))
    matcher = Matcher(people)
    for pid in (1, 4_321, 10_000):
        name = people[pid - 1].name_forms[0]
        assert matcher.match(f"Court hears {name}'s appeal") == {pid: [name]}
        assert matcher.match(f"法院审理王{pid}号案") == {pid: [f"王{pid}号"]}
    assert matcher.match(f"{people[0].name_forms[0]}0 is someone else") == {}


# Every form a name is written in (issue 23): traditional and simplified characters, romanisation
# variants of a pinyin name, the dots of a name in Chinese script.

TANG = person(20, "Tang Wenbo", "唐文博")
FENG = person(21, "Feng Jie", "冯洁")
GAO_LIHUA = person(22, "Gao Lihua", "高丽华")
ZHENG = person(23, "Zheng Yuan", "郑远")
CHOW = person(24, "Chow Hang-tung", "鄒幸彤")  # recorded in traditional characters
ILHAM = person(25, "Ilham Tohti", "伊力哈木·土赫提")
ILHAM_UNDOTTED = person(26, "Ilham Tohti", "伊力哈木土赫提")
SCRIPTS = [TANG, FENG, GAO_LIHUA, ZHENG, CHOW]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("馮潔被判處有期徒刑三年", {21: ["冯洁"]}),
        ("高麗華案今日開庭", {22: ["高丽华"]}),
        ("法院判處鄭遠有期徒刑", {23: ["郑远"]}),
        ("唐文博獲釋", {20: ["唐文博"]}),
        ("冯洁被判处有期徒刑三年", {21: ["冯洁"]}),
        ("《馮潔案》與高麗華", {21: ["冯洁"], 22: ["高丽华"]}),
        ("邹幸彤被判刑", {24: ["鄒幸彤"]}),  # recorded traditional, written simplified
        ("鄒幸彤被判刑", {24: ["鄒幸彤"]}),
        ("馮傑被判刑", {}),  # another name: 傑 is 杰, not 洁
        ("高麗萍案今日開庭", {}),
    ],
)
def test_traditional_and_simplified_characters_are_one_name(text, expected):
    assert found(SCRIPTS, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Tang Wenbo transferred to Hunan prison",
        "Tang Wen-bo transferred to Hunan prison",
        "Tang Wen bo transferred to Hunan prison",
        "Tang Wen–bo transferred to Hunan prison",  # an en dash for the hyphen
        "TANG Wenbo transferred to Hunan prison",
        "TANG Wen-Bo transferred to Hunan prison",
        "Wenbo Tang transferred to Hunan prison",
        "Wen-bo Tang transferred to Hunan prison",
        "Wenbo TANG transferred to Hunan prison",
        "Lawyer: Tang Wen-bo's appeal rejected",
        "律师称Tang Wen-bo已被转移",
    ],
)
def test_romanisation_variants_of_a_pinyin_name_are_that_name(text):
    assert found([TANG], text) == {20: ["Tang Wenbo"]}


@pytest.mark.parametrize(
    ("forms", "text"),
    [
        (("Ding Jiaxi",), "Ding Jia-xi"),
        (("Ding Jiaxi",), "Jiaxi Ding"),
        (("Xu Zhiyong",), "XU Zhi-yong"),
        (("Li Qiaochu",), "Qiao-chu Li"),
        (("Liu Xia",), "Xia Liu"),
        (("Ouyang Wenbo",), "Wen-bo Ouyang"),
        (("Tang Wen-bo",), "Tang Wenbo"),  # recorded hyphenated, written run together
        (("Tang Wen-bo",), "Wenbo Tang"),
        (("Zhang Fangan",), "Zhang Fan-gan"),
    ],
)
def test_a_recorded_pinyin_name_is_found_in_its_other_romanisations(forms, text):
    assert found([person(1, *forms)], f"News: {text} spoke") == {1: [forms[0]]}


@pytest.mark.parametrize(
    ("forms", "text"),
    [
        (("Liu Xian",), "Liu Xi-an"),  # run together, xian is one syllable
        (("Ilham Tohti",), "Tohti Ilham"),  # not pinyin: written only as recorded
        (("Nguyen Van Minh",), "Van Minh Nguyen"),
        (("Chow Hang-tung",), "Hang-tung Chow"),  # Cantonese: not pinyin
        (("Tang Wenbo",), "Tang Wenbos"),
        (("Tang Wenbo",), "Tang Wen-bot"),
        (("Tang Wenbo",), "Wenbo Tangshan"),
        (("Tang Wenbo",), "Tang Wenbin"),
    ],
)
def test_only_pinyin_names_get_variants_and_only_whole_words_match(forms, text):
    assert found([person(1, *forms)], f"News: {text} spoke") == {}


@pytest.mark.parametrize(
    "text",
    [
        "伊力哈木·土赫提被判处无期徒刑",  # middle dot
        "伊力哈木•土赫提被判处无期徒刑",  # bullet
        "伊力哈木‧土赫提被判處無期徒刑",  # hyphenation point, as Taiwan writes it
        "伊力哈木・土赫提被判处无期徒刑",  # katakana middle dot
        "伊力哈木･土赫提被判处无期徒刑",  # half-width katakana middle dot
        "伊力哈木．土赫提被判处无期徒刑",  # full-width full stop: not a name's dot
        "伊力哈木 · 土赫提被判处无期徒刑",
        "伊力哈木土赫提被判处无期徒刑",
    ],
)
def test_every_dot_form_of_a_name_in_chinese_script_is_the_same_name(text):
    expected_dotted = {25: ["伊力哈木·土赫提"], 26: ["伊力哈木土赫提"]}
    if "．" in text:
        assert found([ILHAM, ILHAM_UNDOTTED], text) == {}
    else:
        assert found([ILHAM, ILHAM_UNDOTTED], text) == expected_dotted


# Look-alike traps: the variants find no one the record's own forms would not, under the same
# context rules (the precision tests above stand unchanged).

TANG_LAWYER = person(30, "Tang Wenbo", "唐文博", context=["lawyer", "律师", "detained", "拘留"])
WANG_DAN = person(31, "Wang Dan", "王丹", context=["dissident", "activist", "民运"])


@pytest.mark.parametrize(
    ("people", "text"),
    [
        # Another Tang Wenbo, whose Chinese name differs, written beside his romanised one.
        ([TANG], "Tang Wenbo (唐文波), the striker, scored twice"),
        ([TANG], "Tang Wen-bo (唐文波) scored twice"),
        ([TANG], "Wenbo Tang（唐文波）scored twice"),
        ([TANG], "前锋唐文波（Tang Wenbo）梅开二度"),
        ([TANG], "前鋒唐文波(Tang Wen-bo)梅開二度"),
        ([TANG], "唐文波获释"),  # his name in characters alone
        # A common name needs its context terms, under any form.
        ([TANG_LAWYER], "Striker Wenbo Tang scored twice"),
        ([TANG_LAWYER], "Tang Wen-bo scored twice"),
        ([TANG_LAWYER], "足球运动员唐文博梅开二度"),
        ([TANG_LAWYER], "足球運動員唐文博梅開二度"),
        ([WANG_DAN], "Economist Dan Wang on China's growth"),
        ([WANG_DAN], "Dan Wang, a pianist, plays Chopin"),
        # A traditional character that folds to another simplified one is not the name.
        ([FENG], "馮傑被判刑"),
        ([GAO_LIHUA], "高麗樺被判刑"),
    ],
)
def test_look_alikes_of_a_name_are_not_that_person(people, text):
    assert found(people, text) == {}


@pytest.mark.parametrize(
    ("people", "text", "expected"),
    [
        ([TANG], "Tang Wenbo (唐文博) was transferred", {20: ["Tang Wenbo", "唐文博"]}),
        ([TANG], "Tang Wen-bo（唐文博）獲釋", {20: ["Tang Wenbo", "唐文博"]}),
        ([TANG], "唐文博 (Wenbo Tang) was transferred", {20: ["唐文博", "Tang Wenbo"]}),
        ([TANG], "據報道唐文博（Tang Wenbo）已獲釋", {20: ["唐文博", "Tang Wenbo"]}),
        ([person(32, "Tang Wenbo")], "Tang Wenbo (唐文波) scored", {32: ["Tang Wenbo"]}),
        ([TANG_LAWYER], "Lawyer Wenbo Tang detained", {30: ["Tang Wenbo"]}),
        ([TANG_LAWYER], "維權律師唐文博被拘留", {30: ["唐文博"]}),
        ([WANG_DAN], "Dissident Dan Wang speaks", {31: ["Wang Dan"]}),
    ],
)
def test_the_right_person_is_found_beside_their_own_name_or_without_one_recorded(
    people, text, expected
):
    assert found(people, text) == expected


def test_two_people_whose_romanised_names_agree_are_told_apart_by_their_characters():
    people = [TANG, person(33, "Tang Wenbo", "唐文波")]
    assert found(people, "Tang Wenbo (唐文波) scored twice") == {33: ["Tang Wenbo", "唐文波"]}
    assert found(people, "Tang Wen-bo (唐文博) was transferred") == {20: ["Tang Wenbo", "唐文博"]}
    assert found(people, "Tang Wenbo was transferred") == {20: ["Tang Wenbo"], 33: ["Tang Wenbo"]}


def test_a_hit_on_a_variant_of_one_form_is_reported_as_a_form_the_record_holds_if_one_is():
    people = [person(1, "Tang Wenbo", "Wenbo Tang")]
    assert found(people, "Wenbo Tang spoke") == {1: ["Wenbo Tang"]}
    assert found(people, "Tang Wen-bo spoke") == {1: ["Tang Wenbo"]}


# search_terms, as a search source ORs them (tracker/newswatch/kinds.py)


@pytest.mark.parametrize(
    ("forms", "query"),
    [
        (["Wang Fang", "王芳"], '"Wang Fang" OR "王芳"'),
        (["Liu Jian"], '"Liu Jian"'),
        (["Nguyễn Văn Minh", "Nguyen Van Minh", "NGUYEN VAN MINH"], '"Nguyễn Văn Minh"'),
        (
            ["Yasmin al-Masri", "Yasmin Al Masri", "Yasmine El Masry"],
            '"Yasmin al-Masri" OR "Yasmine El Masry"',
        ),
        (["Seán O'Connor", "Sean O’Connor"], '"Seán O\'Connor"'),
        (['Li "Lily" Wen', "  Li  Wen "], '"Li Lily Wen" OR "Li Wen"'),
        (["", " ", "Zhou Lan"], '"Zhou Lan"'),
        # A form in Chinese characters, also in the other script where that differs.
        (["Feng Jie", "冯洁"], '"Feng Jie" OR "冯洁" OR "馮潔"'),
        (["Gao Lihua", "高丽华", "高麗華"], '"Gao Lihua" OR "高丽华" OR "高麗華"'),
        (["Chow Hang-tung", "鄒幸彤"], '"Chow Hang-tung" OR "鄒幸彤" OR "邹幸彤"'),
        (["Tang Wenbo", "唐文博"], '"Tang Wenbo" OR "唐文博"'),
        (["Ilham Tohti", "伊力哈木·土赫提"], '"Ilham Tohti" OR "伊力哈木·土赫提"'),
        ([], ""),
    ],
)
def test_search_terms_quote_each_distinct_form(forms, query):
    assert " OR ".join(search_terms(forms)) == query


# The fast fold is fold(). It takes one of two ways depending on how much of the text is ASCII:
# PADDING makes a text mostly ASCII.

PADDING = "Reuters reported on Tuesday that "


def contexts(ch):
    return [f"É{ch}x", f"x{ch}", f"{PADDING}{ch} x", f"{PADDING}ㄱ{ch}", f"ㄱ{ch}ㅡ"]


def test_the_matchers_fold_equals_fold_for_every_character_of_the_basic_plane():
    for cp in range(0x10000):
        for text in contexts(chr(cp)):
            assert matching._fold_text(text) == fold(text), hex(cp)


def test_the_matchers_fold_equals_fold_for_assigned_characters_beyond_the_basic_plane():
    for cp in range(0x10000, sys.maxunicode + 1):
        ch = chr(cp)
        # Beyond the first supplementary plane (CJK, private use), and unassigned: sampled.
        if (cp >= 0x20000 or unicodedata.category(ch) == "Cn") and cp % 97:
            continue
        for text in contexts(ch):
            assert matching._fold_text(text) == fold(text), hex(cp)


TRICKY = [
    *"aZ -_`'’‘ʼ´\t\n\x1c\u2028\u3000\xa0—–‐−İIıiΣσςßẞﬁæŒøǾǿđĐłþℂⅣ①½王芳ガｶﾞᎠꭰΩŉǰㄱㅡ",
    *"\u0301\u0307\u0323\u0345\u1100\u1161\u11a8\uac00\u0b47\u0b3e\u0bc6\u0bbe\u0dd9\u0dcf",
    "\U0001d6a8",  # mathematical bold capital alpha: folds to a capital that folds again
    "\ud800",  # a lone surrogate
    *[chr(cp) for cp in range(0x300, 0x370)],
    "Trần",
    "Əliyeva",
    "й",
    "Ё",
    " — ",
]


def test_the_matchers_fold_equals_fold_on_random_strings():
    rng = random.Random(7)
    pool = TRICKY + [chr(rng.randrange(sys.maxunicode + 1)) for _ in range(2000)]
    for attempt in range(40_000):
        text = "".join(rng.choice(pool) for _ in range(rng.randrange(1, 12)))
        if attempt % 2:
            text = PADDING + text + PADDING
        assert matching._fold_text(text) == fold(text), ascii(text)


def test_the_characters_skipped_as_folding_to_themselves_do():
    ranges = re.findall(r"(.)-(.)|(.)", matching._FOLDS_TO_ITSELF.pattern[1:-2], re.DOTALL)
    checked = 0
    for start, end, single in ranges:
        for cp in range(ord(start or single), ord(end or single) + 1):
            assert matching._fold_char(chr(cp)) == chr(cp), hex(cp)
            assert chr(cp) not in matching._JOINS_PREVIOUS
            checked += 1
    assert checked > 20_000


def test_every_character_nfc_may_join_to_the_one_before_is_known():
    joins = set()
    for cp in range(sys.maxunicode + 1):
        decomposition = unicodedata.decomposition(chr(cp)).split()
        if len(decomposition) == 2 and not decomposition[0].startswith("<"):
            second = chr(int(decomposition[1], 16))
            if not unicodedata.combining(second):
                joins.add(second)
    hangul_vowels_and_finals = {chr(cp) for cp in [*range(0x1161, 0x1176), *range(0x11A8, 0x11C3)]}
    assert joins | hangul_vowels_and_finals == matching._JOINS_PREVIOUS
