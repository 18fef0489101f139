"""Issue 18 §1: a session that has not given the second factor it needs (REQUIRE_2FA, or an
account with a device) reaches no record by any path: the API (a 401 naming the reason),
downloads, exports, imports, the dashboard and every other admin page. API tokens are not
sessions and keep working; a token is made only by a fully signed-in session."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from campaigns.services import letter_response_record
from config.api_router import router
from tests.campaigns.factories import LetterFactory, PersonFactory
from tests.tracker.factories import DetainedPersonFactory
from tracker.models import Subscription

pytestmark = pytest.mark.django_db

SECOND_FACTOR_DETAIL = (
    "Two-factor authentication required: sign in with your second factor at /admin/login/."
)


@pytest.fixture
def require_2fa(settings):
    settings.REQUIRE_2FA = True


def password_only(client, user):
    """`client` signed in as `user` with the password alone (no second factor given)."""
    client.force_login(user)
    return client


def fully_signed_in(client, user):
    """`client` signed in as `user` with the password and a token from their device."""
    device, _ = TOTPDevice.objects.get_or_create(user=user, name="default", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def sent_to_the_login(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


# --- the API ---------------------------------------------------------------------------------


def test_a_password_only_session_reads_no_case_file_from_the_api(staff_user, require_2fa):
    DetainedPersonFactory()
    client = password_only(APIClient(), staff_user)
    response = client.get("/api/detained-persons/?page_size=200")
    assert response.status_code == 401
    assert response.json() == {"detail": SECOND_FACTOR_DETAIL}
    assert response["WWW-Authenticate"].startswith("Token")


def test_a_password_only_session_subscribes_no_outside_address(staff_user, require_2fa):
    client = password_only(APIClient(), staff_user)
    body = {"email": "attacker@example.net", "frequency": "daily"}
    response = client.post("/api/subscriptions/", body, format="json")
    assert response.status_code == 401
    assert response.json() == {"detail": SECOND_FACTOR_DETAIL}
    assert not Subscription.objects.exists()


@pytest.mark.parametrize("prefix", [prefix for prefix, _viewset, _name in router.registry])
def test_no_api_endpoint_answers_a_password_only_session(staff_user, require_2fa, prefix):
    response = password_only(APIClient(), staff_user).get(f"/api/{prefix}/")
    assert response.status_code == 401
    assert response.json() == {"detail": SECOND_FACTOR_DETAIL}


@pytest.mark.parametrize(
    "path", ["", "people", "petitions", "signatures", "advocacy_campaigns", "outreaches"]
)
def test_no_osdi_collection_answers_a_password_only_session(staff_user, require_2fa, path):
    response = password_only(APIClient(), staff_user).get(f"/api/osdi/v1/{path}")
    assert response.status_code == 401
    assert response.json() == {"detail": SECOND_FACTOR_DETAIL}
    assert fully_signed_in(APIClient(), staff_user).get(f"/api/osdi/v1/{path}").status_code == 200


def test_without_2fa_required_an_account_with_a_device_still_needs_its_token_for_the_api(
    staff_user,
):
    TOTPDevice.objects.create(user=staff_user, name="default", confirmed=True)
    response = password_only(APIClient(), staff_user).get("/api/detained-persons/")
    assert response.status_code == 401
    assert response.json() == {"detail": SECOND_FACTOR_DETAIL}


def test_a_fully_signed_in_session_uses_the_api(staff_user, require_2fa):
    client = fully_signed_in(APIClient(), staff_user)
    assert client.get("/api/detained-persons/").status_code == 200
    body = {"email": "colleague@example.org", "frequency": "daily"}
    assert client.post("/api/subscriptions/", body, format="json").status_code == 201
    assert Subscription.objects.filter(email="colleague@example.org").exists()


def test_without_2fa_required_a_password_session_of_an_account_without_a_device_uses_the_api(
    staff_user,
):
    assert password_only(APIClient(), staff_user).get("/api/campaigns/").status_code == 200


def test_api_tokens_keep_working_when_2fa_is_required(staff_user, require_2fa):
    TOTPDevice.objects.create(user=staff_user, name="default", confirmed=True)
    token = Token.objects.create(user=staff_user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get("/api/detained-persons/").status_code == 200


# --- the admin's pages that hold records -----------------------------------------------------


def test_a_password_only_session_downloads_no_letter_response_file(
    client, staff_user, require_2fa, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    response = letter_response_record(
        letter=LetterFactory(),
        person=PersonFactory(),
        received_on="2025-02-03",
        summary="Scanned reply.",
        file=SimpleUploadedFile("reply.pdf", b"%PDF-1.4 the reply"),
    )
    url = reverse("admin:campaigns_letterresponse_file", args=[response.pk])
    assert sent_to_the_login(password_only(client, staff_user).get(url))
    assert fully_signed_in(Client(), staff_user).get(url).status_code == 200


def test_a_password_only_session_exports_no_signatures(client, staff_user, require_2fa):
    url = reverse("admin:campaigns_signature_export")
    assert sent_to_the_login(password_only(client, staff_user).get(url))
    assert sent_to_the_login(password_only(client, staff_user).post(url, {"format": "0"}))
    assert fully_signed_in(Client(), staff_user).get(url).status_code == 200


def test_a_password_only_session_sees_no_dashboard(client, staff_user, require_2fa):
    DetainedPersonFactory()
    response = password_only(client, staff_user).get(reverse("admin:index"))
    assert sent_to_the_login(response)
    page = fully_signed_in(Client(), staff_user).get(reverse("admin:index"))
    assert page.status_code == 200


def test_a_password_only_session_reaches_no_import_page(client, staff_user, require_2fa):
    letter = LetterFactory()
    url = reverse("admin:campaigns_letter_import_signatures", args=[letter.pk])
    assert sent_to_the_login(password_only(client, staff_user).get(url))
    persons_import = reverse("admin:tracker_detainedperson_import")
    assert sent_to_the_login(password_only(client, staff_user).get(persons_import))


def _admin_urls(patterns) -> dict[str, str]:
    """Every named admin page, by name, with 1 for any record id (the check comes before any
    look-up)."""
    urls = {}
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            urls |= _admin_urls(pattern.url_patterns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            regex = pattern.pattern.regex
            if regex.groupindex:
                kwargs = {
                    name: "campaigns" if name == "app_label" else "1" for name in regex.groupindex
                }
                urls[pattern.name] = reverse(f"admin:{pattern.name}", kwargs=kwargs)
            else:
                urls[pattern.name] = reverse(f"admin:{pattern.name}", args=["1"] * regex.groups)
    return urls


def test_no_admin_page_answers_a_password_only_session(staff_user, require_2fa):
    """Every named admin URL (the theme's and the libraries' included), not only the ones
    the tests above name: each goes through the admin site's one check."""
    from django.contrib import admin

    staff_user.is_superuser = True
    staff_user.save()
    client = password_only(Client(), staff_user)
    urls = _admin_urls(admin.site.get_urls())
    del urls["login"], urls["logout"]
    assert len(urls) > 100
    reached = [url for url in urls.values() if not sent_to_the_login(client.get(url))]
    assert reached == []


