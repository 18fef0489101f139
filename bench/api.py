"""How much the REST API's framework costs on its busiest list, measured against no framework.

The script seeds a throwaway database with 10,000 detained persons (Chinese, Vietnamese,
Russian, Belarusian, Uyghur, Iranian, Turkish and Egyptian names, native scripts and aliases;
about a third of them detained), 20 campaigns with each person in one or two of them, and two
or three case events per person. It then times, through the whole Django stack (middleware,
token authentication, permissions, throttling, filtering, pagination, serialization and JSON
rendering, driven by django.test.Client with a superuser's token):

    GET /api/detained-persons/?page_size=200&status=detained&ordering=-detained_on

against a hand-written baseline: a plain Django view, served by the same client through the
same middleware, that looks the token's user up (one query, as DRF does) and builds the same
JSON page from `.values()` plus one `.values_list()` for the campaign ids. Before timing, the
script checks that both return the same JSON (only the path in `next`/`previous` differs).
Each is warmed up, then timed 30 times, alternating; it prints both medians and the ratio
(target: the API at most 2x the baseline), the queries per request, and the API's median for
a romanised search (`search=nguyen`) and a Chinese-character search (`search=王`).

Run it from the project root:

    .venv/bin/python bench/api.py                 # a temporary SQLite file
    .venv/bin/python bench/api.py --database-url postgres://postgres@127.0.0.1:5432/vigil_bench

With a PostgreSQL URL the script creates that database (it must not exist yet) through the
server's `postgres` database and drops it at the end; a SQLite file is deleted with its
temporary folder. `--profile` adds a cProfile of the API requests, `--persons` and `--runs`
change the size of the run.

Absolute times depend on the machine and on what else it is running (use a quiet one); the
ratio, taken from requests that alternate, is the figure to compare.
"""

import argparse
import cProfile
import io
import json
import pstats
import random
import statistics
import sys
import time
from collections import defaultdict
from datetime import UTC, date, timedelta
from pathlib import Path
from urllib import parse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from throwaway import add_database_argument, throwaway_database  # noqa: E402 (bench/ is on sys.path as the script folder)

LIST_URL = "/api/detained-persons/"
BASELINE_URL = "/bench/baseline/detained-persons/"
LIST_QUERY = "page_size=200&status=detained&ordering=-detained_on"
SEARCHES = ("nguyen", "王")
WARMUP = 5

# The fields the API returns, in its order; `campaigns` comes from the m2m table.
API_FIELDS = (
    "id",
    "name",
    "native_name",
    "aliases",
    "context_terms",
    "gender",
    "birth_year",
    "country",
    "occupation",
    "affiliation",
    "status",
    "detained_on",
    "place_of_detention",
    "charges",
    "sentence",
    "summary",
    "watch_enabled",
    "campaigns",
    "created_at",
    "updated_at",
)
COLUMNS = tuple(name for name in API_FIELDS if name != "campaigns")

# This module is the urlconf of every timed request (API and baseline alike), so that both
# resolve through one resolver; benchmark() fills it in once Django is set up.
urlpatterns: list = []


# --- Baseline: the same page with no framework ---------------------------------------------


def _iso_datetime(value):
    """As DRF's DateTimeField: in the current time zone (UTC), `+00:00` written `Z`."""
    text = value.astimezone(UTC).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _page_link(request, page: int | None) -> str:
    """As DRF's PageNumberPagination: the request's URL with `page` set (or removed for 1)."""
    scheme, netloc, path, query, fragment = parse.urlsplit(request.build_absolute_uri())
    params = parse.parse_qs(query, keep_blank_values=True)
    params.pop("page", None)
    if page is not None:
        params["page"] = [str(page)]
    query = parse.urlencode(sorted(params.items()), doseq=True)
    return parse.urlunsplit((scheme, netloc, path, query, fragment))


