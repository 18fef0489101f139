"""The demo data set: the September 2015 story told at the top of README.md, and two cases
still open today (Phạm Đoan Trang and Xu Zhiyong, both serving their sentences), so that a list
of open cases has something to show.

Only what is publicly documented is filled in; anything we do not know is left blank rather
than invented (for example the exact day the "Free the 20" campaign launched). Of the two
letters to President Obama, the senators' is answered (his words at the press conference with
Xi Jinping); the NGOs' has no documented answer, and waits. Every status comes from a dated
case event.
`seed_demo()` is idempotent: it looks every record up by its natural key and writes only what
differs, so a second run changes nothing.
"""

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from campaigns.models import Campaign, Letter, LetterResponse, Organization, Person, Signature
from campaigns.services import (
    campaign_save,
    letter_response_record,
    letter_save,
    organization_save,
    person_save,
    signature_save,
)
from tracker.cases.limits import legal_limits_ensure
from tracker.cases.services import case_event_record, case_event_save, detained_person_save
from tracker.models import CaseEvent, DetainedPerson, Mention, NewsItem, NewsSource
from tracker.newswatch.services import mention_review, news_source_save
from tracker.newswatch.store import insert_mentions

ORGANIZATIONS = [
    {
        "name": "Human Rights Watch",
        "kind": "ngo",
        "country": "US",
        "website": "https://www.hrw.org/",
    },
    {
        "name": "United States Mission to the United Nations",
        "kind": "government",
        "country": "US",
    },
    {"name": "The White House", "kind": "government", "country": "US"},
    {"name": "United States Senate", "kind": "legislature", "country": "US"},
    {
        "name": "Government of the People's Republic of China",
        "kind": "government",
        "country": "CN",
    },
    {"name": "Beijing Fengrui Law Firm", "kind": "other", "country": "CN"},
]

PEOPLE = [
    {
        "full_name": "Barack Obama",
        "title": "President of the United States",
        "organization": "The White House",
        "country": "US",
    },
    {
        "full_name": "Xi Jinping",
        "title": "President of the People's Republic of China",
        "organization": "Government of the People's Republic of China",
        "country": "CN",
    },
    {
        "full_name": "Samantha Power",
        "title": "United States Ambassador to the United Nations",
        "organization": "United States Mission to the United Nations",
        "country": "US",
    },
    {
        "full_name": "Sophie Richardson",
        "title": "China Director, Human Rights Watch",
        "organization": "Human Rights Watch",
        "country": "US",
    },
]

