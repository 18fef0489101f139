"""The status-change detector, on headline and lede sentences written the way the news writes
them about real cases, in English and Chinese; with negations, demands, the future, and other
people's news, none of which is a change in this person's case."""

import re
from datetime import date

import pytest

from tracker.models import CaseEvent
from tracker.newswatch import status_news
from tracker.newswatch.status_news import detect_status_news
from tracker.text import fold

Kind = CaseEvent.Kind

XU = ["Xu Zhiyong", "许志永"]
DING = ["Ding Jiaxi", "丁家喜"]
LI = ["Li Qiaochu", "李翘楚"]
HUANG = ["Huang Xueqin", "黄雪琴"]
WANG = ["Wang Jianbing", "王建兵"]
ILHAM = ["Ilham Tohti", "伊力哈木·土赫提"]
TRANG = ["Pham Doan Trang", "Phạm Đoan Trang"]
GAO = ["Gao Zhen", "高振"]

ON = date(2023, 4, 11)  # a Tuesday: the day most of these articles are dated

# (name forms, title, summary, what is proposed as (kind, date))
CASES = [
    # --- English: the person is the subject or the object of the verb ---
    (
        XU,
        "China jails prominent activists Xu Zhiyong, Ding Jiaxi for 14 and 12 years",
        "",
        [(Kind.SENTENCED, ON)],
    ),
    (
        DING,
        "China jails prominent activists Xu Zhiyong, Ding Jiaxi for 14 and 12 years",
        "",
        [(Kind.SENTENCED, ON)],
    ),
    (
        XU,
        "Chinese court jails legal scholar",
        "A court in Linyi, Shandong, on Monday sentenced Xu Zhiyong to 14 years in prison for "
        "subversion of state power, his lawyer said.",
        [(Kind.SENTENCED, date(2023, 4, 10))],
    ),
    (
        XU,
        "Activist sentenced",
        "Xu Zhiyong, a legal scholar who co-founded the New Citizens' Movement, was sentenced "
        "to 14 years on 10 April 2023.",
        [(Kind.SENTENCED, date(2023, 4, 10))],
    ),
    (
        HUANG,
        "Chinese #MeToo journalist Huang Xueqin sentenced to five years for subversion",
        "",
        [(Kind.SENTENCED, ON)],
    ),
    (
        ILHAM,
        "Uyghur scholar Ilham Tohti given life sentence",
        "Uyghur economist Ilham Tohti was sentenced to life in prison in September 2014 on "
        "separatism charges.",
        [(Kind.SENTENCED, ON)],
    ),
    (
        LI,
        "Feminist freed",
        "Women's rights activist Li Qiaochu has been released on bail, her friends said.",
        [(Kind.RELEASED_ON_BAIL, ON)],
    ),
    (
        LI,
        "Li Qiaochu freed after serving sentence",
        "",
        [(Kind.RELEASED, ON)],
    ),
    (
        TRANG,
        "Vietnam moves jailed journalist",
        "Vietnamese journalist Phạm Đoan Trang was transferred to An Phuoc prison in Binh "
        "Duong province, her family said.",
        [(Kind.TRANSFERRED, ON)],
    ),
    (
        GAO,
        "Chinese artist Gao Zhen formally arrested over satirical sculptures of Mao",
        "",
        [(Kind.ARRESTED, ON)],
    ),
    (
        LI,
        "Prosecutors approve arrest",
        "Prosecutors in Beijing approved the formal arrest of Li Qiaochu on suspicion of "
        "inciting subversion.",
        [(Kind.ARRESTED, ON)],
    ),
    (
        DING,
        "Rights lawyer charged",
        "Prosecutors in Linyi have indicted Ding Jiaxi on charges of subversion of state power.",
        [(Kind.INDICTED, ON)],
    ),
    (
        DING,
        "Closed-door trial",
        "Xu Zhiyong and Ding Jiaxi went on trial behind closed doors in Linyi on Friday.",
        [(Kind.ON_TRIAL, date(2023, 4, 7))],
    ),
    (
        WANG,
        "Court opens trial of Huang Xueqin and Wang Jianbing in Guangzhou",
        "",
        [(Kind.ON_TRIAL, ON)],
    ),
    (
        GAO,
        "Chinese police arrest artist Gao Zhen over sculptures of Mao",
        "",
        [(Kind.ARRESTED, ON)],
    ),
    (XU, "UN experts urge China to release Xu Zhiyong", "", []),
    (XU, "Release Xu Zhiyong now, say UN experts", "", []),
    (
        LI,
        "Activist home",
        "Li Qiaochu was detained in February 2021. She was released on Thursday, her friends said.",
        [(Kind.RELEASED, date(2023, 4, 6))],
    ),
    # --- Chinese ---
    (XU, "许志永案一审宣判：被判处有期徒刑十四年", "", [(Kind.SENTENCED, ON)]),
    (
        DING,
        "新公民运动案宣判",
        "临沂市中级人民法院以颠覆国家政权罪判处许志永有期徒刑十四年，判处丁家喜有期徒刑十二年。",
        [(Kind.SENTENCED, ON)],
    ),
    (LI, "李翘楚已于昨日获释", "", [(Kind.RELEASED, date(2023, 4, 10))]),
    (
        WANG,
        "广州宣判",
        "黄雪琴被判处有期徒刑五年，王建兵被判处有期徒刑三年六个月。",
        [(Kind.SENTENCED, ON)],
    ),
    (DING, "丁家喜于2020年6月19日被正式逮捕", "", [(Kind.ARRESTED, date(2020, 6, 19))]),
    (GAO, "艺术家高振被以涉嫌侵害英雄烈士名誉、荣誉罪批准逮捕", "", [(Kind.ARRESTED, ON)]),
    (XU, "临沂市人民检察院对许志永提起公诉", "", [(Kind.INDICTED, ON)]),
    (
        DING,
        "许志永、丁家喜案在临沂市中级人民法院不公开开庭审理",
        "",
        [(Kind.ON_TRIAL, ON)],
    ),
    (ILHAM, "伊力哈木·土赫提已被转移至新疆一处监狱", "", [(Kind.TRANSFERRED, ON)]),
    (
        WANG,
        "王建兵近况",
        "王建兵于2021年9月被带走。他于4月3日被转押至广州市第一看守所。",
        [(Kind.TRANSFERRED, date(2023, 4, 3))],
    ),
    # --- Negations, the future, demands: nothing happened ---
    (XU, "Xu Zhiyong denied release on medical parole", "", []),
    (LI, "Li Qiaochu was not released on schedule, her friends said.", "", []),
    (DING, "Ding Jiaxi will go on trial next month, his wife says", "", []),
    (XU, "Campaigners called for Xu Zhiyong to be released immediately", "", []),
    (WANG, "Authorities have not released Wang Jianbing despite appeals", "", []),
    (ILHAM, "Ilham Tohti has yet to be released, his daughter says", "", []),
    (HUANG, "Huang Xueqin tried to leave for Britain to study in 2019", "", []),
    (XU, "Xu Zhiyong released an open letter calling on Xi Jinping to resign", "", []),
    (LI, "李翘楚至今未获释放", "", []),
    (XU, "当局拒绝释放许志永", "", []),
    (DING, "丁家喜没有被释放", "", []),
    (XU, "许志永案将于下周开庭", "", []),
    (XU, "人权组织呼吁立即无条件释放许志永", "", []),
    (XU, "许志永曾于2014年被判处四年有期徒刑", "", []),
    # --- Other people's news ---
    (HUANG, "Huang Xueqin's lawyer was released on bail", "", []),
    (XU, "Xu Zhiyong remains in prison", "His lawyer was released on Monday.", []),
    (DING, "The lawyer of Ding Jiaxi was released after ten days in custody", "", []),
    (XU, "Xu Zhiyong said his friend Ding Jiaxi had been sentenced", "", []),
    (XU, "Xu Zhiyong remains in Linyi prison. Ding Jiaxi was released.", "", []),
    (XU, "Police released Xu Zhiyong's partner after questioning", "", []),
    (XU, "许志永的律师被释放", "", []),
    (HUANG, "黄雪琴仍被关押。", "她的律师被释放。", []),
    (WANG, "王建兵表示，黄雪琴已获释", "", []),
    (HUANG, "王建兵表示，黄雪琴已获释", "", [(Kind.RELEASED, ON)]),
]


