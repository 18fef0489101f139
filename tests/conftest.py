import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache


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
