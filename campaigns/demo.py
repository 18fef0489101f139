"""The demo data set: the September 2015 story told at the top of README.md, and two cases
still open today (Phạm Đoan Trang and Xu Zhiyong, both serving their sentences), so that a list
of open cases has something to show.

Only what is publicly documented is filled in; anything we do not know is left blank rather
than invented (for example the exact day the "Free the 20" campaign launched, or who signed
the two letters to President Obama). Every status comes from a dated case event.
`seed_demo()` is idempotent: it looks every record up by its natural key and writes only what
differs, so a second run changes nothing.
"""

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from django.db import models, transaction

from campaigns.models import Campaign, Letter, Organization, Person
from campaigns.services import (
    campaign_save,
    letter_save,
    organization_save,
    person_save,
)
from tracker.cases.models import CaseEvent, DetainedPerson
from tracker.cases.services import case_event_record, detained_person_save
from tracker.newswatch.models import Mention, NewsItem
from tracker.newswatch.services import mention_review

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
        "recipients": ["Barack Obama"],
        "demands": "Meet Chinese dissidents at the White House during Xi Jinping's state visit.",
        "body": "Human rights organisations urged President Obama to meet Chinese dissidents "
        "at the White House in September 2015.",
    },
    {
        "title": "Bipartisan senators' letter to President Obama on human rights in China",
        "campaign": "709-crackdown-lawyers",
        "kind": "private_letter",
        "status": "sent",
        "author_organization": "United States Senate",
        "recipients": ["Barack Obama"],
        "body": "A bipartisan group of senators wrote to President Obama ahead of Xi "
        "Jinping's state visit in September 2015, urging him to raise human rights.",
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


@transaction.atomic
def seed_demo() -> dict[str, int]:
    orgs = {}
    for data in ORGANIZATIONS:
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
        obj = DetainedPerson.objects.filter(native_name=data["native_name"]).first()
        obj = obj or DetainedPerson()
        persons[data["name"]] = person = _sync(obj, detained_person_save, "person", **values)
        for on, kind, description in data["events"]:
            if not CaseEvent.objects.filter(person=person, date=on, kind=kind).exists():
                case_event_record(person=person, date=on, kind=kind, description=description)
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
    for data in LETTERS:
        values = {k: v for k, v in data.items() if k != "recipients"}
        values["campaign"] = campaigns[values["campaign"]]
        if "author_organization" in values:
            values["author_organization"] = orgs[values["author_organization"]]
        obj = Letter.objects.filter(title=data["title"]).first() or Letter()
        letter = _sync(obj, letter_save, "letter", **values)
        wanted = {people[name].pk for name in data["recipients"]}
        if set(letter.recipients.values_list("pk", flat=True)) != wanted:
            letter.recipients.set(wanted)
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
        "news_items": len(NEWS),
    }