@pytest.mark.parametrize(
    ("forms", "title", "summary", "expected"),
    CASES,
    ids=[
        f"{forms[0]}: {(title + ' ' + summary).strip()[:60]}" for forms, title, summary, _ in CASES
    ],
)
def test_detector_proposes_only_this_persons_status_changes(forms, title, summary, expected):
    found = detect_status_news(title=title, summary=summary, name_forms=forms, published=ON)
    assert [(news.kind, news.date) for news in found] == expected


def test_the_evidence_is_the_sentence_as_written():
    summary = (
        "Li Qiaochu was detained in February 2021. She was released on Thursday, her friends "
        "said. Her partner Xu Zhiyong remains in prison."
    )
    (news,) = detect_status_news(title="", summary=summary, name_forms=LI, published=ON)
    assert news.evidence == "She was released on Thursday, her friends said."


def test_one_proposal_per_kind_however_often_the_article_says_it():
    found = detect_status_news(
        title="Huang Xueqin sentenced to five years",
        summary="黄雪琴被判处有期徒刑五年。Huang Xueqin was sentenced in Guangzhou.",
        name_forms=HUANG,
        published=ON,
    )
    assert [(n.kind, n.evidence) for n in found] == [
        (Kind.SENTENCED, "Huang Xueqin sentenced to five years")
    ]


