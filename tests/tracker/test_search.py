import pytest

from tracker.cases.services import detained_person_save
from tracker.models import DetainedPerson

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return [
        detained_person_save(name="Liu Xia", native_name="刘霞", aliases=["Liu Hsia"]),
        detained_person_save(name="Trần Thị Thu Hà", native_name=""),
        detained_person_save(name="Gao Yu", native_name="高瑜"),
    ]


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("刘霞", ["Liu Xia"]),
        ("hsia", ["Liu Xia"]),
        ("tran thi", ["Trần Thị Thu Hà"]),
        ("TRẦN", ["Trần Thị Thu Hà"]),
        ("高", ["Gao Yu"]),
        ("nobody", []),
    ],
)
def test_search_finds_people_by_any_name_form(people, term, expected):
    assert [p.name for p in DetainedPerson.objects.search(term)] == expected


def test_renaming_a_person_updates_what_search_finds(people):
    liu = people[0]
    detained_person_save(person=liu, aliases=["Lau Ha"])
    assert list(DetainedPerson.objects.search("lau ha")) == [liu]
    assert list(DetainedPerson.objects.search("hsia")) == []
