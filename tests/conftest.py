import os

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from config.roles import EDITOR, VIEWER


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle counts live in the cache, which outlives each test's database rollback."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def staff_user(django_user_model):
    """A staff member (not a superuser) allowed to do everything with our records."""
    user = django_user_model.objects.create_user(
        username="researcher", password="correct horse battery staple", is_staff=True
    )
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label__in=["campaigns", "tracker"])
    )
    return user


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


# --- API clients for each role: anonymous, a user without permissions, Viewer, Editor (the
# groups the data migration creates) and a superuser. -------------------------------------------


def token_client(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def client_for():
    """`client_for(user)`: an API client authenticated as `user` with a token."""
    return token_client


@pytest.fixture
def anonymous_client():
    return APIClient()


@pytest.fixture
def nobody(django_user_model):
    """Logged in, but in no group and with no permission."""
    return django_user_model.objects.create_user(username="nobody", password="x")


@pytest.fixture
def viewer(django_user_model):
    user = django_user_model.objects.create_user(username="viewer", password="x")
    user.groups.add(Group.objects.get(name=VIEWER))
    return user


@pytest.fixture
def editor(django_user_model):
    user = django_user_model.objects.create_user(username="editor", password="x")
    user.groups.add(Group.objects.get(name=EDITOR))
    return user


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser(username="root", password="x")


@pytest.fixture
def nobody_client(nobody):
    return token_client(nobody)


@pytest.fixture
def viewer_client(viewer):
    return token_client(viewer)


@pytest.fixture
def editor_client(editor):
    return token_client(editor)


@pytest.fixture
def session_editor_client(editor):
    """The same Editor, logged in with a session cookie instead of a token."""
    client = APIClient()
    client.force_login(editor)
    return client


@pytest.fixture
def superuser_client(superuser):
    return token_client(superuser)


@pytest.fixture
def many_requests(settings):
    """For tests that make more requests than a client may make in a minute."""
    settings.API_THROTTLE_RATES = {"anon": "10000/minute", "user": "10000/minute"}


def _pdf_renderer_missing() -> str | None:
    """Why WeasyPrint cannot render here (it loads pango when imported), or None."""
    try:
        import weasyprint  # noqa: F401
    except OSError as exc:
        return f"WeasyPrint cannot load its system libraries ({exc})"
    return None


_PDF_MISSING = _pdf_renderer_missing()
if _PDF_MISSING and os.environ.get("VIGIL_REQUIRE_PDF") == "1":
    raise RuntimeError(
        f"{_PDF_MISSING}: apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk"
    )
# The case file's PDF tests: skipped where pango is missing (apt-get install libpango-1.0-0
# libpangoft2-1.0-0 fonts-noto-cjk), unless VIGIL_REQUIRE_PDF=1 (as in .ci/run, which installs
# them), where they fail instead.
needs_pdf_renderer = pytest.mark.skipif(_PDF_MISSING is not None, reason=_PDF_MISSING or "")
