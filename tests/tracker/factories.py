import datetime

import factory

from tracker.models import CaseEvent, DetainedPerson


class DetainedPersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DetainedPerson

    name = factory.Sequence(lambda n: f"Detainee {n}")
    country = "CN"
    status = DetainedPerson.Status.DETAINED
    # Cases the family consents to name (the model starts new cases quiet); tests of quiet
    # advocacy say so.
    publicity = DetainedPerson.Publicity.PUBLIC


class CaseEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseEvent

    person = factory.SubFactory(DetainedPersonFactory)
    date = datetime.date(2015, 7, 9)
    kind = CaseEvent.Kind.OTHER