# --- API tokens ------------------------------------------------------------------------------


def test_a_password_only_session_makes_no_api_token(client, superuser, require_2fa):
    response = password_only(client, superuser).post(
        reverse("admin:authtoken_tokenproxy_add"), {"user": superuser.pk}
    )
    assert sent_to_the_login(response)
    assert not Token.objects.exists()


def test_an_account_with_a_device_makes_no_api_token_without_its_second_factor(client, superuser):
    TOTPDevice.objects.create(user=superuser, name="default", confirmed=True)
    response = password_only(client, superuser).post(
        reverse("admin:authtoken_tokenproxy_add"), {"user": superuser.pk}
    )
    assert sent_to_the_login(response)
    assert not Token.objects.exists()


def test_a_fully_signed_in_administrator_makes_an_api_token(client, superuser, require_2fa):
    response = fully_signed_in(client, superuser).post(
        reverse("admin:authtoken_tokenproxy_add"), {"user": superuser.pk}
    )
    assert response.status_code == 302
    assert Token.objects.filter(user=superuser).exists()


@pytest.fixture
def token_keeper(staff_user):
    """A staff member allowed to manage API tokens, who is no administrator."""
    from django.contrib.auth.models import Permission

    staff_user.user_permissions.add(*Permission.objects.filter(content_type__app_label="authtoken"))
    return staff_user


def test_staff_who_are_no_administrators_make_api_tokens_for_themselves_only(
    client, token_keeper, superuser, require_2fa
):
    client = fully_signed_in(client, token_keeper)
    add = reverse("admin:authtoken_tokenproxy_add")
    response = client.post(add, {"user": superuser.pk})
    assert response.status_code == 200
    assert not Token.objects.filter(user=superuser).exists()
    assert client.post(add, {"user": token_keeper.pk}).status_code == 302
    assert Token.objects.filter(user=token_keeper).exists()


def test_staff_who_are_no_administrators_see_no_one_elses_api_token(
    client, token_keeper, superuser, require_2fa
):
    theirs = Token.objects.create(user=superuser)
    client = fully_signed_in(client, token_keeper)
    page = client.get(reverse("admin:authtoken_tokenproxy_changelist"))
    assert page.status_code == 200
    assert theirs.key not in page.text
    change = reverse("admin:authtoken_tokenproxy_change", args=[superuser.pk])
    assert theirs.key not in client.get(change, follow=True).text