def baseline_view(request):
    from django.http import HttpResponse
    from rest_framework.authtoken.models import Token

    from campaigns.models import Campaign
    from tracker.models import DetainedPerson

    # As DRF's TokenAuthentication: one query for the token and its user.
    keyword, _, key = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    try:
        token = Token.objects.select_related("user").get(key=key)
    except Token.DoesNotExist:
        return HttpResponse(status=401)
    if keyword != "Token" or not token.user.is_active:
        return HttpResponse(status=401)
    if not token.user.has_perm("tracker.view_detainedperson"):
        return HttpResponse(status=403)

    page_size = int(request.GET.get("page_size", 50))
    page = int(request.GET.get("page", 1))
    persons = DetainedPerson.objects.all()
    if request.GET.get("status"):
        persons = persons.filter(status__in=request.GET["status"].split(","))
    persons = persons.order_by(request.GET.get("ordering", "name"), "pk")

    count = persons.count()
    start = (page - 1) * page_size
    rows = list(persons.values(*COLUMNS)[start : start + page_size])
    # Each person's campaigns, ascending by id, as the API lists them.
    campaign_ids = defaultdict(list)
    links = (
        Campaign.detained_persons.through.objects.filter(
            detainedperson_id__in=[row["id"] for row in rows]
        )
        .order_by("campaign_id")
        .values_list("detainedperson_id", "campaign_id")
    )
    for person_id, campaign_id in links:
        campaign_ids[person_id].append(campaign_id)
    for row in rows:
        created_at, updated_at = row.pop("created_at"), row.pop("updated_at")
        if row["detained_on"] is not None:
            row["detained_on"] = row["detained_on"].isoformat()
        row["campaigns"] = campaign_ids[row["id"]]
        row["created_at"] = _iso_datetime(created_at)
        row["updated_at"] = _iso_datetime(updated_at)

    body = {
        "count": count,
        "next": _page_link(request, page + 1) if start + page_size < count else None,
        "previous": (_page_link(request, page - 1 if page > 2 else None) if page > 1 else None),
        "results": rows,
    }
    return HttpResponse(
        json.dumps(body, ensure_ascii=False, allow_nan=False, separators=(",", ":")),
        content_type="application/json",
    )


# --- Seed data -------------------------------------------------------------------------------

# (pinyin, pinyin with tones, characters)
CHINESE_SURNAMES = [
    ("Wang", "Wáng", "王"),
    ("Li", "Lǐ", "李"),
    ("Zhang", "Zhāng", "张"),
    ("Liu", "Liú", "刘"),
    ("Chen", "Chén", "陈"),
    ("Yang", "Yáng", "杨"),
    ("Huang", "Huáng", "黄"),
    ("Zhao", "Zhào", "赵"),
    ("Wu", "Wú", "吴"),
    ("Zhou", "Zhōu", "周"),
    ("Xu", "Xǔ", "许"),
    ("Sun", "Sūn", "孙"),
    ("Ma", "Mǎ", "马"),
    ("Guo", "Guō", "郭"),
    ("Gao", "Gāo", "高"),
    ("Lin", "Lín", "林"),
    ("Ding", "Dīng", "丁"),
    ("Xie", "Xiè", "谢"),
    ("Tang", "Táng", "唐"),
    ("Pu", "Pǔ", "浦"),
    ("Ai", "Ài", "艾"),
]
CHINESE_SYLLABLES = [
    ("xiao", "xiǎo", "晓"),
    ("bo", "bō", "波"),
    ("zhi", "zhì", "志"),
    ("yong", "yǒng", "勇"),
    ("ming", "míng", "明"),
    ("hua", "huá", "华"),
    ("jian", "jiàn", "建"),
    ("guo", "guó", "国"),
    ("wei", "wěi", "伟"),
    ("fang", "fāng", "芳"),
    ("xia", "xiá", "霞"),
    ("qiang", "qiáng", "强"),
    ("jun", "jūn", "军"),
    ("ping", "píng", "平"),
    ("hong", "hóng", "红"),
    ("tao", "tāo", "涛"),
    ("feng", "fēng", "峰"),
    ("zhe", "zhé", "哲"),
    ("lei", "lěi", "磊"),
    ("quan", "quán", "全"),
    ("xin", "xīn", "新"),
    ("yi", "yì", "毅"),
]
VIETNAMESE_SURNAMES = ["Nguyễn"] * 8 + ["Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng"]
VIETNAMESE_MIDDLE = ["Văn", "Thị", "Hữu", "Đình", "Minh", "Ngọc", "Quang"]
VIETNAMESE_GIVEN = ["Đài", "Hà", "Thủy", "Quỳnh", "Hùng", "Tuấn", "Dũng", "Hương", "Khải", "Thức"]
# (Latin, Cyrillic, other Latin spelling)
RUSSIAN_GIVEN = [
    ("Aleksei", "Алексей", "Alexei"),
    ("Dmitry", "Дмитрий", "Dmitri"),
    ("Ilya", "Илья", "Ilia"),
    ("Yulia", "Юлия", "Julia"),
    ("Svetlana", "Светлана", "Svetlana"),
    ("Sergei", "Сергей", "Sergey"),
    ("Yevgeny", "Евгений", "Evgeny"),
    ("Maria", "Мария", "Mariya"),
]
RUSSIAN_SURNAMES = [
    ("Orlov", "Орлов"),
    ("Petrov", "Петров"),
    ("Sokolov", "Соколов"),
    ("Kuznetsov", "Кузнецов"),
    ("Volkov", "Волков"),
    ("Morozov", "Морозов"),
    ("Gorinov", "Горинов"),
    ("Yashin", "Яшин"),
]
# (Latin, Uyghur Arabic script, Chinese transcription)
UYGHUR_GIVEN = [
    ("Ilham", "ئىلھام", "伊力哈木"),
    ("Rahile", "راھىلە", "热依拉"),
    ("Abduweli", "ئابدۇۋەلى", "阿不都外力"),
    ("Gulshan", "گۈلشەن", "古丽仙"),
    ("Ekpar", "ئەكپەر", "艾克拜尔"),
]
UYGHUR_SURNAMES = [
    ("Tohti", "توختى", "土赫提"),
    ("Dawut", "داۋۇت", "达吾提"),
    ("Ayup", "ئايۇپ", "阿尤普"),
    ("Abbas", "ئابباس", "阿巴斯"),
]
PERSIAN_GIVEN = [("Narges", "نرگس"), ("Nasrin", "نسرین"), ("Reza", "رضا"), ("Sepideh", "سپیده")]
PERSIAN_SURNAMES = [("Mohammadi", "محمدی"), ("Sotoudeh", "ستوده"), ("Rashidi", "رشیدی")]
TURKISH_GIVEN = ["İbrahim", "Şebnem", "Çağlar", "Gülşen", "Osman", "Selahattin"]
# The Turkish dotless i here and in CITIES is the real letter, not a look-alike (RUF001).
TURKISH_SURNAMES = [
    "Kaboğlu",
    "Korur Fincancı",  # noqa: RUF001
    "Demirel",
    "Yıldız",  # noqa: RUF001
    "Kavala",
    "Öztürk",
]
ARABIC_GIVEN = [("Alaa", "علاء"), ("Ahmed", "أحمد"), ("Mahienour", "ماهينور"), ("Sanaa", "سناء")]
ARABIC_SURNAMES = [("Abd El-Fattah", "عبد الفتاح"), ("Douma", "دومة"), ("El-Masry", "المصري")]

