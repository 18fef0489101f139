"""What a browser meets around the admin: the address of the site itself, the icon, the header
links and Vigil's own admin stylesheet (which makes lists and forms fit a 1366 px screen)."""

import pytest
from django.contrib import admin
from django.contrib.staticfiles import finders
from django.urls import reverse

from tracker.models import DetainedPerson
from tracker.workspace.demo import seed_demo

pytestmark = pytest.mark.django_db


def test_the_bare_address_leads_to_the_admin(client):
    response = client.get("/", follow=True)
    assert response.redirect_chain[0] == ("/admin/", 302)
    assert response.status_code == 200
    assert response.request["PATH_INFO"] == "/admin/login/"


def test_the_admin_header_has_no_view_site_link_to_a_site_that_does_not_exist(staff_client):
    page = staff_client.get(reverse("admin:index")).content.decode()
    assert "View site" not in page
    assert "Log out" in page  # the header is there


def test_no_record_offers_view_on_site_for_lack_of_a_public_page(staff_client):
    # "View on site" appears for models with get_absolute_url: none has one, as there is no
    # public site to show them on.
    assert [m for m in admin.site._registry if hasattr(m, "get_absolute_url")] == []
    seed_demo()
    person = DetainedPerson.objects.get(name="Gao Yu")
    page = staff_client.get(reverse("admin:tracker_detainedperson_change", args=[person.pk]))
    assert "View on site" not in page.content.decode()


def test_favicon_ico_is_a_real_icon(client):
    response = client.get("/favicon.ico", follow=True)
    assert response.redirect_chain == [("/static/vigil/favicon.ico", 301)]
    assert response.status_code == 200
    assert response["Content-Type"] in {"image/x-icon", "image/vnd.microsoft.icon"}
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"  # ICO signature


@pytest.mark.parametrize(
    "url",
    [
        "/admin/login/",
        "/admin/",
        "/admin/tracker/detainedperson/",
        "/admin/tracker/detainedperson/add/",
        "/admin/campaigns/organization/import/",
    ],
)
def test_every_admin_page_links_vigils_icon_and_stylesheet(staff_client, url):
    if url == "/admin/login/":
        staff_client.logout()
    page = staff_client.get(url).content.decode()
    for href in [
        "/static/vigil/favicon.svg",
        "/static/vigil/favicon.ico",
        "/static/vigil/admin.css",
    ]:
        assert href in page, href
        assert finders.find(href.removeprefix("/static/")), href
