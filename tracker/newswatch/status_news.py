"""Whether a news text says that a watched person's case status changed, and to what.

`detect_status_news(title=..., summary=..., name_forms=..., published=...)` reads the title
and the summary of a news item one sentence at a time and returns, per CaseEvent kind, the
first sentence that says that THIS person was released (or released on bail), sentenced,
formally arrested, indicted, tried or transferred, in English or Chinese, with the date the
sentence gives (else the date the article was published); a later sentence saying it with a
date written out ("December 26", "26 December", "Dec. 26, 2018", "12月26日", "2018年12月26日")
is taken instead of one without. Staff accept or reject what it
finds (tracker.cases.services.case_event_proposals_for_mention): it proposes, it never decides.

It would rather miss a change than propose a wrong one, so a verb counts only where the
person is what it is about, in the same sentence:

- the person is its subject: "Xu Zhiyong was sentenced", "Xu Zhiyong, a legal scholar, was
  sentenced", "Xu Zhiyong and Ding Jiaxi were sentenced", "许志永被判处", "许志永案今日开庭";
  or its object: "court jails activist Huang Xueqin", "法院判处许志永", "释放了李翘楚";
- or the sentence opens with he/she/他/她 as that subject and the sentence before opens with
  the person's name ("Li Qiaochu was detained in 2021. She was released on Friday.").

Between the name and the verb only auxiliaries ("has been"), a few adverbs ("formally",
"on Monday"), an appositive between commas and other people joined by "and" may stand, so
"Xu Zhiyong's lawyer was released", "the lawyer of Xu Zhiyong was released", "许志永的律师被释放",
"Xu Zhiyong said his lawyer was released" are not about Xu Zhiyong's status. Negation,
future and demands are not events: "was not released", "denied release", "will be released",
"calls for Xu Zhiyong to be released", "未获释放", "没有被释放", "拒绝释放", "将于下周开庭",
"要求立即释放".

Everything is matched on the folded text (tracker.text.fold: lower case, no accents, Chinese in
simplified characters), as the news matcher finds names, under every form the matcher finds a
name in (tracker.names: `Tang Wen-bo`, `Wenbo Tang`, `伊力哈木•土赫提`). The Chinese phrases
below are written in simplified characters and hold in traditional ones too ("唐文博獲釋",
"未獲釋放", "呼籲釋放"): fold() turns the text's traditional characters into these. The
evidence returned is the sentence as written.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from tracker.cases.models import CaseEvent
from tracker.names import all_name_keys
from tracker.text import fold, is_whole_word

Kind = CaseEvent.Kind


@dataclass(frozen=True)
class StatusNews:
    kind: str  # a CaseEvent.Kind value
    date: date
    evidence: str  # the sentence, as written
    date_in_text: bool = False  # the sentence gives the date (else: the publication's)


# --- Sentences ---------------------------------------------------------------------------------

# After Chinese full stops (no space follows them), or after . ! ? and a space. An
# abbreviation ("Mr. Xu") may cut a sentence short: the clause rule then finds less, not more.
_SENTENCE_BREAK = re.compile(
    "(?<=[\u3002\uff01\uff1f\uff1b])"  # Chinese full stop, exclamation, question, semicolon
    '|(?<=[.!?])\\s+|(?<=[.!?]["\u201d\u2019)])\\s+|\n+'
)


# A month's abbreviation is no sentence's end when a day follows it: "on Dec. 26, 2018".
_MONTH_ABBREVIATION_END = re.compile(
    r"\b(?:jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\.$", re.IGNORECASE
)


def _sentences(text: str) -> list[str]:
    sentences: list[str] = []
    for piece in _SENTENCE_BREAK.split(text or ""):
        piece = (piece or "").strip()
        if not piece:
            continue
        if sentences and piece[0].isdigit() and _MONTH_ABBREVIATION_END.search(sentences[-1]):
            sentences[-1] += " " + piece
        else:
            sentences.append(piece)
    return sentences


# --- English ------------------------------------------------------------------------------------

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = "(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_WEEKDAY = "(?:" + "|".join(_WEEKDAYS) + ")"

# What may stand between the subject and its verb.
# (Not "had been": the pluperfect tells the background, "who had been jailed from 2013".)
_EN_AUX = r"(?:was|were|is|are|has been|have been|has|have|got|gets|get|been)"
_EN_WHEN = (
    rf"(?:(?:on|last|this) {_WEEKDAY}|{_WEEKDAY}|today|yesterday|this (?:week|month|morning)"
    rf"|on (?:\d{{1,2}} {_MONTH}|{_MONTH} \d{{1,2}})(?:,? \d{{4}})?|in {_MONTH}(?: \d{{4}})?"
    rf"|(?:early|late) (?:on )?{_WEEKDAY})"
)
_EN_ADV = (
    r"(?:formally|officially|finally|reportedly|quietly|secretly|now|also|just|already|"
    rf"recently|eventually|later|then|subsequently|{_EN_WHEN})"
)
_EN_APPOSITIVE = r"(?:, [^,;]{1,150},| \([^)]{1,100}\))"
# Other people in the same subject: "Xu Zhiyong and Ding Jiaxi were...", not "and his lawyer".
_EN_COORD = (
    r"(?:,? and|,) (?!(?:his|her|their|its|the|a|an|he|she|they|who|whose|which|was|were|is"
    r"|are|has|have|had|not|said|says)\b)[\w'.#-]+(?: [\w'.#-]+){0,3}?"
)
_EN_NUMBER = (
    r"(?:\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|life)"
)

# (kind, verb) for a subject before its verb, bail before plain release. A verb marked
# "passive only" is also an everyday active verb ("moved to London", "tried to"): it counts
# only after was/were/has been.
_EN_SUBJECT_VERBS: list[tuple[str, str, bool]] = [
    (Kind.RELEASED_ON_BAIL, r"(?:released|freed|let out) on bail|granted bail|bailed", False),
    (
        Kind.RELEASED,
        r"(?:released|freed|set free|walked free|walks free|(?:left|leaves|let out of) prison)",
        False,
    ),
    (
        Kind.SENTENCED,
        rf"(?:sentenced|jailed|imprisoned|(?:given|handed|gets|receives|received) (?:a )?"
        rf"{_EN_NUMBER}[ -](?:and a half )?(?:year|month))",
        False,
    ),
    (Kind.ARRESTED, r"(?:formally arrested|arrested)", False),
    (Kind.INDICTED, r"(?:indicted|formally charged|charged with|prosecuted)", False),
    (
        Kind.ON_TRIAL,
        r"(?:(?:went|goes|go|is|are|was|were) on trial|(?:stood|stands?) trial|on trial)",
        False,
    ),
    (Kind.ON_TRIAL, r"tried(?! to)", True),
    (
        Kind.TRANSFERRED,
        r"(?:transferred|moved|relocated|taken) to (?:a |an |the |another )?[\w' -]{0,30}?"
        r"(?:prison|jail|detention|centre|center|facility|hospital|camp|city|province)",
        True,
    ),
    (Kind.TRANSFERRED, r"transferred", True),
]

# (kind, verb) for a verb before its object: "court jails Huang Xueqin".
_EN_OBJECT_VERBS: list[tuple[str, str]] = [
    (Kind.RELEASED, r"(?:releases|released|release|frees|freed)"),
    (Kind.SENTENCED, r"(?:sentences|sentenced|sentence|jails|jailed|jail|imprisons|imprisoned)"),
    (
        Kind.ARRESTED,
        r"(?:(?:formally )?arrest(?:s|ed)?|approve[sd]? (?:the )?(?:formal )?arrest of)",
    ),
    (Kind.INDICTED, r"(?:indicts|indicted|indict|charges|charged|prosecutes|prosecuted)"),
    (
        Kind.ON_TRIAL,
        r"(?:opens|opened|begins|began|starts|started|holds|held) (?:the )?"
        r"(?:closed[ -]door |secret )?trial of",
    ),
    (Kind.TRANSFERRED, r"(?:transfers|transferred|transfer)"),
]

# Words that, in the few words before an object or between verb and object, say it is about
# someone else: "freed the lawyer of X", "jailed supporters who backed X".
_EN_OBJECT_GAP_BLOCK = re.compile(
    r"\b(?:of|for|to|with|by|from|about|his|her|their|its|whose|who|that|which|after|"
    r"over|against)\b|'s?\b"
)
# The words before a subject that make it someone else's or not a fact: "the lawyer of X",
# "denied that X", "calls for X to be".
_EN_BEFORE_SUBJECT_BLOCK = re.compile(
    r"\b(?:of|for|representing|defending|against|to|with|whether|if|unless|until|once|"
    r"deny|denies|denied|rumou?rs?|false|demand\w*|urg\w*|hope\w*|want\w*|expect\w*|"
    r"ask\w*|call\w*)(?: \S+){0,3} $"
)
# Negation, future or wish just before a verb: "refused to free", "has not released".
_EN_NOT_A_FACT = re.compile(
    r"\b(?:not|never|no|n't|refus\w*|den(?:y|ies|ied)|without|yet|fail\w*|will|would|could|"
    r"may|might|should|must|shall|urg\w*|call\w*|demand\w*|ask\w*|want\w*|hope\w*|"
    r"expect\w*|plan\w*|set to|due to|about to)(?: \S+){0,2} $|n't(?: \S+){0,2} $"
)
# A plural subject's verb ("police arrest artist Gao Zhen") is also an imperative or an
# infinitive ("Release Xu Zhiyong!", "urged China to release"): it needs a subject before it.
_EN_BASE_FORM = re.compile(r"^(?:formally )?(?:release|sentence|jail|arrest|indict|transfer)\b")
_EN_NOT_A_FACT_BASE = re.compile(r"(?:\b(?:to|let|please|and)|[:!\"\u201c#])\s*$")
# An object right after a subject's verb makes it active: "Xu Zhiyong released a statement".
_EN_ACTIVE_OBJECT = re.compile(
    r"^ (?:a|an|the|his|her|their|its|my|our|some|this(?! (?:week|month|morning|year)))\b"
)


def _en_subject_regex() -> re.Pattern[str]:
    verbs = "|".join(f"(?P<v{i}>{verb})" for i, (_k, verb, _p) in enumerate(_EN_SUBJECT_VERBS))
    return re.compile(
        rf"^(?:{_EN_APPOSITIVE})?(?:{_EN_COORD}(?:{_EN_APPOSITIVE})?){{0,3}}"
        rf"(?P<mid>(?:,? (?:{_EN_AUX}|{_EN_ADV}))*),? (?:{verbs})\b"
    )


_EN_SUBJECT = _en_subject_regex()
_EN_PASSIVE = re.compile(r"\b(?:was|were|is|are|been|got|gets|get)\b")
_EN_OBJECT = re.compile(
    "(?:"
    + "|".join(f"(?P<v{i}>{verb})" for i, (_k, verb) in enumerate(_EN_OBJECT_VERBS))
    + r")(?P<gap>(?: [\w'.#,-]+){0,4}?) $"
)


def _en_subject_kind(rest: str) -> tuple[str, int] | None:
    """The kind the words after the subject say, and where they end."""
    found = _EN_SUBJECT.match(rest)
    if found is None:
        return None
    for i, (kind, _verb, passive_only) in enumerate(_EN_SUBJECT_VERBS):
        if found.group(f"v{i}") is None:
            continue
        passive = bool(_EN_PASSIVE.search(found.group("mid")))
        if passive_only and not passive:
            return None
        if not passive and _EN_ACTIVE_OBJECT.match(rest[found.end() :]):
            return None
        return kind, found.end()
    return None


def _en_object_kind(before: str) -> str | None:
    """The kind a verb just before the name says of it as its object."""
    found = _EN_OBJECT.search(before)
    if found is None or _EN_OBJECT_GAP_BLOCK.search(found.group("gap")):
        return None
    ahead = before[: found.start()]
    if _EN_NOT_A_FACT.search(ahead):
        return None
    if _EN_BASE_FORM.search(found.group(0)) and (
        not ahead.strip() or _EN_NOT_A_FACT_BASE.search(ahead)
    ):
        return None  # an imperative or an infinitive: "Release Xu Zhiyong", "to release"
    for i, (kind, _verb) in enumerate(_EN_OBJECT_VERBS):
        if found.group(f"v{i}") is not None:
            return kind
    return None


# --- Chinese ------------------------------------------------------------------------------------

_ZH_VERBS: list[tuple[str, str]] = [
    (Kind.RELEASED_ON_BAIL, r"取保候审|取保|保释"),
    (Kind.RELEASED, r"刑满释放|获释|释放|出狱|重获自由|恢复自由"),
    (Kind.SENTENCED, r"判处|判刑|被判(?!无罪)|获刑|宣判"),
    (Kind.ARRESTED, r"批准逮捕|批捕|正式逮捕|逮捕|被捕"),
    (Kind.INDICTED, r"提起公诉|起诉|公诉"),
    (Kind.ON_TRIAL, r"开庭|受审|庭审"),
    (Kind.TRANSFERRED, r"转移|转押|移监|转监|转往|转至"),
]
_ZH_VERB = "|".join(f"(?P<v{i}>{verb})" for i, (_k, verb) in enumerate(_ZH_VERBS))
# Between a subject and its verb: no sentence break (folded: full-width ! ? ; are ASCII), and
# none of _ZH_GAP_BLOCK.
_ZH_SUBJECT = re.compile(rf"^(?P<gap>[^。!?;]{{0,40}}?)(?:{_ZH_VERB})")
# 的 makes the name someone's ("许志永的律师"); a pronoun or a verb of saying brings in another
# subject ("许志永说他的律师"); 曾 and 此前 tell the background ("曾于2014年被判刑"); the rest
# are negation, future, wishes, demands and rumours.
_ZH_GAP_BLOCK = re.compile(
    r"的|之|他|她|其|们|说|称|表示|透露|指出|认为|呼吁|要求|敦促|希望|应|将|或|可能|未|没|不|"
    r"拒|否认|无法|尚|等待|若|如果|一旦|即将|是否|传言|传闻|谣言|曾|此前|先前"
)
# A verb before its object: "判处许志永", "释放了李翘楚", "判处被告人丁家喜".
_ZH_OBJECT = re.compile(
    rf"(?:{_ZH_VERB})(?P<gap>了?(?:被告人|活动人士|维权人士|人权律师|律师|公民记者|记者|学者|"
    r"艺术家|女权活动人士)?)$"
)
_ZH_BEFORE_VERB_BLOCK = re.compile(
    r"(?:未|没有|没|不|拒绝|拒不|无法|尚未|要求|呼吁|敦促|应当|应该|应|立即|无条件|希望|将|"
    r"或将|可能|否认|不予|尽快|早日)[^,。]{0,4}$"
)
# "不公开开庭" is a trial behind closed doors, not a trial that did not happen.
_ZH_NOT_NEGATION = re.compile(r"不公开|不服")


def _zh_kind(found: re.Match[str]) -> str:
    for i, (kind, _verb) in enumerate(_ZH_VERBS):
        if found.group(f"v{i}") is not None:
            return kind
    raise AssertionError("a verb group matched")


def _zh_subject_kind(rest: str) -> str | None:
    found = _ZH_SUBJECT.match(_ZH_NOT_NEGATION.sub("公开", rest))
    if found is None or _ZH_GAP_BLOCK.search(found.group("gap")):
        return None
    return _zh_kind(found)


def _zh_object_kind(before: str) -> str | None:
    found = _ZH_OBJECT.search(before)
    if found is None:
        return None
    if _ZH_BEFORE_VERB_BLOCK.search(_ZH_NOT_NEGATION.sub("公开", before[: found.start()])):
        return None
    return _zh_kind(found)


# --- The person in a sentence --------------------------------------------------------------------

_POSSESSIVE = re.compile(r"^(?:'s\b|'(?=\s|$)|的|之|们)")
_PRONOUN = re.compile(r"^[\"'\u201c(]?(?P<pronoun>(?:he|she)(?!\w)|[他她](?!们))")


def _name_spans(folded: str, keys: Sequence[str]) -> list[tuple[int, int]]:
    spans = []
    for key in keys:
        start = folded.find(key)
        while start != -1:
            end = start + len(key)
            if is_whole_word(folded, start, end):
                spans.append((start, end))
            start = folded.find(key, start + 1)
    return sorted(spans)


_AHEAD, _BEHIND = 400, 160


def _kind_for(folded: str, start: int, end: int) -> str | None:
    """The status change the sentence `folded` says of the subject or object at start:end."""
    # Every rule looks a few words back or at most an appositive ahead: windows keep a long
    # sentence naming the person often from costing its length for each time it does.
    rest = folded[end : end + _AHEAD]
    if _POSSESSIVE.match(rest):
        return None
    before = folded[max(0, start - _BEHIND) : start]
    zh = _zh_subject_kind(rest)
    if zh is not None:
        return zh
    zh = _zh_object_kind(before)
    if zh is not None:
        return zh
    if not _EN_BEFORE_SUBJECT_BLOCK.search(before):
        subject = _en_subject_kind(rest)
        if subject is not None:
            return subject[0]
    return _en_object_kind(before)


# --- Dates --------------------------------------------------------------------------------------

_EN_DATE = re.compile(
    rf"\b(?:(?P<d1>\d{{1,2}}) (?P<m1>{_MONTH})(?:,? (?P<y1>\d{{4}}))?"
    rf"|(?P<m2>{_MONTH}) (?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,? (?P<y2>\d{{4}}))?)"
)
_ZH_DATE = re.compile(r"(?:(?P<y>\d{4})年)?(?P<m>\d{1,2})月(?P<d>\d{1,2})日")
_RELATIVE_DAYS = re.compile(
    rf"\b(?P<en>today|yesterday|{_WEEKDAY})\b|(?P<zh>今天|今日|昨天|昨日|周[一二三四五六日]|"
    r"星期[一二三四五六日天])"
)
_ZH_WEEKDAYS = "一二三四五六日"


def _dated(year: int | None, month: int, day: int, published: date) -> date | None:
    try:
        on = date(year or published.year, month, day)
    except ValueError:
        return None
    if year is None and on > published:  # "on December 30" in an article of January 2
        on = on.replace(year=on.year - 1)
    return on


# How a sentence dates what it says: a date written out beats a relative day ("on Monday",
# "今日"), which beats the publication date. Several sentences may say the same change (a
# headline without a date, then a lede with it): the best-dated one is kept.
_BY_PUBLICATION, _BY_RELATIVE_DAY, _BY_WRITTEN_DATE = range(3)


def _sentence_date(folded: str, published: date) -> tuple[date, int]:
    """The one date the sentence gives ("10 April 2023", "Dec. 26, 2018", "April 10",
    "2023年4月10日", "12月26日", "on Monday", "昨日"), else the day the article was published;
    and which of those it is. A date without a year takes the publication's, or the year
    before when that would put it after publication. A sentence giving several dates, or one
    after publication, is dated by publication."""
    found: set[date] = set()
    for m in _EN_DATE.finditer(folded):
        month = _MONTHS[(m.group("m1") or m.group("m2")).rstrip(".")]
        year = m.group("y1") or m.group("y2")
        on = _dated(
            int(year) if year else None, month, int(m.group("d1") or m.group("d2")), published
        )
        if on is not None:
            found.add(on)
    for m in _ZH_DATE.finditer(folded):
        year = int(m.group("y")) if m.group("y") else None
        on = _dated(year, int(m.group("m")), int(m.group("d")), published)
        if on is not None:
            found.add(on)
    how = _BY_WRITTEN_DATE
    if not found:
        how = _BY_RELATIVE_DAY
        for m in _RELATIVE_DAYS.finditer(folded):
            word = m.group("en") or m.group("zh")
            if word in ("today", "今天", "今日"):
                found.add(published)
            elif word in ("yesterday", "昨天", "昨日"):
                found.add(published - timedelta(days=1))
            else:
                weekday = (
                    _WEEKDAYS.index(word)
                    if m.group("en")
                    else _ZH_WEEKDAYS.index(word[-1].replace("天", "日"))
                )
                found.add(published - timedelta(days=(published.weekday() - weekday) % 7))
    if len(found) == 1:
        (on,) = found
        if on <= published:
            return on, how
    return published, _BY_PUBLICATION


# --- The detector -------------------------------------------------------------------------------


def detect_status_news(
    *, title: str, summary: str, name_forms: Sequence[str], published: date
) -> list[StatusNews]:
    """The status changes a news item (its title, then its summary) says of the person whose
    name forms are given: one per kind, in order found, from the first sentence that says it
    unless a later one dates it better (a written date over a relative day over the
    publication date: a headline says "goes on trial", its lede "on December 26")."""
    keys = sorted(all_name_keys(name_forms), key=len, reverse=True)
    if not keys:
        return []
    found: dict[str, StatusNews] = {}
    dated_by: dict[str, int] = {}
    previous_opens_with_name = False
    for sentence in [*_sentences(title), *_sentences(summary)]:
        folded = fold(sentence)
        spans = _name_spans(folded, keys)
        subjects = list(spans)
        pronoun = _PRONOUN.match(folded)
        if pronoun is not None and previous_opens_with_name:
            subjects.append(pronoun.span("pronoun"))
        for start, end in subjects:
            kind = _kind_for(folded, start, end)
            if kind is None:
                continue
            on, how = _sentence_date(folded, published)
            if kind not in found or how > dated_by[kind]:
                found[kind] = StatusNews(kind, on, sentence, date_in_text=how > _BY_PUBLICATION)
                dated_by[kind] = how
        previous_opens_with_name = (
            bool(spans)
            and spans[0][0] <= 40
            and not any(_POSSESSIVE.match(folded[end:]) for _start, end in spans[:1])
        )
    return list(found.values())
