import importlib

import pytest
from django.apps import apps as django_apps
from django.urls import reverse

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


# Every form a name is found in (issue 23): the other Chinese script, romanisation variants of
# a pinyin name, a name's dots; the same in the model's search, the admin's list and the
# one-box search (tests/tracker/workspace/test_search.py).


@pytest.fixture
def recorded_the_usual_way():
    """Pinyin and simplified characters, as a new user records people; and one Uyghur name."""
    return [
        detained_person_save(name="Feng Jie", native_name="冯洁"),
        detained_person_save(name="Gao Lihua", native_name="高丽华"),
        detained_person_save(name="Tang Wenbo", native_name="唐文博"),
        detained_person_save(name="Ilham Tohti", native_name="伊力哈木·土赫提"),
        detained_person_save(name="Chow Hang-tung", native_name="鄒幸彤"),
    ]


FORMS = [
    ("馮潔", ["Feng Jie"]),
    ("冯洁", ["Feng Jie"]),
    ("高麗華", ["Gao Lihua"]),
    ("麗華", ["Gao Lihua"]),
    ("邹幸彤", ["Chow Hang-tung"]),  # recorded in traditional characters
    ("Tang Wen-bo", ["Tang Wenbo"]),
    ("tang wen bo", ["Tang Wenbo"]),
    ("TANG Wenbo", ["Tang Wenbo"]),
    ("Wenbo Tang", ["Tang Wenbo"]),
    ("Wen-bo Tang", ["Tang Wenbo"]),
    ("伊力哈木·土赫提", ["Ilham Tohti"]),
    ("伊力哈木•土赫提", ["Ilham Tohti"]),
    ("伊力哈木‧土赫提", ["Ilham Tohti"]),
    ("伊力哈木・土赫提", ["Ilham Tohti"]),
    ("伊力哈木土赫提", ["Ilham Tohti"]),
    ("唐文波", []),
    ("Tang Wenbin", []),
]


@pytest.mark.parametrize(("term", "expected"), FORMS)
def test_search_finds_a_name_in_every_form_it_is_written_in(recorded_the_usual_way, term, expected):
    assert [p.name for p in DetainedPerson.objects.search(term)] == expected


@pytest.mark.parametrize(("term", "expected"), FORMS)
def test_the_admin_list_finds_a_name_in_every_form_it_is_written_in(
    admin_client, recorded_the_usual_way, term, expected
):
    response = admin_client.get(reverse("admin:tracker_detainedperson_changelist"), {"q": term})
    assert response.status_code == 200
    assert [p.name for p in response.context["cl"].result_list] == expected


def test_search_names_holds_every_form_a_name_is_found_in(recorded_the_usual_way):
    feng, _gao, tang, ilham, chow = recorded_the_usual_way
    assert feng.search_names.splitlines() == ["feng jie", "jie feng", "冯洁"]
    assert tang.search_names.splitlines() == [
        "tang wenbo",
        "wenbo tang",
        "tang wen bo",
        "wen bo tang",
        "唐文博",
    ]
    assert ilham.search_names.splitlines() == ["ilham tohti", "伊力哈木土赫提"]
    assert chow.search_names.splitlines() == ["chow hang tung", "邹幸彤"]
    # Staff still see the name as written.
    assert (chow.native_name, ilham.native_name) == ("鄒幸彤", "伊力哈木·土赫提")


def _migration():
    return importlib.import_module("tracker.migrations.0034_search_names_in_every_form")


def test_the_migration_writes_search_names_in_every_form_and_changes_nothing_run_twice(
    recorded_the_usual_way, django_assert_max_num_queries
):
    feng = recorded_the_usual_way[0]
    # As an older release stored it: folded, without the other forms.
    DetainedPerson.objects.filter(pk=feng.pk).update(search_names="feng jie\n冯洁")
    assert list(DetainedPerson.objects.search("Jie Feng")) == []

    _migration().recompute(django_apps, None)
    assert list(DetainedPerson.objects.search("Jie Feng")) == [feng]
    stored = dict(DetainedPerson.objects.values_list("pk", "search_names"))

    with django_assert_max_num_queries(1):  # the read; nothing left to write
        _migration().recompute(django_apps, None)
    assert dict(DetainedPerson.objects.values_list("pk", "search_names")) == stored
