"""The API's session authentication: Django's session, refused when it lacks the second factor.

A session signed in with the password alone, where a second factor is required (REQUIRE_2FA, or
an account with a device), is answered 401 with the reason, never as that user: the rule is the
admin site's (config.admin_site.second_factor_missing). Tokens (TokenAuthentication) are not
sessions and are unaffected.
"""

from drf_spectacular.authentication import SessionScheme
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import AuthenticationFailed

from config.admin_site import second_factor_missing

SECOND_FACTOR_REQUIRED = (
    "Two-factor authentication required: sign in with your second factor at /admin/login/."
)


class SecondFactorSessionAuthentication(SessionAuthentication):
    def authenticate(self, request):
        user = getattr(request._request, "user", None)
        # Before the CSRF check, so that the answer names the reason.
        if user is not None and user.is_active and second_factor_missing(request._request):
            raise AuthenticationFailed(SECOND_FACTOR_REQUIRED)
        return super().authenticate(request)


class SecondFactorSessionScheme(SessionScheme):
    """The schema describes it as the session cookie it is (drf-spectacular)."""

    target_class = SecondFactorSessionAuthentication
