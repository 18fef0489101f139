"""The API's authentication: tokens (`Token` or `Bearer`), and Django's session, refused when it
lacks the second factor.

A session signed in with the password alone, where a second factor is required (REQUIRE_2FA, or
an account with a device), is answered 401 with the reason, never as that user: the rule is the
admin site's (config.admin_site.second_factor_missing). Tokens (TokenAuthentication) are not
sessions and are unaffected.
"""

from drf_spectacular.authentication import SessionScheme
from rest_framework.authentication import (
    SessionAuthentication,
    TokenAuthentication,
    get_authorization_header,
)
from rest_framework.exceptions import AuthenticationFailed

from config.admin_site import second_factor_missing

SECOND_FACTOR_REQUIRED = (
    "Two-factor authentication required: sign in with your second factor at /admin/login/."
)


class TokenOrBearerAuthentication(TokenAuthentication):
    """DRF's token, sent as `Authorization: Token <key>` or, as most HTTP clients and OAuth
    habits write it, `Authorization: Bearer <key>`. Any other scheme is refused by name
    instead of being taken for no credentials at all."""

    keyword = "Token"
    schemes = (b"token", b"bearer")

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header:
            return None
        if header[0].lower() not in self.schemes:
            raise AuthenticationFailed(
                "Unsupported authorization scheme: send 'Authorization: Token <key>' (or "
                "'Bearer <key>')."
            )
        if len(header) != 2:
            raise AuthenticationFailed(
                "Invalid token header: send 'Authorization: Token <key>', the key without spaces."
            )
        try:
            key = header[1].decode()
        except UnicodeError:
            raise AuthenticationFailed(
                "Invalid token header: the key has invalid characters."
            ) from None
        return self.authenticate_credentials(key)


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