PLACES = {
    "CN": ["Beijing No. 3 Detention Centre", "Xinjiang No. 1 Prison", "Wuhan Detention Centre"],
    "VN": ["Hỏa Lò Detention Centre", "An Điềm Prison", "Detention Centre No. 1, Hanoi"],
    "RU": ["Lefortovo pre-trial detention centre", "IK-6 penal colony, Omsk"],
    "BY": ["Pre-trial detention centre No. 1, Minsk", "Penal colony No. 9, Horki"],
    "IR": ["Evin Prison", "Qarchak Prison"],
    "TR": ["Silivri Prison"],
    "EG": ["Tora Prison", "Wadi al-Natrun Prison"],
}
CHARGES = {
    "CN": ["Inciting subversion of state power", "Picking quarrels and provoking trouble"],
    "VN": ["Propaganda against the State (Article 117)", "Abusing democratic freedoms"],
    "RU": ["Spreading 'knowingly false information' about the armed forces", "Treason"],
    "BY": ["Organising actions that grossly violate public order", "Tax evasion"],
    "IR": ["Propaganda against the state", "Assembly and collusion against national security"],
    "TR": ["Membership of a terrorist organisation", "Attempting to overthrow the government"],
    "EG": ["Spreading false news", "Joining a terrorist group"],
}
CITIES = {
    "CN": ["Beijing", "Shanghai", "Wuhan", "Chengdu", "Ürümqi", "Guangzhou"],
    "VN": ["Hà Nội", "Hồ Chí Minh City", "Đà Nẵng", "Nghệ An"],
    "RU": ["Moscow", "St Petersburg", "Kazan", "Omsk"],
    "BY": ["Minsk", "Hrodna", "Homiel"],
    "IR": ["Tehran", "Mashhad", "Sanandaj"],
    "TR": ["Istanbul", "Ankara", "Diyarbakır"],  # noqa: RUF001
    "EG": ["Cairo", "Alexandria"],
}
OCCUPATIONS = [
    "human rights lawyer",
    "journalist",
    "blogger",
    "labour organiser",
    "pastor",
    "scholar",
    "student",
    "environmental activist",
    "poet",
    "trade unionist",
]
AFFILIATIONS = ["", "", "Independent Journalists Association", "Rights Defenders Network"]
OTHER_STATUSES = [
    "disappeared",
    "rsdl",
    "arrested",
    "indicted",
    "on_trial",
    "sentenced",
    "sentenced",
    "released",
    "released_on_bail",
    "exit_ban",
    "deceased",
]
LATER_EVENTS = [
    "arrested",
    "indicted",
    "on_trial",
    "hearing",
    "sentenced",
    "transferred",
    "health_concern",
    "family_harassed",
]
CAMPAIGN_NAMES = [
    "Free the 709 lawyers",
    "Justice for Vietnamese bloggers",
    "Release Ilham Tohti",
    "Stop transnational repression",
    "Write for rights 2023",
    "Write for rights 2024",
    "Free Belarus's political prisoners",
    "Women, life, freedom",
    "End RSDL",
    "Free Russia's anti-war prisoners",
    "Journalists are not criminals",
    "Labour rights are human rights",
    "Freedom for Egypt's bloggers",
    "Release the Istanbul Gezi defendants",
    "Medical care for prisoners of conscience",
    "Family visits now",
    "Stop the death penalty",
    "Defend the defenders",
    "Free the poets",
    "Students behind bars",
]


