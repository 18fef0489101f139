import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from campaigns.models import Organization, Signature
from campaigns.services import campaign_save, organization_save, signature_save
from tests.campaigns.factories import (
    CampaignFactory,
    LetterFactory,
    OrganizationFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db


def test_database_refuses_a_signature_without_signatory():
    letter = LetterFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Signature.objects.create(letter=letter)


def test_database_refuses_a_signature_by_both_an_organization_and_a_person():
    letter = LetterFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Signature.objects.create(
            letter=letter, organization=OrganizationFactory(), person=PersonFactory()
        )


def test_service_explains_a_signature_without_signatory():
    with pytest.raises(ValidationError, match="exactly one of an organization or a person"):
        signature_save(letter=LetterFactory())
    assert Signature.objects.count() == 0


def test_database_refuses_the_same_organization_signing_a_letter_twice():
    letter, org = LetterFactory(), OrganizationFactory()
    Signature.objects.create(letter=letter, organization=org)
    with pytest.raises(IntegrityError), transaction.atomic():
        Signature.objects.create(letter=letter, organization=org)
    assert Signature.objects.filter(letter=letter).count() == 1


def test_database_refuses_the_same_person_signing_a_letter_twice():
    letter, person = LetterFactory(), PersonFactory()
    Signature.objects.create(letter=letter, person=person)
    with pytest.raises(IntegrityError), transaction.atomic():
        Signature.objects.create(letter=letter, person=person)


def test_service_explains_a_double_signature():
    letter, person = LetterFactory(), PersonFactory()
    signature_save(letter=letter, person=person)
    with pytest.raises(ValidationError, match="already signed this letter"):
        signature_save(letter=letter, person=person)


def test_one_signatory_may_sign_different_letters():
    org = OrganizationFactory()
    signature_save(letter=LetterFactory(), organization=org)
    signature_save(letter=LetterFactory(), organization=org)
    assert org.signatures.count() == 2


def test_organization_names_are_unique_regardless_of_case():
    organization_save(name="Human Rights Watch", kind=Organization.Kind.NGO)
    with pytest.raises(ValidationError):
        organization_save(name="HUMAN RIGHTS WATCH", kind=Organization.Kind.NGO)
    with pytest.raises(IntegrityError), transaction.atomic():
        Organization.objects.create(name="human rights watch")


def test_campaign_slug_is_derived_from_the_name_and_kept_unique():
    first = campaign_save(name="Free the 20")
    second = campaign_save(name="Free the 20")
    assert first.slug == "free-the-20"
    assert second.slug == "free-the-20-2"


def test_given_campaign_slug_is_kept():
    assert campaign_save(name="Free the 20", slug="ft20").slug == "ft20"


def test_campaign_cannot_end_before_it_starts():
    import datetime

    with pytest.raises(ValidationError, match="cannot end before it starts"):
        campaign_save(
            name="Backwards",
            started_on=datetime.date(2015, 9, 1),
            ended_on=datetime.date(2015, 8, 1),
        )
    assert not CampaignFactory._meta.model.objects.filter(name="Backwards").exists()
