"""Enrolling a second factor: who may set up an authenticator app, and the links that let them.

A session that lacks the second factor it needs (config.admin_site.second_factor_missing: with
REQUIRE_2FA, or on an account that has a device) holds only a password, and whoever stole the
password has it too: such a session enrols no device on its own. It needs an enrolment link an
administrator issued for that account (the users' action "Issue a two-factor enrolment link",
or `manage.py issue_enrolment_link <username>` for the first administrator of an install).
A session that lacks nothing (it gave its second factor, or none is asked of it) enrols as
django-two-factor-auth lets it.

A link is stateless (no table): signed with SECRET_KEY like a password-reset link, for one
account, for TWO_FACTOR_ENROLMENT_LINK_HOURS. It also signs the account's password and its
confirmed devices, so enrolling a device (or a new password) ends it. Following it while
signed in as that account (a signed-out visitor is sent to the login first) keeps it in the
session, and the setup wizard checks it again at every step.
"""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.crypto import constant_time_compare
from django.utils.decorators import method_decorator
from django.utils.encoding import force_bytes, force_str
from django.utils.http import base36_to_int, urlsafe_base64_decode, urlsafe_base64_encode
from django.views.decorators.cache import never_cache
from django_otp import devices_for_user
from two_factor.urls import urlpatterns as library_urlpatterns
from two_factor.views import DisableView, ProfileView, QRGeneratorView, SetupView

from config.admin_site import second_factor_missing

# The session's grant to enrol: a link's token, checked again on every request.
ENROLMENT_SESSION_KEY = "vigil_2fa_enrolment"


class EnrolmentLinkTokens(PasswordResetTokenGenerator):
    key_salt = "config.enrolment.EnrolmentLinkTokens"

    def _make_hash_value(self, user, timestamp) -> str:
        devices = ",".join(sorted(d.persistent_id for d in devices_for_user(user, confirmed=True)))
        return f"{user.pk}|{user.password}|{user.is_active}|{timestamp}|{devices}"

    def check_token(self, user, token) -> bool:
        """Django's check, with the link's own lifetime (not PASSWORD_RESET_TIMEOUT)."""
        if not (user and token and isinstance(token, str)):
            return False
        try:
            ts_b36, _hash = token.split("-")
            ts = base36_to_int(ts_b36)
        except ValueError:
            return False
        if not any(
            constant_time_compare(self._make_token_with_timestamp(user, ts, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        ):
            return False
        age = self._num_seconds(self._now()) - ts
        return 0 <= age <= settings.TWO_FACTOR_ENROLMENT_LINK_HOURS * 3600


enrolment_tokens = EnrolmentLinkTokens()


def enrolment_link(user) -> str:
    """A new enrolment link for `user`, under SITE_URL."""
    url = reverse(
        "two_factor:enrol",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": enrolment_tokens.make_token(user),
        },
    )
    return settings.SITE_URL + url


def may_enrol(request) -> bool:
    """The rule: may this session set up a second factor for its account?"""
    user = request.user
    if not (user.is_authenticated and user.is_active):
        return False
    if not second_factor_missing(request):
        return True
    return enrolment_tokens.check_token(user, request.session.get(ENROLMENT_SESSION_KEY))


def _refused(request):
    context = {
        "title": "Set up two-factor authentication",
        "link_hours": settings.TWO_FACTOR_ENROLMENT_LINK_HOURS,
    }
    return TemplateResponse(request, "two_factor/core/setup_refused.html", context, status=403)


@method_decorator(never_cache, name="dispatch")
class EnrolmentSetupView(SetupView):
    """The library's setup wizard, for sessions that may enrol only (GET and POST alike)."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not may_enrol(request):
            return _refused(request)
        return super().dispatch(request, *args, **kwargs)

    def get_prefix(self, request, *args, **kwargs):
        return "setup_view"  # the library's (it is made from the class's name)

    def done(self, form_list, **kwargs):
        response = super().done(form_list, **kwargs)
        self.request.session.pop(ENROLMENT_SESSION_KEY, None)
        return response


@method_decorator(never_cache, name="dispatch")
class EnrolmentQRView(QRGeneratorView):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not may_enrol(request):
            return _refused(request)
        return super().dispatch(request, *args, **kwargs)


class EnrolmentDisableView(DisableView):
    """Turning 2FA off (which asks for the second factor) leaves the session allowed to set it
    up again: moving to a new phone needs no administrator."""

    def form_valid(self, form):
        response = super().form_valid(form)
        self.request.session[ENROLMENT_SESSION_KEY] = enrolment_tokens.make_token(self.request.user)
        return response


@never_cache
@login_required
def follow_enrolment_link(request, uidb64: str, token: str):
    """Keep a valid link in the session and go on to the setup, whose URL holds no token."""
    try:
        uid = force_str(urlsafe_base64_decode(uidb64))
    except (TypeError, ValueError):
        uid = None
    if uid != str(request.user.pk) or not enrolment_tokens.check_token(request.user, token):
        context = {
            "title": "Enrolment link",
            "link_hours": settings.TWO_FACTOR_ENROLMENT_LINK_HOURS,
        }
        return TemplateResponse(
            request, "two_factor/core/enrolment_link_invalid.html", context, status=400
        )
    request.session[ENROLMENT_SESSION_KEY] = token
    return redirect("two_factor:setup")


class AccountProfileView(ProfileView):
    """The account page, telling recovery codes used up from recovery codes never made: a
    code used sets its device's last_used_at (django-otp deletes the code itself)."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        devices = self.request.user.staticdevice_set
        context["recovery_codes_used_up"] = not context["backup_tokens"] and (
            devices.filter(last_used_at__isnull=False).exists()
        )
        return context


_OURS = {
    "profile": AccountProfileView.as_view(),
    "setup": EnrolmentSetupView.as_view(),
    "qr": EnrolmentQRView.as_view(),
    "disable": EnrolmentDisableView.as_view(),
}


# The URLconf of the pages under /admin/account/ (config/urls.py includes this module):
# django-two-factor-auth's, in its namespace, with the setup and its QR code gated by
# `may_enrol`, the disable page leaving its session allowed to set up a new phone, the account
# page telling used-up recovery codes from none made, and the enrolment link.
_library_patterns, app_name = library_urlpatterns
urlpatterns = [
    *(
        path(str(p.pattern), _OURS[p.name], name=p.name) if getattr(p, "name", None) in _OURS else p
        for p in _library_patterns
    ),
    path("account/two_factor/enrol/<str:uidb64>/<str:token>/", follow_enrolment_link, name="enrol"),
]