def _title_ascii(text: str) -> str:
    from tracker.text import fold

    return fold(text).title()


def _name(rng: random.Random, gender: str) -> tuple[str, str, list[str], str]:
    """(romanised name, native name, aliases, country) from a realistic mix of cases."""
    culture = rng.choices(
        ["zh", "vi", "ru", "ug", "fa", "tr", "ar"], weights=[40, 15, 15, 8, 8, 7, 7]
    )[0]
    if culture == "zh":
        surname, toned_surname, hanzi_surname = rng.choice(CHINESE_SURNAMES)
        given = rng.sample(CHINESE_SYLLABLES, rng.choice([1, 2, 2]))
        pinyin = "".join(s[0] for s in given).capitalize()
        toned = "".join(s[1] for s in given).capitalize()
        aliases = [f"{toned_surname} {toned}"]
        if rng.random() < 0.3:
            aliases.append(f"{pinyin} {surname}")
        return f"{surname} {pinyin}", hanzi_surname + "".join(s[2] for s in given), aliases, "CN"
    if culture == "vi":
        name = " ".join(
            [
                rng.choice(VIETNAMESE_SURNAMES),
                "Thị" if gender == "female" else rng.choice(VIETNAMESE_MIDDLE),
                rng.choice(VIETNAMESE_GIVEN),
            ]
        )
        return name, "", [_title_ascii(name)], "VN"
    if culture == "ru":
        given, cyrillic_given, other_given = rng.choice(RUSSIAN_GIVEN)
        surname, cyrillic_surname = rng.choice(RUSSIAN_SURNAMES)
        if gender == "female" and surname.endswith(("ov", "in")):
            surname = surname + "a"
            cyrillic_surname = cyrillic_surname + "\N{CYRILLIC SMALL LETTER A}"
        aliases = [f"{other_given} {surname}"] if other_given != given else []
        country = rng.choices(["RU", "BY"], weights=[4, 1])[0]
        return f"{given} {surname}", f"{cyrillic_given} {cyrillic_surname}", aliases, country
    if culture == "ug":
        given, uyghur_given, chinese_given = rng.choice(UYGHUR_GIVEN)
        surname, uyghur_surname, chinese_surname = rng.choice(UYGHUR_SURNAMES)
        native = f"{uyghur_given} {uyghur_surname}"
        return f"{given} {surname}", native, [f"{chinese_given}·{chinese_surname}"], "CN"
    if culture == "fa":
        given, persian_given = rng.choice(PERSIAN_GIVEN)
        surname, persian_surname = rng.choice(PERSIAN_SURNAMES)
        return f"{given} {surname}", f"{persian_given} {persian_surname}", [], "IR"
    if culture == "tr":
        name = f"{rng.choice(TURKISH_GIVEN)} {rng.choice(TURKISH_SURNAMES)}"
        return name, "", [_title_ascii(name)], "TR"
    given, arabic_given = rng.choice(ARABIC_GIVEN)
    surname, arabic_surname = rng.choice(ARABIC_SURNAMES)
    aliases = [f"{given} {surname.replace('Abd El-', 'Abdel ')}"] if "Abd" in surname else []
    return f"{given} {surname}", f"{arabic_given} {arabic_surname}", aliases, "EG"