def test_the_date_the_sentence_gives_is_the_events_date():
    found = detect_status_news(
        title="Labour activist jailed",
        summary="Labour rights activist Wang Jianbing was sentenced on 14 June 2024 to three "
        "years and six months for inciting subversion of state power.",
        name_forms=WANG,
        published=date(2024, 6, 17),
    )
    assert [(n.kind, n.date) for n in found] == [(Kind.SENTENCED, date(2024, 6, 14))]


def test_a_date_after_publication_is_not_taken():
    found = detect_status_news(
        title="", summary="Xu Zhiyong was sentenced on 30 April.", name_forms=XU, published=ON
    )
    assert [n.date for n in found] == [date(2022, 4, 30)]  # the last 30 April before it


def test_no_name_forms_no_proposals():
    assert (
        detect_status_news(title="Xu Zhiyong freed", summary="", name_forms=[], published=ON) == []
    )


WANG_QZ = ["Wang Quanzhang", "王全璋"]


@pytest.mark.parametrize(
    "title, summary, published, expected",
    [
        # The headline says it undated; the lede gives the day: the lede's date wins.
        (
            "王全璋案在天津开庭",
            "人权律师王全璋案12月26日在天津市第二中级人民法院不公开开庭审理。",
            date(2018, 12, 27),
            date(2018, 12, 26),
        ),
        (
            "人权律师王全璋受审",
            "2018年12月26日，王全璋在天津受审。",
            date(2018, 12, 27),
            date(2018, 12, 26),
        ),
        (
            "Wang Quanzhang goes on trial",
            "Human rights lawyer Wang Quanzhang went on trial on December 26 in Tianjin.",
            date(2018, 12, 27),
            date(2018, 12, 26),
        ),
        (
            "Wang Quanzhang stands trial",
            "Wang Quanzhang stood trial in Tianjin on Dec. 26, 2018, behind closed doors.",
            date(2018, 12, 28),
            date(2018, 12, 26),
        ),
        (
            "Rights lawyer Wang Quanzhang tried",
            "Wang Quanzhang was tried on 26 December.",
            date(2018, 12, 28),
            date(2018, 12, 26),
        ),
        # A written date wins over a weekday ("today", "on Monday") too.
        (
            "王全璋案今日开庭",
            "王全璋案于12月26日开庭。",
            date(2018, 12, 27),
            date(2018, 12, 26),
        ),
        # The year is the publication's, never one after it.
        (
            "王全璋受审",
            "王全璋12月30日受审。",
            date(2019, 1, 2),
            date(2018, 12, 30),
        ),
    ],
)
def test_a_date_written_in_any_sentence_saying_it_wins_over_the_publication_date(
    title, summary, published, expected
):
    found = detect_status_news(
        title=title, summary=summary, name_forms=WANG_QZ, published=published
    )
    assert [(n.kind, n.date) for n in found] == [(Kind.ON_TRIAL, expected)]
    assert found[0].date_in_text