DETAINED_PERSONS: list[dict[str, Any]] = [
    {
        "name": "Liu Xia",
        "native_name": "刘霞",
        "aliases": ["Liu Hsia"],
        "context_terms": ["Liu Xiaobo", "poet", "house arrest", "刘晓波"],
        "gender": "female",
        "birth_year": 1961,
        "country": "CN",
        "occupation": "Poet, painter and photographer",
        "affiliation": "Wife of Nobel Peace Prize laureate Liu Xiaobo",
        "place_of_detention": "House arrest at her home in Beijing",
        "charges": "None: held without charge.",
        "summary": "Placed under extralegal house arrest in October 2010, after her husband "
        "Liu Xiaobo was awarded the Nobel Peace Prize; never charged with any crime. "
        "Named in the Free the 20 campaign in 2015. Allowed to leave China for Germany in "
        "July 2018.",
        "events": [
            (
                date(2010, 10, 8),
                "detained",
                "Placed under house arrest in Beijing after the "
                "Nobel Peace Prize was awarded to her husband, Liu Xiaobo.",
            ),
            (date(2018, 7, 10), "released", "Allowed to leave China; flew to Berlin."),
        ],
    },
    {
        "name": "Gao Yu",
        "native_name": "高瑜",
        "context_terms": ["journalist", "state secrets", "Document No. 9", "记者"],
        "gender": "female",
        "birth_year": 1944,
        "country": "CN",
        "occupation": "Journalist",
        "charges": '"Illegally providing state secrets abroad".',
        "sentence": "Seven years (April 2015); reduced on appeal to five years, served outside "
        "prison on medical parole (November 2015).",
        "summary": "Veteran journalist detained in April 2014, accused of leaking a Communist "
        'Party directive ("Document No. 9") to a foreign website. Named in the Free the 20 '
        "campaign in 2015.",
        "events": [
            (date(2014, 4, 24), "detained", "Detained in Beijing."),
            (
                date(2015, 4, 17),
                "sentenced",
                'Sentenced to seven years for "illegally providing state secrets abroad".',
            ),
            (
                date(2015, 11, 26),
                "released",
                "Sentence reduced on appeal to five years; "
                "allowed to serve it outside prison on medical parole.",
            ),
        ],
    },
    {
        "name": "Wang Yu",
        "native_name": "王宇",
        "context_terms": ["lawyer", "Fengrui", "709", "律师"],
        "gender": "female",
        "birth_year": 1971,
        "country": "CN",
        "occupation": "Human rights lawyer",
        "affiliation": "Beijing Fengrui Law Firm",
        "charges": '"Subversion of state power".',
        "summary": "Human rights lawyer taken from her home on 9 July 2015, the first day of "
        "the nationwide crackdown on rights lawyers; held under residential surveillance at "
        "a designated location, then formally arrested. Named in the Free the 20 campaign "
        "in 2015. Released on bail in 2016.",
        "events": [
            (
                date(2015, 7, 9),
                "detained",
                "Taken from her home in Beijing in the early hours; "
                "the first detention of the 709 crackdown.",
            ),
            (
                date(2016, 1, 8),
                "arrested",
                'Formally arrested on suspicion of "subversion of state power".',
            ),
            (date(2016, 8, 1), "released_on_bail", "Released on bail."),
        ],
    },
    {
        "name": "Zhou Shifeng",
        "native_name": "周世锋",
        "context_terms": ["lawyer", "Fengrui", "709", "律师"],
        "gender": "male",
        "country": "CN",
        "occupation": "Lawyer, director of the Beijing Fengrui Law Firm",
        "affiliation": "Beijing Fengrui Law Firm",
        "birth_year": 1964,
        "charges": '"Subversion of state power".',
        "sentence": "Seven years, then five years' deprivation of political rights.",
        "summary": "Director of the Beijing Fengrui Law Firm, the main target of the 709 "
        "crackdown, and the first of its lawyers to be tried. Released in September 2022 at "
        "the end of his sentence.",
        "events": [
            (date(2015, 7, 10), "detained", "Detained in the 709 crackdown."),
            (date(2016, 1, 8), "arrested", 'Formally arrested for "subversion of state power".'),
            (
                date(2016, 8, 4),
                "sentenced",
                'Sentenced to seven years for "subversion of state power".',
            ),
            (
                date(2022, 9, 24),
                "released",
                "Released from Tianjin Prison at the end of his sentence.",
            ),
        ],
    },
    {
        "name": "Wang Quanzhang",
        "native_name": "王全璋",
        "context_terms": ["lawyer", "709", "律师"],
        "gender": "male",
        "country": "CN",
        "occupation": "Human rights lawyer",
        "charges": '"Subversion of state power".',
        "sentence": "Four and a half years.",
        "events": [
            (
                date(2015, 8, 3),
                "detained",
                "Detained in the 709 crackdown; held incommunicado for more than three years.",
            ),
            (
                date(2019, 1, 28),
                "sentenced",
                'Sentenced to four and a half years for "subversion of state power".',
            ),
            (date(2020, 4, 5), "released", "Released at the end of his sentence."),
        ],
    },
]

