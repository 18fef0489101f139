"""What a letter asked and what its answers covered (#20 §6): a response names the persons it
answers about, only among those its letter is about; the letter's "answered about N of M" and
who is still unanswered; a case's "asked about in N letters, answered in M"."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from campaigns.models import Letter
from campaigns.selectors import (
    letter_answered_about,
    letters_answered_person_ids,
    persons_letter_counts,
)
from campaigns.services import letter_response_record, letter_save
from tests.campaigns.factories import PersonFactory
from tests.tracker.factories import DetainedPersonFactory

pytestmark = pytest.mark.django_db

SENT = datetime.date(2025, 1, 10)


def _letter(*about, title="Appeal"):
    return letter_save(title=title, status=Letter.Status.SENT, sent_on=SENT, persons=about)


def _answer(letter, *about, **fields):
    return letter_response_record(
        letter=letter,
        person=PersonFactory(),
        received_on=SENT + datetime.timedelta(days=5),
        summary="The cases follow the law.",
        persons=about,
        **fields,
    )


def test_a_response_records_whom_it_answers_about():
    lin, zhao, wang = (DetainedPersonFactory(name=n) for n in ["Lin", "Zhao", "Wang"])
    letter = _letter(lin, zhao, wang)
    response = _answer(letter, lin)
    assert list(response.persons.all()) == [lin]
    assert list(lin.answered_in.all()) == [response]


def test_a_response_may_not_answer_about_a_person_its_letter_is_not_about():
    lin, stranger = DetainedPersonFactory(name="Lin"), DetainedPersonFactory(name="Stranger")
    letter = _letter(lin)
    with pytest.raises(ValidationError) as refused:
        _answer(letter, lin, stranger)
    assert list(refused.value.message_dict) == ["persons"]
    assert "Stranger" in refused.value.message_dict["persons"][0]
    assert not letter.responses.exists()


def test_changing_a_response_replaces_its_persons_and_none_leaves_them():
    lin, zhao = DetainedPersonFactory(name="Lin"), DetainedPersonFactory(name="Zhao")
    letter = _letter(lin, zhao)
    response = _answer(letter, lin)
    letter_response_record(response=response, summary="Changed.")
    assert list(response.persons.all()) == [lin]
    letter_response_record(response=response, persons=[zhao])
    assert list(response.persons.all()) == [zhao]
    # One version per change, the persons with it.
    latest = response.history.latest()
    assert [p.detainedperson_id for p in latest.persons.all()] == [zhao.pk]


def test_a_response_moved_to_another_letter_must_be_about_its_persons():
    lin = DetainedPersonFactory(name="Lin")
    response = _answer(_letter(lin), lin)
    other = _letter(DetainedPersonFactory(name="Zhao"), title="Other")
    with pytest.raises(ValidationError) as refused:
        letter_response_record(response=response, letter=other)
    assert "persons" in refused.value.message_dict


def test_a_letter_is_answered_about_the_union_of_its_responses_persons():
    persons = [DetainedPersonFactory(name=f"Person {i:02}") for i in range(20)]
    letter = _letter(*persons)
    _answer(letter, persons[0], persons[1])
    _answer(letter, persons[1], persons[2])
    about = letter_answered_about(letter=letter)
    assert len(about.asked) == 20
    assert about.answered == persons[:3]
    assert about.unanswered == persons[3:]


def test_a_person_taken_off_the_letter_no_longer_counts_as_answered():
    lin, zhao = DetainedPersonFactory(name="Lin"), DetainedPersonFactory(name="Zhao")
    letter = _letter(lin, zhao)
    _answer(letter, lin, zhao)
    letter_save(letter=letter, persons=[lin])
    assert letters_answered_person_ids(letter_ids=[letter.pk]) == {letter.pk: {lin.pk}}


def test_a_case_is_asked_about_in_letters_naming_it_and_answered_in_those_answering_about_it():
    lin, zhao = DetainedPersonFactory(name="Lin"), DetainedPersonFactory(name="Zhao")
    letters = [_letter(lin, zhao, title=f"Appeal {i}") for i in range(4)]
    _answer(letters[0], lin)
    _answer(letters[0], lin, zhao)  # two answers about Lin to one letter: one letter answered
    _answer(letters[1], zhao)
    nobody = DetainedPersonFactory(name="Nobody")
    counts = persons_letter_counts(person_ids=[lin.pk, zhao.pk, nobody.pk])
    assert counts == {lin.pk: (4, 1), zhao.pk: (4, 2)}
