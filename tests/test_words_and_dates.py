"""Issue #19 §4: one name per thing, words written out, dates in one format for staff.

The walker opens every admin page staff read (each list, one record's page and its History per
model, the dashboard, the two-factor pages) on the demo data and fails on a leftover "(s)", a
lowercase "url", an ISO date or an abbreviated month in the text staff read."""

import re

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import TokenProxy

from config.admin_theme import SIDEBAR
from tests.conftest import token_client
from tests.pages import text_of_markup
from tests.test_admin import _make_one
from tracker.models import AccessRecord, CaseEvent, DigestDelivery, Mention, Subscription
from tracker.newswatch.rotation import Coverage
from tracker.workspace.demo import seed_demo

pytestmark = pytest.mark.django_db

# What staff should never read: a plural left to the reader, a lowercase "url", a date in ISO
# form (the API's, not the staff's) or an abbreviated month ("Dec. 6, 2026").
LEFTOVERS = {
    "a plural written (s)": re.compile(r"\w\(s\)"),
    '"url" or "Url" for URL': re.compile(r"\b[Uu]rls?\b"),
    "an ISO date": re.compile(r"\b\d{4}-\d{2}-\d{2}\b"),
    "an abbreviated month": re.compile(r"\b(?:Jan|Feb|Mar|Apr|Aug|Sept|Oct|Nov|Dec)\.(?=\s)"),
}


def _url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def staff_text(response) -> str:
    """The text staff read: not what forms hold (typed data: inputs' values, text areas), nor
    link targets and other attributes. A choice's label is read, and so counts."""
    page = re.sub(r"<textarea\b.*?</textarea>", " ", response.content.decode(), flags=re.S)
    return text_of_markup(page)


def leftovers(text: str) -> list[str]:
    found = []
    for what, pattern in LEFTOVERS.items():
        for match in pattern.finditer(text):
            start, end = max(0, match.start() - 50), match.end() + 50
            found.append(f"{what}: ...{text[start:end]}...")
    return found


def _record(model, user):
    """One record of the model to open: the demo data's, else one made for the walk (devices
    for a colleague: the walker's own would ask it for a second factor)."""
    if obj := model.objects.first():
        return obj
    colleague = User.objects.get_or_create(username="colleague")[0]
    when = timezone.now()
    made = {
        AccessAttempt: lambda: AccessAttempt.objects.create(
            username="typo", ip_address="192.0.2.1", failures_since_start=2, attempt_time=when
        ),
        AccessFailureLog: lambda: AccessFailureLog.objects.create(
            username="typo", ip_address="192.0.2.1", attempt_time=when
        ),
        AccessLog: lambda: AccessLog.objects.create(
            username=user.username, ip_address="192.0.2.1", attempt_time=when
        ),
        TOTPDevice: lambda: TOTPDevice.objects.create(user=colleague, name="default"),
        StaticDevice: lambda: StaticDevice.objects.create(user=colleague, name="backup"),
        TokenProxy: lambda: TokenProxy.objects.create(user=user),
        AccessRecord: lambda: AccessRecord.objects.create(
            user=user, username=user.username, action=AccessRecord.Action.SIGN_IN, interface="admin"
        ),
    }
    return made[model]() if model in made else _make_one(model)


def admin_pages(user):
    models = sorted(admin.site._registry, key=lambda m: m is not DigestDelivery)
    yield reverse("admin:index")
    yield reverse("two_factor:profile")
    yield reverse("two_factor:setup")
    for model in models:
        obj = _record(model, user)
        yield _url(model, "changelist")
        yield _url(model, "change", obj.pk)
        yield _url(model, "history", obj.pk)


def test_no_admin_page_shows_a_leftover_plural_a_lowercase_url_or_an_iso_date(superuser):
    client = Client(raise_request_exception=False)
    client.force_login(superuser)
    seed_demo()
    failures = []
    for url in admin_pages(superuser):
        response = client.get(url)
        if response.status_code != 200:
            failures.append(f"{url}: HTTP {response.status_code}")
            continue
        failures += [f"{url}: {found}" for found in leftovers(staff_text(response))]
    assert failures == [], "\n".join(failures)


def test_staff_read_dates_as_6_december_2026_and_the_api_keeps_iso(client, superuser):
    seed_demo()
    client.force_login(superuser)
    event = CaseEvent.objects.get(person__name="Gao Yu", kind="released")
    assert str(event) == "26 November 2015: Released"
    listing = staff_text(client.get(_url(CaseEvent, "changelist")))
    assert "26 November 2015" in listing and "Nov. 26, 2015" not in listing
    api = token_client(superuser).get(f"/api/case-events/{event.pk}/").json()
    assert api["date"] == "2015-11-26"
    assert api["created_at"].startswith(f"{event.created_at:%Y-%m-%d}T")