# Cases still open today, outside the 2015 story.
DETAINED_PERSONS += [
    {
        "name": "Pham Doan Trang",
        "native_name": "Phạm Đoan Trang",
        "aliases": ["Phạm Thị Đoan Trang", "Doan Trang"],
        "context_terms": ["journalist", "Luat Khoa", "nhà báo", "Vietnam"],
        "gender": "female",
        "birth_year": 1978,
        "country": "VN",
        "occupation": "Journalist and writer",
        "affiliation": "Co-founder of the legal magazine Luật Khoa (luatkhoa.org)",
        "charges": '"Conducting propaganda against the State" (article 88 of the 1999 Penal Code).',
        "sentence": "Nine years (December 2021), upheld on appeal (August 2022).",
        "summary": "Journalist and writer, winner of the Reporters Without Borders Press "
        "Freedom Prize in 2019. Arrested in Ho Chi Minh City in October 2020, hours after the "
        "annual US-Vietnam human rights dialogue, and taken to Hanoi; tried for her reports "
        "on the 2016 marine pollution disaster, human rights and religious freedom, and for "
        "interviews with foreign media.",
        "events": [
            (
                date(2020, 10, 6),
                "arrested",
                "Arrested in Ho Chi Minh City at the end of the US-Vietnam human rights "
                "dialogue, and taken to Hanoi.",
            ),
            (
                date(2021, 12, 14),
                "sentenced",
                "Sentenced by the Hanoi People's Court to nine years for conducting propaganda "
                "against the State.",
            ),
        ],
    },
    {
        "name": "Xu Zhiyong",
        "native_name": "许志永",
        "context_terms": ["New Citizens Movement", "legal scholar", "新公民运动", "公盟"],
        "gender": "male",
        "birth_year": 1973,
        "country": "CN",
        "occupation": "Legal scholar",
        "affiliation": "Co-founder of the Open Constitution Initiative and the New Citizens' "
        "Movement",
        "charges": '"Subversion of state power".',
        "sentence": "Fourteen years (April 2023).",
        "summary": "Legal scholar, co-founder of the New Citizens' Movement, imprisoned before "
        "from 2013 to 2017. Went into hiding after the arrests that followed a gathering of "
        "lawyers and activists in Xiamen in December 2019; taken in Guangzhou in February "
        "2020, held under residential surveillance at a designated location, and tried "
        "behind closed doors in Linyi, Shandong.",
        "events": [
            (
                date(2020, 2, 15),
                "detained",
                "Taken into criminal detention in Guangzhou, on suspicion of inciting "
                "subversion of state power.",
            ),
            (
                date(2020, 2, 16),
                "rsdl",
                "Placed under residential surveillance at a designated location.",
            ),
            (date(2020, 6, 19), "arrested", "Formally arrested in Linyi, Shandong."),
            (
                date(2023, 4, 10),
                "sentenced",
                "Sentenced by the Linyi Intermediate People's Court to fourteen years for "
                '"subversion of state power".',
            ),
        ],
    },
]

CAMPAIGNS: list[dict[str, Any]] = [
    {
        "slug": "free-the-20",
        "name": "Free the 20",
        "summary": "Twenty women political prisoners worldwide, three of them in China.",
        "description": "Launched in September 2015 by the US ambassador to the United Nations, "
        "Samantha Power, ahead of the UN meeting on gender equality chaired by Xi Jinping on "
        "the 20th anniversary of the Beijing World Conference on Women.",
        "status": "closed",
        "lead_organization": "United States Mission to the United Nations",
        "lead_person": "Samantha Power",
        "detained_persons": ["Liu Xia", "Gao Yu", "Wang Yu"],
    },
    {
        "slug": "709-crackdown-lawyers",
        "name": "Chinese rights lawyers: the 709 crackdown",
        "summary": "Over 250 Chinese human-rights lawyers and activists detained from 9 July 2015.",
        "status": "active",
        "started_on": date(2015, 7, 9),
        "detained_persons": ["Wang Yu", "Zhou Shifeng", "Wang Quanzhang"],
    },
]

LETTERS: list[dict[str, Any]] = [
    {
        "title": "NGOs' open letter to President Obama ahead of Xi Jinping's state visit",
        "campaign": "709-crackdown-lawyers",
        "kind": "open_letter",
        "status": "sent",
        "sent_on": date(2015, 9, 9),
        "delivery": "published",
        "url": "https://www.hrw.org/news/2015/09/09/us-obama-should-meet-activists-china",
        "recipients": ["Barack Obama"],
        "demands": "Meet Chinese dissidents at the White House during Xi Jinping's state visit.",
        "body": "Human rights organisations urged President Obama to meet Chinese dissidents "
        "at the White House in September 2015.",
        # The nine organisations the letter names (Human Rights Watch's release of the day).
        "signed_by": [
            "Amnesty International",
            "China Aid",
            "Freedom House",
            "Human Rights in China",
            "Human Rights Watch",
            "Initiatives for China",
            "International Campaign for Tibet",
            "Reporters Without Borders",
            "Uyghur Human Rights Project",
        ],
    },
    {
        "title": "Bipartisan senators' letter to President Obama on human rights in China",
        "campaign": "709-crackdown-lawyers",
        "kind": "private_letter",
        # Answered: see RESPONSES.
        "status": "responded",
        "sent_on": date(2015, 8, 11),
        "delivery": "postal_mail",
        "author_organization": "United States Senate",
        "recipients": ["Barack Obama"],
        "demands": "Call publicly and privately for the release of the detained lawyers and "
        "activists, or at the very least for their due process.",
        "body": "Ten senators, led by Ben Cardin and John McCain, wrote to President Obama "
        "ahead of Xi Jinping's state visit in September 2015, urging him to make human rights "
        "a key and public part of his talks.",
    },
]