def test_the_evidence_is_the_sentence_that_gave_the_date():
    (news,) = detect_status_news(
        title="Wang Quanzhang goes on trial",
        summary="Wang Quanzhang went on trial on December 26 in Tianjin.",
        name_forms=WANG_QZ,
        published=date(2018, 12, 27),
    )
    assert news.evidence == "Wang Quanzhang went on trial on December 26 in Tianjin."


def test_a_change_no_sentence_dates_is_dated_by_publication():
    (news,) = detect_status_news(
        title="Wang Quanzhang goes on trial",
        summary="",
        name_forms=WANG_QZ,
        published=date(2018, 12, 27),
    )
    assert (news.date, news.date_in_text) == (date(2018, 12, 27), False)


# The same Chinese reports in traditional characters, as Hong Kong and Taiwan media and the
# Chinese services of overseas broadcasters write them, for people recorded in simplified ones:
# the detector's phrases (written in simplified) hold in both scripts, negations and demands too.
TANG = ["Tang Wenbo", "唐文博"]
FENG = ["Feng Jie", "冯洁"]
GAO_LIHUA = ["Gao Lihua", "高丽华"]
ZHENG = ["Zheng Yuan", "郑远"]
MA = ["Ma Xiulan", "马秀兰"]

TRADITIONAL = [
    (XU, "許志永案一審宣判：被判處有期徒刑十四年", "", [(Kind.SENTENCED, ON)]),
    (
        DING,
        "新公民運動案宣判",
        "臨沂市中級人民法院以顛覆國家政權罪判處許志永有期徒刑十四年，判處丁家喜有期徒刑十二年。",
        [(Kind.SENTENCED, ON)],
    ),
    (LI, "李翹楚已於昨日獲釋", "", [(Kind.RELEASED, date(2023, 4, 10))]),
    (
        WANG,
        "廣州宣判",
        "黃雪琴被判處有期徒刑五年，王建兵被判處有期徒刑三年六個月。",
        [(Kind.SENTENCED, ON)],
    ),
    (DING, "丁家喜於2020年6月19日被正式逮捕", "", [(Kind.ARRESTED, date(2020, 6, 19))]),
    (GAO, "藝術家高振被以涉嫌侵害英雄烈士名譽、榮譽罪批准逮捕", "", [(Kind.ARRESTED, ON)]),
    (XU, "臨沂市人民檢察院對許志永提起公訴", "", [(Kind.INDICTED, ON)]),
    (DING, "許志永、丁家喜案在臨沂市中級人民法院不公開開庭審理", "", [(Kind.ON_TRIAL, ON)]),
    (ILHAM, "伊力哈木·土赫提已被轉移至新疆一處監獄", "", [(Kind.TRANSFERRED, ON)]),
    (ILHAM, "伊力哈木•土赫提已被轉移至新疆一處監獄", "", [(Kind.TRANSFERRED, ON)]),
    (ILHAM, "伊力哈木土赫提已被轉移至新疆一處監獄", "", [(Kind.TRANSFERRED, ON)]),
    (
        WANG,
        "王建兵近況",
        "王建兵於2021年9月被帶走。他於4月3日被轉押至廣州市第一看守所。",
        [(Kind.TRANSFERRED, date(2023, 4, 3))],
    ),
    (LI, "李翹楚取保候審獲釋", "", [(Kind.RELEASED_ON_BAIL, ON)]),
    # The reports of issue 23, for people recorded in simplified characters.
    (FENG, "馮潔被判處有期徒刑三年", "", [(Kind.SENTENCED, ON)]),
    (GAO_LIHUA, "高麗華案今日開庭", "", [(Kind.ON_TRIAL, ON)]),
    (TANG, "唐文博獲釋", "", [(Kind.RELEASED, ON)]),
    (MA, "马秀兰获释回家", "", [(Kind.RELEASED, ON)]),
    (MA, "馬秀蘭獲釋回家", "", [(Kind.RELEASED, ON)]),
    (ZHENG, "法院判處鄭遠有期徒刑五年", "", [(Kind.SENTENCED, ON)]),
    # Negations, the future, demands: nothing happened.
    (LI, "李翹楚至今未獲釋放", "", []),
    (TANG, "唐文博未獲釋放", "", []),
    (XU, "當局拒絕釋放許志永", "", []),
    (DING, "丁家喜沒有被釋放", "", []),
    (XU, "許志永案將於下週開庭", "", []),
    (XU, "人權組織呼籲立即無條件釋放許志永", "", []),
    (FENG, "國際特赦組織呼籲釋放馮潔", "", []),
    (ZHENG, "家屬要求釋放鄭遠", "", []),
    (XU, "許志永曾於2014年被判處四年有期徒刑", "", []),
    # Other people's news.
    (XU, "許志永的律師被釋放", "", []),
    (HUANG, "黃雪琴仍被關押。", "她的律師被釋放。", []),
    (WANG, "王建兵表示，黃雪琴已獲釋", "", []),
    (HUANG, "王建兵表示，黃雪琴已獲釋", "", [(Kind.RELEASED, ON)]),
    (FENG, "馮潔的律師被判處有期徒刑三年", "", []),
]


