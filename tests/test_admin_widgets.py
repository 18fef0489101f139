"""tracker/admin_widgets.py: cheaper widgets that write what Django's and the theme's write."""

import datetime
import re

import pytest
from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.db import connection
from django.forms.renderers import DjangoTemplates
from django.test.utils import CaptureQueriesContext
from unfold.widgets import (
    UnfoldAdminIntegerFieldWidget,
    UnfoldAdminSelectWidget,
    UnfoldAdminSingleDateWidget,
    UnfoldAdminTextareaWidget,
    UnfoldAdminTextInputWidget,
    UnfoldAdminURLInputWidget,
)

from tracker.admin_widgets import (
    QUICK_RENDERER,
    PreloadedAutocompleteSelect,
    QuickSelectWidget,
)
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


def _html(page: str) -> str:
    """`page` with its CSRF token out, its spaces between tags out, its classes sorted (the
    theme writes a set of classes, in no set order)."""
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)
    page = re.sub(r">\s+<", "><", re.sub(r"\s+", " ", page))
    return re.sub(
        r'class="\s*([^"]*?)\s*"', lambda m: f'class="{" ".join(sorted(m.group(1).split()))}"', page
    ).replace(" >", ">")


@pytest.mark.django_db
def test_the_case_page_is_the_html_the_themes_templates_write(
    client, superuser, settings, tmp_path, monkeypatch
):
    """The case page's one-template inlines and fieldsets (QuickTabularInline, QuickFieldsets)
    write what the theme's templates write: a case with events, officers and tasks, read and
    then posted with errors (a field of the case, an event dated ahead)."""
    import datetime

    from django.urls import reverse

    from tracker.cases.admin import CaseEventInline, CaseOfficerInline, DetainedPersonAdmin
    from tracker.cases.services import case_event_record, case_officer_add, detained_person_save
    from tracker.workspace.admin import TaskInline
    from tracker.workspace.services import task_save

    settings.MEDIA_ROOT = tmp_path
    client.force_login(superuser)
    person = detained_person_save(name="Lin Qiuyue", country="CN", status="detained")
    case_event_record(person=person, date=datetime.date(2024, 3, 1), kind="detained")
    case_officer_add(person=person, user=superuser, lead=True)
    task_save(user=superuser, title="Call", due_on=datetime.date(2030, 1, 1), person=person)
    url = reverse("admin:tracker_detainedperson_change", args=[person.pk])
    page = client.get(url).content.decode()
    posted = {
        name: value
        for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page)
        if "__prefix__" not in name and "DELETE" not in name
    }
    new = int(posted["events-TOTAL_FORMS"]) - 1
    posted |= {"name": "", "birth_year": "soon", "status": "detained", "country": "CN"}
    posted |= {f"events-{new}-date": "2099-01-01", f"events-{new}-kind": "sentenced"}

    def both():
        read = client.get(url).content.decode()
        post = client.post(url, posted)
        assert post.status_code == 200 and "errorlist" in post.content.decode()
        return _html(read), _html(post.content.decode())

    ours = both()
    for inline in (CaseEventInline, CaseOfficerInline, TaskInline):
        monkeypatch.setattr(inline, "template", "admin/edit_inline/tabular.html")
    monkeypatch.setattr(DetainedPersonAdmin, "quick_fieldsets", False)
    assert ours == both()


@pytest.mark.parametrize(
    ("widget", "value"),
    [
        (UnfoldAdminTextInputWidget(), 'Wang "Quanzhang" <&>'),
        (UnfoldAdminTextInputWidget(), None),
        (UnfoldAdminTextInputWidget(attrs={"required": True, "maxlength": 200}), ""),
        (UnfoldAdminSingleDateWidget(), datetime.date(2024, 3, 1)),
        (UnfoldAdminSingleDateWidget(), None),
        (UnfoldAdminURLInputWidget(), "https://example.org/a?b=1&c=<2>"),
        (UnfoldAdminURLInputWidget(), ""),
        (UnfoldAdminTextareaWidget(attrs={"rows": 3}), "Line one\nLine <two> & 'three'"),
        (UnfoldAdminTextareaWidget(), None),
        (forms.HiddenInput(), 42),
        (forms.HiddenInput(), None),
        (forms.CheckboxInput(), True),
        (forms.CheckboxInput(attrs={"class": "delete"}), False),
        (UnfoldAdminIntegerFieldWidget(), 1975),
    ],
)
def test_the_quick_renderer_writes_what_the_templates_write(widget, value):
    attrs = {"id": "id_field"}
    theirs = widget.render("field", value, attrs, renderer=DjangoTemplates())
    assert widget.render("field", value, attrs, renderer=QUICK_RENDERER) == theirs