# Organisations that signed the letters above, beyond ORGANIZATIONS.
SIGNATORIES = [
    {"name": "Amnesty International", "kind": "ngo", "country": "GB"},
    {"name": "China Aid", "kind": "ngo", "country": "US"},
    {"name": "Freedom House", "kind": "ngo", "country": "US"},
    {"name": "Human Rights in China", "kind": "ngo", "country": "US"},
    {"name": "Initiatives for China", "kind": "ngo", "country": "US"},
    {"name": "International Campaign for Tibet", "kind": "ngo", "country": "US"},
    {"name": "Reporters Without Borders", "kind": "ngo", "country": "FR"},
    {"name": "Uyghur Human Rights Project", "kind": "ngo", "country": "US"},
]

# The NGOs' letter has no documented answer: it waits (the dashboard's "waiting" list).
RESPONSES: list[dict[str, Any]] = [
    {
        "letter": "Bipartisan senators' letter to President Obama on human rights in China",
        "person": "Barack Obama",
        "received_on": date(2015, 9, 25),
        "summary": "No written reply is documented. At the joint press conference with Xi "
        "Jinping, President Obama said he had told Xi in candid terms that preventing "
        "journalists, lawyers, NGOs and civil society groups from operating freely is "
        "problematic: the public call the senators asked for.",
        "url": "https://www.dw.com/en/obama-and-xi-jinping-speak-at-white-house/a-18742688",
    },
]


# News the watch "found" about Wang Quanzhang's trial (26 December 2018, Tianjin No. 2
# Intermediate People's Court, behind closed doors), which his timeline does not record yet.
# The articles are written for the demo from what was reported; their addresses are
# placeholders (example.org). The English one is confirmed, so the case page and the list of
# proposals show the on-trial event it proposes; the Chinese one waits in the review queue and
# proposes the same event when confirmed.
NEWS: list[dict[str, Any]] = [
    {
        "url": "https://news.example.org/2018/12/26/wang-quanzhang-trial",
        "title": "Rights lawyer Wang Quanzhang goes on trial in Tianjin behind closed doors",
        "summary": "Wang Quanzhang, a human rights lawyer detained in the 709 crackdown in "
        "August 2015, went on trial on Wednesday at the Tianjin No. 2 Intermediate People's "
        "Court, which heard the case behind closed doors. Diplomats were kept away from the "
        "courthouse.",
        "published_at": datetime(2018, 12, 26, 9, 30, tzinfo=UTC),
        "language": "en",
        "publisher": "Demo News",
        "person": "Wang Quanzhang",
        "matched_terms": ["Wang Quanzhang"],
        "status": Mention.Status.CONFIRMED,
    },
    {
        "url": "https://news.example.org/2018/12/27/wang-quanzhang-kaiting",
        "title": "王全璋案在天津市第二中级人民法院不公开开庭审理",
        # (The full-width comma is Chinese punctuation, on purpose.)
        "summary": "709大抓捕中被带走的人权律师王全璋一案，12月26日在天津市第二中级人民法院"  # noqa: RUF001
        "不公开开庭审理。",
        "published_at": datetime(2018, 12, 27, 2, 0, tzinfo=UTC),
        "language": "zh",
        "publisher": "Demo News",
        "person": "Wang Quanzhang",
        "matched_terms": ["王全璋"],
        "status": Mention.Status.NEW,
    },
]


def _sync(instance: models.Model, save: Callable[..., Any], as_: str, **values: Any) -> Any:
    """Create through the service `save`, or update only the fields that differ; when none
    differ, write nothing (so no history row either)."""
    changed = {k: v for k, v in values.items() if getattr(instance, k, None) != v}
    if instance.pk is None or changed:
        return save(**{as_: instance}, **changed)
    return instance


def _record_events(person: DetainedPerson, events) -> None:
    """The case's events, each once; the detention event that creating the person recorded
    gets its description."""
    for on, kind, description in events:
        event = CaseEvent.objects.filter(person=person, date=on, kind=kind).first()
        if event is None:
            case_event_record(person=person, date=on, kind=kind, description=description)
        elif not event.description and description:
            case_event_save(event=event, description=description)