@pytest.mark.parametrize(
    ("forms", "title", "summary", "expected"),
    TRADITIONAL,
    ids=[
        f"{forms[0]}: {(title + ' ' + summary).strip()[:60]}"
        for forms, title, summary, _ in TRADITIONAL
    ],
)
def test_detector_reads_traditional_characters_as_simplified(forms, title, summary, expected):
    found = detect_status_news(title=title, summary=summary, name_forms=forms, published=ON)
    assert [(news.kind, news.date) for news in found] == expected


def test_the_evidence_in_traditional_characters_is_the_sentence_as_written():
    (news,) = detect_status_news(
        title="馮潔被判處有期徒刑三年", summary="", name_forms=FENG, published=ON
    )
    assert news.evidence == "馮潔被判處有期徒刑三年"


def test_every_chinese_character_the_detector_looks_for_is_its_own_fold():
    """fold() turns traditional characters into simplified ones: a phrase holding a character
    that fold() changes could never be found."""
    patterns = [
        value.pattern for value in vars(status_news).values() if isinstance(value, re.Pattern)
    ]
    han = {ch for pattern in patterns for ch in pattern if "\u3400" <= ch <= "\u9fff"}
    assert len(han) > 100
    assert {ch for ch in han if fold(ch) != ch} == set()


# Romanisation variants of a name recorded in pinyin, surname first (tracker.names).
ROMANISED = [
    (TANG, "Tang Wen-bo was transferred to Hunan prison", [(Kind.TRANSFERRED, ON)]),
    (TANG, "Tang Wen bo was released on Monday", [(Kind.RELEASED, date(2023, 4, 10))]),
    (TANG, "TANG Wenbo sentenced to three years", [(Kind.SENTENCED, ON)]),
    (TANG, "Wenbo Tang was released on bail", [(Kind.RELEASED_ON_BAIL, ON)]),
    (TANG, "Wen-bo Tang went on trial on Friday", [(Kind.ON_TRIAL, date(2023, 4, 7))]),
    (TANG, "Court jails activist Wenbo TANG", [(Kind.SENTENCED, ON)]),
    (TANG, "Tang Wen-bo was not released", []),
    (TANG, "Campaigners call for Wenbo Tang to be released", []),
    (TANG, "Tang Wen-bo's lawyer was released", []),
    (TANG, "Tang Wenbon was released", []),  # another word
    (DING, "Ding Jia-xi went on trial on Friday", [(Kind.ON_TRIAL, date(2023, 4, 7))]),
]


@pytest.mark.parametrize(
    ("forms", "title", "expected"), ROMANISED, ids=[t for _f, t, _e in ROMANISED]
)
def test_detector_finds_the_person_under_romanisation_variants(forms, title, expected):
    found = detect_status_news(title=title, summary="", name_forms=forms, published=ON)
    assert [(news.kind, news.date) for news in found] == expected
