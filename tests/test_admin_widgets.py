"""tracker/admin_widgets.py: cheaper widgets that write what Django's and the theme's write."""

import re

import pytest
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.db import connection
from django.test.utils import CaptureQueriesContext
from unfold.widgets import UnfoldAdminSelectWidget

from tracker.admin_widgets import PreloadedAutocompleteSelect, QuickSelectWidget
from tracker.cases.models import CaseOfficer

CHOICES = [
    ("", "Select value"),
    ("CN", "China"),
    ("VN", "Viet Nam"),
    ("x\"<&'", "Odd <b> & 'quote'"),
    ("Group", [("g1", "G1"), ("g2", "G2")]),
]


def _tags(html: str) -> str:
    return re.sub(r">\s+<", "><", html).strip()


@pytest.mark.parametrize("value", ["CN", "", None, "g2", "x\"<&'"])
def test_the_quick_select_writes_the_themes_select(value):
    attrs = {"id": "id_country", "required": True}
    theirs = UnfoldAdminSelectWidget(choices=CHOICES).render("country", value, attrs)
    ours = QuickSelectWidget(choices=CHOICES).render("country", value, attrs)
    assert _tags(ours) == _tags(theirs)


@pytest.mark.django_db
def test_the_preloaded_autocomplete_writes_djangos_options_without_a_query(django_user_model):
    user = django_user_model.objects.create_user("ana", is_staff=True)
    field = CaseOfficer._meta.get_field("user")
    formfield = field.formfield(queryset=django_user_model.objects.all())
    django_widget = AutocompleteSelect(field, admin.site)
    ours = PreloadedAutocompleteSelect(field, admin.site)
    for widget in (django_widget, ours):
        widget.choices = formfield.choices
        widget.is_required = False
    ours.chosen = user
    with CaptureQueriesContext(connection) as captured:
        preloaded = ours.optgroups("user", [str(user.pk)])
    assert len(captured) == 0
    assert preloaded == django_widget.optgroups("user", [str(user.pk)])
    # Another value (as posted) is read as Django reads it.
    other = django_user_model.objects.create_user("bo", is_staff=True)
    assert ours.optgroups("user", [str(other.pk)]) == django_widget.optgroups(
        "user", [str(other.pk)]
    )