@transaction.atomic
def seed_demo() -> dict[str, int]:
    orgs = {}
    for data in ORGANIZATIONS + SIGNATORIES:
        obj = (
            Organization.objects.filter(name__lower=data["name"].lower()).first() or Organization()
        )
        orgs[data["name"]] = _sync(obj, organization_save, "organization", **data)
    people = {}
    for data in PEOPLE:
        values = {**data, "organization": orgs[data["organization"]]}
        obj = Person.objects.filter(full_name=data["full_name"]).first() or Person()
        people[data["full_name"]] = _sync(obj, person_save, "person", **values)
    persons = {}
    for data in DETAINED_PERSONS:
        values = {k: v for k, v in data.items() if k != "events"}
        values["detained_on"] = data["events"][0][0]  # the first event is the detention
        # Real cases, named in public by their campaigns and the press.
        values["publicity"] = DetainedPerson.Publicity.PUBLIC
        obj = DetainedPerson.objects.filter(native_name=data["native_name"]).first()
        if obj is None:
            # A new case's detention is its first event, of that event's kind.
            obj, values["status"] = DetainedPerson(), data["events"][0][1]
        persons[data["name"]] = person = _sync(obj, detained_person_save, "person", **values)
        _record_events(person, data["events"])
    campaigns = {}
    for data in CAMPAIGNS:
        values = {k: v for k, v in data.items() if k != "detained_persons"}
        for key, lookup in (("lead_organization", orgs), ("lead_person", people)):
            if key in values:
                values[key] = lookup[values[key]]
        obj = Campaign.objects.filter(slug=data["slug"]).first() or Campaign()
        campaign = _sync(obj, campaign_save, "campaign", **values)
        wanted = {persons[name].pk for name in data["detained_persons"]}
        if set(campaign.detained_persons.values_list("pk", flat=True)) != wanted:
            campaign.detained_persons.set(wanted)
        campaigns[data["slug"]] = campaign
    letters = {}
    for data in LETTERS:
        values = {k: v for k, v in data.items() if k not in ("recipients", "signed_by")}
        values["campaign"] = campaigns[values["campaign"]]
        if "author_organization" in values:
            values["author_organization"] = orgs[values["author_organization"]]
        obj = Letter.objects.filter(title=data["title"]).first() or Letter()
        letter = _sync(obj, letter_save, "letter", **values)
        wanted = {people[name].pk for name in data["recipients"]}
        if set(letter.recipients.values_list("pk", flat=True)) != wanted:
            letter.recipients.set(wanted)
        letters[data["title"]] = letter
        for name in data.get("signed_by", []):
            if not Signature.objects.filter(letter=letter, organization=orgs[name]).exists():
                signature_save(letter=letter, organization=orgs[name])
    for data in RESPONSES:
        values = {**data, "letter": letters[data["letter"]], "person": people[data["person"]]}
        found = LetterResponse.objects.filter(
            letter=values["letter"], person=values["person"], received_on=data["received_on"]
        ).first()
        if found is None:
            letter_response_record(**values)
        else:
            _sync(found, letter_response_record, "response", **values)
    legal_limits_ensure()
    urgent = seed_urgent_cases(today=timezone.localdate(), people=people)
    for data in NEWS:
        item_fields = ("title", "summary", "published_at", "language", "publisher")
        item, _ = NewsItem.objects.get_or_create(
            url=data["url"], defaults={k: data[k] for k in item_fields}
        )
        mention, _ = Mention.objects.get_or_create(
            news_item=item,
            person=persons[data["person"]],
            defaults={"matched_terms": data["matched_terms"]},
        )
        if data["status"] != Mention.Status.NEW:  # confirming it proposes its events
            mention_review(mention=mention, status=data["status"], user=None)
    return {
        "organizations": len(orgs),
        "people": len(people),
        "detained_persons": len(persons),
        "campaigns": len(campaigns),
        "letters": len(LETTERS),
        "letter_responses": len(RESPONSES),
        "invented_cases": urgent,
        "news_items": len(NEWS),
    }


