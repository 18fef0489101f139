"""Sign-ins and failed sign-ins in the access log.

Django announces them only by its auth signals, so the receivers here are connected in the
tracker app's ready() (tracker/apps.py), the one place signals are used:

- `user_logged_in`: a staff member got through the whole admin login (the password, then the
  token when their account has two-factor authentication on).
- `user_login_failed`: a wrong user name or password, or a try that django-axes refused
  because that user name is locked out from that address (its backend raises PermissionDenied,
  which authenticate() reports as a failure). django-axes's own receiver runs first (its app
  comes first), so `request.axes_locked_out` says whether this answer was the lockout.

A wrong token at the second step sends no signal: `LoginView` records it. API tokens never
sign in: they are checked on each request, and are not recorded here."""

from django.contrib.auth.signals import user_logged_in, user_login_failed
from two_factor.views import LoginView as TwoFactorLoginView

from tracker.accesslog.models import AccessRecord
from tracker.accesslog.services import access_record


def record_sign_in(sender, request, user, **kwargs) -> None:
    access_record(
        request=request,
        action=AccessRecord.Action.SIGN_IN,
        interface=AccessRecord.Interface.ADMIN,
        user=user,
    )


def record_sign_in_failed(sender, credentials, request=None, **kwargs) -> None:
    # No `user`: the name typed may be no one's. (Django has already masked the password in
    # `credentials`; only the name is kept.)
    access_record(
        request=request,
        action=AccessRecord.Action.SIGN_IN_FAILED,
        interface=AccessRecord.Interface.ADMIN,
        username=str(credentials.get("username") or ""),
        details={
            "step": "password",
            "locked_out": bool(getattr(request, "axes_locked_out", False)),
        },
    )


def connect() -> None:
    user_logged_in.connect(record_sign_in, dispatch_uid="accesslog_sign_in")
    user_login_failed.connect(record_sign_in_failed, dispatch_uid="accesslog_sign_in_failed")


class LoginView(TwoFactorLoginView):
    """django-two-factor-auth's login, recording a wrong token (or recovery code) at the second
    step as a failed sign-in of the user whose password was right."""

    def render(self, form=None, **kwargs):
        second_step = self.steps.current in (self.TOKEN_STEP, self.BACKUP_STEP)
        if second_step and form is not None and form.is_bound and not form.is_valid():
            user = self.get_user()
            access_record(
                request=self.request,
                action=AccessRecord.Action.SIGN_IN_FAILED,
                interface=AccessRecord.Interface.ADMIN,
                user=user or None,
                username=user.get_username() if user else "",
                details={"step": self.steps.current},
            )
        return super().render(form, **kwargs)

    def get_form(self, step=None, **kwargs):
        # No field takes the focus by itself (Django's login form asks for it): on every page
        # the skip link is the first thing the keyboard reaches (README: Accessibility).
        form = super().get_form(step, **kwargs)
        for field in form.fields.values():
            field.widget.attrs.pop("autofocus", None)
        return form
