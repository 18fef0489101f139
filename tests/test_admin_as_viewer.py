"""A Viewer reads every page of the records: each list, each record's page and its History.

Read-only pages render the form's fields as text, so a form that assumes its fields exist
(the campaign form did, with the slug) fails only for those who may not change the record."""

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from tests.test_admin import _make_one
from tracker.models import DigestDelivery
from tracker.workspace.demo import seed_demo

pytestmark = pytest.mark.django_db


def _viewable_models(user):
    return [
        model
        for model in admin.site._registry
        if user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}")
    ]


def _url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_a_viewer_opens_every_list_record_and_history_page_they_may_view(viewer):
    viewer.is_staff = True
    viewer.save()
    client = Client(raise_request_exception=False)  # every page that fails, not the first
    client.force_login(viewer)
    seed_demo()
    # A delivery brings its subscription: made first, the subscription's own turn finds it.
    models = sorted(_viewable_models(viewer), key=lambda m: m is not DigestDelivery)
    assert {m._meta.model_name for m in models} >= {"campaign", "letter", "detainedperson"}
    failures = []
    for model in models:
        obj = model.objects.first() or _make_one(model)
        for url in [
            _url(model, "changelist"),
            _url(model, "change", obj.pk),
            _url(model, "history", obj.pk),
        ]:
            status = client.get(url).status_code
            if status != 200:
                failures.append((url, status))
    assert failures == []