# --- Invented cases, dated from the day of seeding -----------------------------------------------
# The real cases above are long past. So that every panel of the dashboard has something to show
# on the day the demo is loaded (a case past its legal limit, one close to it, a hearing, an
# anniversary, letters without an answer, news to review), three invented cases are dated
# relative to that day. Their names, events, letters and news are made up and say so.
INVENTED = "An invented case in the demo data, dated from the day the demo was loaded."


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _invented_cases(today: date) -> list[dict[str, Any]]:
    taken = _years_before(today + timedelta(days=9), 2)  # its 2nd anniversary is in 9 days
    return [
        {
            "name": "Lin Qiuyue",
            "native_name": "林秋月",
            "country": "CN",
            "gender": "female",
            "occupation": "Human rights lawyer (invented)",
            "summary": INVENTED + " Held under RSDL past the six-month limit.",
            "place_of_detention": "A designated location in Beijing, undisclosed (invented)",
            "charges": 'Suspected of "inciting subversion of state power" (invented).',
            "publicity": "public",
            "lawyer": "Chen Ming (invented)",
            "lawyer_contact": "+86 10 5555 0100 (invented)",
            "events": [
                (today - timedelta(days=215), "detained", "Taken from her office by police."),
                (
                    today - timedelta(days=213),
                    "rsdl",
                    "Family notified of residential surveillance at a designated location.",
                ),
            ],
        },
        {
            "name": "Zhao Hailin",
            "native_name": "赵海林",
            "country": "CN",
            "gender": "male",
            "occupation": "Citizen journalist (invented)",
            "summary": INVENTED + " In criminal detention, close to the 37-day limit. His "
            "family asked for quiet advocacy.",
            "publicity": "quiet",
            "family_contact": "His sister, through the partner office (invented).",
            "health": "Needs daily blood-pressure medication (invented).",
            "information_sources": "A cellmate's relative, by encrypted message (invented).",
            "internal_assessment": "Family under pressure; do not name him in public (invented).",
            "events": [
                (today - timedelta(days=32), "detained", "Criminal detention notice issued."),
            ],
        },
        {
            "name": "He Wenjing",
            "native_name": "何文静",
            "country": "CN",
            "gender": "female",
            "occupation": "Labour activist (invented)",
            "summary": INVENTED + " Indicted; her trial opens within the month.",
            "publicity": "public",
            "events": [
                (taken, "detained", "Detained with other labour activists."),
                (taken + timedelta(days=37), "arrested", "Formally arrested."),
                (taken + timedelta(days=400), "indicted", "Indicted by the procuratorate."),
                (today + timedelta(days=12), "hearing", "First hearing at the intermediate court."),
            ],
        },
    ]


# (days before the seeding day the mention was found, case, status, title)
INVENTED_NEWS = [
    (1, "Lin Qiuyue", "new", "Lawyer Lin Qiuyue still held seven months on"),
    (2, "Zhao Hailin", "new", "Citizen journalist Zhao Hailin detained after filming protest"),
    (4, "He Wenjing", "new", "Trial date set for labour activist He Wenjing"),
    (9, "Lin Qiuyue", "new", "UN experts ask about lawyer held under RSDL"),
    (15, "Lin Qiuyue", "confirmed", "Family of lawyer Lin Qiuyue denied visits"),
    (23, "He Wenjing", "confirmed", "Labour activist He Wenjing indicted"),
    (30, "Zhao Hailin", "dismissed", "Zhao Hailin wins regional photography prize"),
    (38, "Lin Qiuyue", "confirmed", "Rights groups urge release of Lin Qiuyue"),
    (52, "He Wenjing", "dismissed", "He Wenjing: a profile of the painter"),
    (66, "Lin Qiuyue", "confirmed", "Lawyers' association silent on Lin Qiuyue"),
    (80, "He Wenjing", "confirmed", "Workers rally for detained organiser He Wenjing"),
    (101, "Lin Qiuyue", "confirmed", "Lin Qiuyue placed under residential surveillance"),
    (130, "He Wenjing", "dismissed", "He Wenjing opens a bakery in Chengdu"),
    (160, "He Wenjing", "confirmed", "One year on, He Wenjing awaits trial"),
]


