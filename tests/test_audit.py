"""Every change made through the API is in the record's history with the user who made it."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tracker.models import DetainedPerson

pytestmark = pytest.mark.django_db


def test_api_changes_are_recorded_in_history_with_the_token_user(django_user_model):
    user = django_user_model.objects.create_superuser("editor-bot", "", "x")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")

    created = client.post("/api/detained-persons/", {"name": "Gao Yu", "native_name": "高瑜"})
    assert created.status_code == 201
    pk = created.json()["id"]
    changed = client.patch(f"/api/detained-persons/{pk}/", {"aliases": ["Kao Yu"]})
    assert changed.status_code == 200

    history = DetainedPerson.history.filter(id=pk).order_by("history_date")
    assert [(h.history_type, h.history_user) for h in history] == [("+", user), ("~", user)]
    assert history.last().aliases == ["Kao Yu"]