def _random_date(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange((end - start).days + 1))


def seed(n_persons: int) -> dict[str, int]:
    from django.db import transaction

    from campaigns.models import Campaign
    from tracker.models import CaseEvent, DetainedPerson

    rng = random.Random(709)
    persons = []
    for _ in range(n_persons):
        gender = rng.choices(["male", "female", "other", ""], weights=[60, 35, 2, 3])[0]
        name, native_name, aliases, country = _name(rng, gender)
        status = "detained" if rng.random() < 1 / 3 else rng.choice(OTHER_STATUSES)
        detained_on = (
            _random_date(rng, date(2000, 1, 1), date(2025, 6, 30)) if rng.random() < 0.95 else None
        )
        city = rng.choice(CITIES[country])
        occupation = rng.choice(OCCUPATIONS)
        context_terms = rng.sample([city, occupation], rng.choice([0, 0, 1, 2]))
        year = detained_on.year if detained_on else "an unknown year"
        person = DetainedPerson(
            name=name,
            native_name=native_name,
            aliases=aliases,
            context_terms=context_terms,
            gender=gender,
            birth_year=rng.randint(1940, 2004) if rng.random() < 0.8 else None,
            country=country,
            occupation=occupation,
            affiliation=rng.choice(AFFILIATIONS),
            status=status,
            detained_on=detained_on,
            place_of_detention=rng.choice(PLACES[country]) if rng.random() < 0.7 else "",
            charges=rng.choice(CHARGES[country]),
            sentence=f"{rng.randint(1, 15)} years" if status == "sentenced" else "",
            summary=(
                f"A {occupation} from {city}, taken into custody in {year} after "
                f"{rng.choice(['posting', 'publishing', 'signing', 'speaking about'])} "
                f"{rng.choice(['an open letter', 'reports on detentions', 'a petition'])}. "
                "Family members report being followed and questioned; lawyers have been "
                "refused access on several occasions."
            ),
            watch_enabled=rng.random() < 0.9,
        )
        person.clean()  # derives search_names, as every write path does; bulk_create does not
        persons.append(person)

    with transaction.atomic():
        DetainedPerson.objects.bulk_create(persons, batch_size=1000)
        assert persons[0].pk is not None, "bulk_create did not return primary keys"
        # Numbered after those of an earlier call (bench/pages.py seeds again to grow).
        first = Campaign.objects.filter(slug__startswith="campaign-").count()
        campaigns = Campaign.objects.bulk_create(
            Campaign(
                name=campaign_name,
                slug=f"campaign-{first + i + 1}",
                summary=f"{campaign_name}: letters, petitions and vigils.",
                status=rng.choice(["planned", "active", "active", "paused", "won", "closed"]),
                started_on=date(2015, 1, 1) + timedelta(days=97 * i),
            )
            for i, campaign_name in enumerate(CAMPAIGN_NAMES)
        )
        Link = Campaign.detained_persons.through
        links = [
            Link(campaign_id=campaign.pk, detainedperson_id=person.pk)
            for person in persons
            for campaign in rng.sample(campaigns, rng.choice([1, 1, 2]))
        ]
        Link.objects.bulk_create(links, batch_size=2000)
        events = []
        for person in persons:
            day = person.detained_on or _random_date(rng, date(2000, 1, 1), date(2024, 1, 1))
            events.append(CaseEvent(person=person, date=day, kind="detained"))
            for kind in rng.sample(LATER_EVENTS, rng.choice([1, 2])):
                day += timedelta(days=rng.randint(5, 400))
                events.append(
                    CaseEvent(
                        person=person,
                        date=day,
                        kind=kind,
                        description=f"{kind.replace('_', ' ').capitalize()}, reported by family.",
                        source_url=(
                            f"https://news.example.org/{person.pk}/{kind}"
                            if rng.random() < 0.5
                            else ""
                        ),
                    )
                )
        CaseEvent.objects.bulk_create(events, batch_size=2000)
    return {
        "persons": len(persons),
        "detained": sum(p.status == "detained" for p in persons),
        "campaigns": len(campaigns),
        "links": len(links),
        "events": len(events),
    }


# --- Measuring -------------------------------------------------------------------------------


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def _get(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code, response.content[:500])
    return response