@transaction.atomic
def seed_urgent_cases(*, today: date, people: dict[str, Person]) -> int:
    """The invented cases, their campaign, letters and news. Created once: a later run (even on
    another day) finds them by name and leaves them, and their dates, as they are."""
    persons = {}
    for data in _invented_cases(today):
        person = DetainedPerson.objects.filter(native_name=data["native_name"]).first()
        if person is None:
            values = {k: v for k, v in data.items() if k != "events"}
            first_on, first_kind, _ = data["events"][0]
            person = detained_person_save(detained_on=first_on, **({"status": first_kind} | values))
            _record_events(person, data["events"])
        persons[data["name"]] = person
    campaign = Campaign.objects.filter(slug="demo-urgent-cases").first()
    if campaign is None:
        campaign = campaign_save(
            name="Urgent cases (invented demo)",
            slug="demo-urgent-cases",
            summary="Invented cases that show the dashboard's warnings.",
            status="active",
            started_on=today - timedelta(days=200),
        )
        campaign.detained_persons.set(persons.values())
    # (title, days ago it was sent, the answer, whom it is about)
    letters = [
        (
            "Urgent appeal on the residential surveillance of Lin Qiuyue (invented)",
            45,
            "",
            "Lin Qiuyue",
        ),
        (
            "Appeal on the criminal detention of Zhao Hailin (invented)",
            20,
            "The embassy answered for him that the case is being handled according to law.",
            "Zhao Hailin",
        ),
    ]
    # A joint appeal for all three, answered about Lin Qiuyue only: its page says "Answered
    # about 1 of 3" and lists the two still unanswered (Zhao Hailin in quiet advocacy).
    letters.append(
        (
            "Joint appeal for three detained defenders (invented)",
            25,
            "The ministry answered that Lin Qiuyue's residential surveillance is lawful; it said "
            "nothing of the other two.",
            ["Lin Qiuyue", "Zhao Hailin", "He Wenjing"],
            ["Lin Qiuyue"],
        )
    )
    for entry in letters:
        title, days_ago, answer, about = entry[:4]
        about = [about] if isinstance(about, str) else about
        # Whom the answer covers: the one case the letter is about, unless said.
        answered_about = [persons[name] for name in (entry[4] if len(entry) > 4 else about)]
        found = Letter.objects.filter(title=title).first()
        if found is not None:
            if not found.persons.exists():  # a demo loaded before letters named their cases
                letter_save(letter=found, persons=[persons[name] for name in about])
            # A demo loaded before responses named whom they answer about.
            for response in found.responses.filter(persons=None):
                letter_response_record(response=response, persons=answered_about)
            continue
        letter = letter_save(
            title=title,
            campaign=campaign,
            status="sent",
            sent_on=today - timedelta(days=days_ago),
            body="An invented letter in the demo data.",
            recipients=[people["Xi Jinping"]],
            persons=[persons[name] for name in about],
        )
        if answer:
            letter_response_record(
                letter=letter,
                person=people["Xi Jinping"],
                received_on=today - timedelta(days=days_ago - 12),
                summary=answer,
                persons=answered_about,
            )
    if not NewsSource.objects.filter(name="Moved feed (invented)").exists():
        source = news_source_save(
            name="Moved feed (invented)",
            kind=NewsSource.Kind.FEED,
            # .invalid never resolves: each poll of this source fails, as the dashboard shows.
            url="https://feed.example.invalid/rss.xml",
        )
        NewsSource.objects.filter(pk=source.pk).update(
            last_status=NewsSource.LastStatus.FAILED,
            last_polled_at=timezone.now(),
            consecutive_failures=3,
            last_error="Could not resolve feed.example.invalid (the feed has moved?).",
        )
    for days_ago, name, status, title in INVENTED_NEWS:
        url = f"https://news.example.org/demo/{days_ago}-{persons[name].pk}"
        item, created = NewsItem.objects.get_or_create(
            url=url,
            defaults={
                "title": f"{title} (invented)",
                "publisher": "Example News",
                "published_at": timezone.now() - timedelta(days=days_ago),
                "language": "en",
            },
        )
        if not created:
            continue
        found_at = timezone.make_aware(
            datetime.combine(today - timedelta(days=days_ago), time(9, 0))
        )
        insert_mentions({(item.pk, persons[name].pk): [name]})
        mention = Mention.objects.get(news_item=item, person=persons[name])
        # Invented news "found" weeks ago, for the chart of mentions per week: the mention and
        # its first history record are dated then.
        Mention.objects.filter(pk=mention.pk).update(created_at=found_at, updated_at=found_at)
        Mention.history.filter(id=mention.pk).update(history_date=found_at)
        if status != Mention.Status.NEW:
            mention_review(mention=mention, status=status, user=None)
    return len(persons)
