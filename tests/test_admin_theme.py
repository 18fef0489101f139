"""The admin's theme (django-unfold): a sidebar grouped by task that shows each user only the
lists they may open, Vigil's look on the sign-in pages, and room for a project home page."""

import logging
import re
from html import unescape

import pytest
from django.contrib.auth.models import Permission
from django.templatetags.static import static
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _sidebar(response) -> dict[str, list[tuple[str, str]]]:
    """The sidebar as a user reads it: each group's title and its links (text, address)."""
    page = response.content.decode()
    nav = re.search(r'<div id="nav-sidebar-apps".*?(?=<nav|$)', page, re.S)
    assert nav, "no sidebar on the page"
    groups: dict[str, list[tuple[str, str]]] = {}
    for block in re.split(r"<h2\b", nav.group())[1:]:
        heading = re.sub(r"^[^>]*>", "", block.split("</h2>")[0])
        title = " ".join(unescape(re.sub(r"<[^>]+>", " ", heading)).split())
        links = re.findall(r'<a href="([^"]+)"[^>]*>.*?<span>([^<]*)</span>', block, re.S)
        groups[title] = [(unescape(text).strip(), href) for href, text in links]
    return groups


def _logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_sidebar_groups_every_list_by_task(django_user_model):
    root = django_user_model.objects.create_superuser("root", "root@example.org", "x")
    sidebar = _sidebar(_logged_in(root).get(reverse("admin:index")))
    assert list(sidebar) == [
        "Tasks",
        "Cases",
        "Campaigns and letters",
        "News watch",
        "Digests",
        "Settings",
    ]
    assert [text for text, _ in sidebar["Tasks"]] == [
        "Tasks",
        "Task reminders",
        "Staff preferences",
    ]
    assert [text for text, _ in sidebar["Cases"]] == [
        "Detained persons",
        "Case events",
        "Events proposed from the news",
        "Legal limits",
    ]
    assert [text for text, _ in sidebar["News watch"]] == [
        "News mentions",
        "News sources",
        "News items",
    ]
    assert ("News mentions", reverse("admin:tracker_mention_changelist")) in sidebar["News watch"]
    assert [text for text, _ in sidebar["Digests"]] == [
        "Subscriptions",
        "Digest deliveries",
        "Suppressed addresses",
    ]
    settings_links = [text for text, _ in sidebar["Settings"]]
    assert settings_links[:2] == ["Users", "Groups"]
    assert "Authenticator apps" in settings_links and "Login attempts" in settings_links


def test_a_user_sees_only_the_links_they_may_open_and_no_empty_group(django_user_model):
    user = django_user_model.objects.create_user("caseworker", password="x", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(
            codename__in=["view_detainedperson", "view_letter", "change_letter"]
        )
    )
    sidebar = _sidebar(_logged_in(user).get(reverse("admin:index")))
    assert sidebar == {
        "Cases": [("Detained persons", reverse("admin:tracker_detainedperson_changelist"))],
        "Campaigns and letters": [("Letters", reverse("admin:campaigns_letter_changelist"))],
    }


def test_the_sidebar_marks_the_list_being_shown(staff_client):
    page = staff_client.get(reverse("admin:tracker_newssource_changelist")).content.decode()
    active = re.findall(r'<a href="([^"]+)"[^>]*\bactive\b[^>]*>', page)
    assert reverse("admin:tracker_newssource_changelist") in active


def test_the_sign_in_pages_and_the_account_page_wear_the_theme_and_vigils_icon(staff_client):
    pages = [
        Client().get(reverse("admin:login")),
        staff_client.get(reverse("two_factor:setup")),
        staff_client.get(reverse("two_factor:profile")),
    ]
    for response in pages:
        assert response.status_code == 200
        page = response.content.decode()
        assert "unfold/css/styles.css" in page
        assert "vigil/admin.css" in page
        assert "vigil/favicon.svg" in page
    # The account page is an admin page: the sidebar is there.
    assert "Detained persons" in _sidebar(pages[2]).get("Cases", [("", "")])[0]


def test_a_project_home_page_template_replaces_the_themes_and_keeps_its_frame(
    staff_client, tmp_path, settings
):
    """templates/admin/index.html (the dashboard's place) extends the theme's home page."""
    (tmp_path / "admin").mkdir()
    (tmp_path / "admin" / "index.html").write_text(
        '{% extends "admin/index.html" %}'
        '{% block content %}<p id="home-probe">Vigil home</p>{{ block.super }}{% endblock %}'
    )
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [tmp_path, *engine["DIRS"]]}]
    response = staff_client.get(reverse("admin:index"))
    page = response.content.decode()
    assert '<p id="home-probe">Vigil home</p>' in page
    assert "Cases" in _sidebar(response)  # still inside the theme's page, sidebar and all
    assert reverse("admin:tracker_detainedperson_changelist") in page  # and its app list


def test_a_refused_page_says_why_and_what_to_do_in_the_admins_look(django_user_model):
    viewer = django_user_model.objects.create_user("viewer", password="x", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_detainedperson"))
    response = _logged_in(viewer).get(reverse("admin:tracker_detainedperson_add"))
    assert response.status_code == 403
    page = response.content.decode()
    assert "You are not allowed to do this" in page and "Editor role" in page
    assert reverse("admin:index") in page


def test_a_refused_page_keeps_the_admins_sidebar_and_logo(viewer):
    viewer.is_staff = True
    viewer.save()
    response = _logged_in(viewer).get(reverse("admin:tracker_detainedperson_add"))
    assert response.status_code == 403
    assert "You are not allowed to do this" in response.content.decode()
    sidebar = _sidebar(response)
    assert ("Detained persons", reverse("admin:tracker_detainedperson_changelist")) in (
        sidebar["Cases"]
    )
    assert static("vigil/favicon.svg") in response.content.decode()  # the site's icon


def test_a_refusal_is_logged_as_one_line_without_a_traceback(viewer, caplog):
    viewer.is_staff = True
    viewer.save()
    with caplog.at_level(logging.WARNING, logger="django.request"):
        _logged_in(viewer).get(reverse("admin:tracker_detainedperson_add"))
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.levelno == logging.WARNING
    assert record.getMessage() == "Forbidden (Permission denied): " + reverse(
        "admin:tracker_detainedperson_add"
    )
    assert record.exc_info is None
    assert "Traceback" not in caplog.text