def _queries(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        _get(client, url)
    return len(captured)


def _time(client, urls: list[str], runs: int) -> dict[str, list[float]]:
    """Warm each URL up, then time them `runs` times each, taking turns."""
    for url in urls:
        for _ in range(WARMUP):
            _get(client, url)
    timings: dict[str, list[float]] = {url: [] for url in urls}
    for _ in range(runs):
        for url in urls:
            start = time.perf_counter()
            _get(client, url)
            timings[url].append(time.perf_counter() - start)
    return timings


def check_same_json(client) -> int:
    """The baseline must answer exactly what the API answers (its own path in the links)."""
    size = 0
    for query in (LIST_QUERY, LIST_QUERY + "&page=2"):
        api = _get(client, f"{LIST_URL}?{query}")
        size = size or len(api.content)
        expected = json.loads(api.content.decode().replace(LIST_URL, BASELINE_URL))
        actual = json.loads(_get(client, f"{BASELINE_URL}?{query}").content)
        assert actual == expected, f"baseline JSON differs from the API's for ?{query}"
        assert len(actual["results"]) == 200, "the list page should be full"
    return size


def profile(client, url: str, runs: int) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(runs):
        _get(client, url)
    profiler.disable()
    for sort in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(sort).print_stats(30)
        print(f"\n--- cProfile of {runs} API list requests, by {sort} ---")
        print(out.getvalue())


def benchmark(args) -> None:
    import django
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client, override_settings
    from django.urls import include, path

    django.setup()
    from rest_framework.authtoken.models import Token

    # Throttling stays on (its cost is part of the stack) but never answers 429 here.
    settings.API_THROTTLE_RATES = {"anon": "1000000/minute", "user": "1000000/minute"}
    urlpatterns.extend(
        [path("", include("config.urls")), path(BASELINE_URL.lstrip("/"), baseline_view)]
    )
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    counts = seed(args.persons)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"database: {connection.vendor} {connection.settings_dict['NAME']}\n"
        f"seeded: {counts['persons']} persons ({counts['detained']} detained), "
        f"{counts['campaigns']} campaigns, {counts['links']} campaign links, "
        f"{counts['events']} case events in {time.perf_counter() - started:.1f} s"
    )

    user = get_user_model().objects.create_superuser("bench", "bench@example.org", None)
    token = Token.objects.create(user=user)
    client = Client(HTTP_AUTHORIZATION=f"Token {token.key}", HTTP_ACCEPT="application/json")
    api_url = f"{LIST_URL}?{LIST_QUERY}"
    baseline_url = f"{BASELINE_URL}?{LIST_QUERY}"
    search_urls = {
        term: f"{LIST_URL}?search={parse.quote(term)}&page_size=200" for term in SEARCHES
    }

    with override_settings(ROOT_URLCONF=__name__):
        size = check_same_json(client)
        print(f"baseline JSON equals the API's (pages 1 and 2; {size} bytes a page)")
        queries = {url: _queries(client, url) for url in [api_url, baseline_url]}
        matches = {term: _get(client, url).json()["count"] for term, url in search_urls.items()}
        search_queries = {term: _queries(client, url) for term, url in search_urls.items()}

        timings = _time(client, [api_url, baseline_url], args.runs)
        search_timings = _time(client, list(search_urls.values()), args.runs)

        api, baseline = (statistics.median(timings[url]) for url in (api_url, baseline_url))
        print(f"timed: GET {api_url}, {args.runs} times after {WARMUP} warm-ups, taking turns")
        print(f"api list median: {_ms(api)} ({queries[api_url]} queries)")
        print(f"baseline median: {_ms(baseline)} ({queries[baseline_url]} queries)")
        print(f"ratio: {api / baseline:.2f}x (target <= 2x)")
        for term, url in search_urls.items():
            print(
                f"search '{term}' median: {_ms(statistics.median(search_timings[url]))} "
                f"({matches[term]} matches, {search_queries[term]} queries)"
            )
        if args.profile:
            profile(client, api_url, args.runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_database_argument(parser)
    parser.add_argument("--persons", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=30, help="timed requests per URL")
    parser.add_argument("--profile", action="store_true", help="cProfile the API list requests")
    args = parser.parse_args()
    with throwaway_database(
        args.database_url, DJANGO_ALLOWED_HOSTS="testserver,localhost,127.0.0.1"
    ):
        benchmark(args)


if __name__ == "__main__":
    main()