def _header(response) -> str:
    """The page's header (the theme's breadcrumb), as text."""
    page = response.content.decode()
    h1 = re.search(r'<h1 class="overflow-hidden\b.*?</h1>', page, flags=re.S)
    assert h1, "no header in the page"
    return " ".join(re.sub(r"<[^>]+>|chevron_right", " ", h1.group(0)).split())


def test_each_list_is_called_what_the_sidebar_calls_it_in_its_header_title_and_name(
    client, superuser
):
    seed_demo()
    client.force_login(superuser)
    mismatches = []
    for group, links in SIDEBAR:
        for link in links:
            model = apps.get_model(link.model)
            model_admin = admin.site._registry[model]
            name = getattr(model_admin, "plural", "") or capfirst(model._meta.verbose_name_plural)
            if name != link.title:
                mismatches.append(
                    f"{link.model}: the sidebar says {link.title!r}, its pages {name!r}"
                )
            listing = client.get(_url(model, "changelist"))
            header = _header(listing)
            if not header.startswith(f"{group} {link.title}"):
                mismatches.append(f"{link.model}: header {header!r}")
    assert mismatches == [], "\n".join(mismatches)


def test_news_and_digest_pages_sit_under_their_sidebar_group_not_the_app_label(client, superuser):
    seed_demo()
    client.force_login(superuser)
    mention = Mention.objects.first()
    subscription = _make_one(Subscription)
    header = _header(client.get(_url(Mention, "change", mention.pk)))
    assert header == f"News watch News mentions {mention}"
    header = _header(client.get(_url(Subscription, "history", subscription.pk)))
    assert "Case tracker" not in header
    # The address as written: a breadcrumb that capitalised it read "Reader@example.org".
    assert header == "Digests Subscriptions reader@example.org (Daily)"


def test_the_api_docs_name_mentions_and_proposals_as_the_sidebar_does(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    summaries = {
        path: operation["get"]["summary"]
        for path, operation in schema["paths"].items()
        if "get" in operation
    }
    assert summaries["/api/mentions/"] == "List news mentions"
    assert summaries["/api/case-event-proposals/"] == "List events proposed from the news"


def test_a_coverage_warning_counts_one_minute_as_one_minute():
    coverage = Coverage(
        watched=3,
        searched_last_24h=0,
        never_searched=3,
        oldest_search_at=None,
        round_requests=3,
        round_seconds=90,
        poll_interval_seconds=60,
    )
    assert coverage.warning.startswith(
        "A full round takes about 2 minutes at this source's pace, longer than its poll "
        "interval of 1 minute: "
    )


# --- The two-factor pages --------------------------------------------------------------------


def _token_step(client, user):
    TOTPDevice.objects.create(user=user, name="default", confirmed=True)
    return client.post(
        reverse("admin:login"),
        {"login_view-current_step": "auth", "auth-username": user.username, "auth-password": "x"},
    )


def test_the_login_asks_for_the_6_digit_code_by_that_name_not_token(client, superuser):
    page = staff_text(_token_step(client, superuser))
    assert "Enter the 6-digit code" in page
    assert "6-digit code:" in page and "Token" not in page
    StaticDevice.objects.create(user=superuser, name="backup").token_set.create(token="abc12345")
    page = staff_text(
        client.post(
            reverse("admin:login"),
            {"login_view-current_step": "token", "wizard_goto_step": "backup"},
        )
    )
    assert "Recovery code:" in page and "Token" not in page


def test_setting_up_asks_for_the_6_digit_code_by_that_name(client, superuser):
    client.force_login(superuser)
    setup = reverse("two_factor:setup")
    page = staff_text(client.post(setup, {"setup_view-current_step": "welcome"}))
    assert "Enter the 6-digit code the app now shows" in page
    assert "6-digit code:" in page and "Token" not in page


def test_the_account_page_tells_recovery_codes_never_made_from_codes_used_up(client, superuser):
    client.force_login(superuser)
    TOTPDevice.objects.create(user=superuser, name="default", confirmed=True)
    session = client.session
    session["otp_device_id"] = TOTPDevice.objects.get().persistent_id
    session.save()
    profile = reverse("two_factor:profile")
    page = staff_text(client.get(profile))
    assert "You have not made recovery codes yet" in page
    assert "no recovery codes left" not in page
    client.get(reverse("two_factor:backup_tokens"))  # the page makes an empty set of codes
    assert "You have not made recovery codes yet" in staff_text(client.get(profile))
    codes = StaticDevice.objects.get(user=superuser)
    codes.token_set.create(token="abc12345")
    assert "You have 1 unused recovery code." in staff_text(client.get(profile))
    assert codes.verify_token("abc12345")  # the last one used
    page = staff_text(client.get(profile))
    assert "You have no recovery codes left" in page and "not made" not in page
