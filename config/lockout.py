"""The login lockout: its two limits, the page that says which one a login hit, and the admin
that shows and lifts them. README "Security".

django-axes counts failed logins (settings AXES_*):
- per user name *and* address: after AXES_FAILURE_LIMIT of them that pair is refused until
  AXES_COOLOFF_MINUTES have passed (axes' own database handler);
- per user name, from any addresses (VigilAxesHandler): once AXES_USERNAME_FAILURE_LIMIT
  failures of a user name lie within AXES_USERNAME_FAILURE_WINDOW, it is refused from every
  address. The failures are axes' failure log (one AccessFailureLog row each), so guessing
  spread over many addresses is capped by the same records that show it to administrators.

An administrator lifts either lock here. Lifting a user name's lock keeps its failures on
record: it notes in the cache the time from which they count again.
"""

import datetime
import hashlib

from axes.admin import AccessAttemptAdmin, AccessLogAdmin
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from axes.signals import user_locked_out
from axes.utils import reset
from django.conf import settings
from django.contrib import admin, messages
from django.core.cache import cache
from django.db.models import BooleanField, Count, ExpressionWrapper, Q
from django.shortcuts import render
from django.utils import timezone

from config.admin_base import ModelAdmin
from config.admin_names import StaffNamesMixin
from config.formats import staff_datetime

# --- The user name limit --------------------------------------------------------------------


def _lifted_key(username: str) -> str:
    return "vigil-username-lock-lifted:" + hashlib.sha256(username.encode()).hexdigest()


def _counted_since(username: str, now: datetime.datetime) -> datetime.datetime:
    """Failures after this time count: the window's start, or a later lift."""
    since = now - settings.AXES_USERNAME_FAILURE_WINDOW
    lifted = cache.get(_lifted_key(username))
    return max(since, lifted) if lifted else since


def username_failures(username: str | None, *, now: datetime.datetime | None = None) -> int:
    """How many failed logins of this user name, from any addresses, count towards its lock."""
    if not username:
        return 0
    now = now or timezone.now()
    return AccessFailureLog.objects.filter(
        username=username, attempt_time__gt=_counted_since(username, now)
    ).count()


def username_is_locked(username: str | None, *, now: datetime.datetime | None = None) -> bool:
    return username_failures(username, now=now) >= settings.AXES_USERNAME_FAILURE_LIMIT


def locked_usernames(*, now: datetime.datetime | None = None) -> list[str]:
    """The user names locked now, from every address."""
    now = now or timezone.now()
    candidates = (
        AccessFailureLog.objects.filter(
            attempt_time__gt=now - settings.AXES_USERNAME_FAILURE_WINDOW,
            username__isnull=False,
        )
        .values("username")
        .annotate(failures=Count("id"))
        .filter(failures__gte=settings.AXES_USERNAME_FAILURE_LIMIT)
        .values_list("username", flat=True)
    )
    # A lift may have forgiven some of them.
    return sorted(name for name in candidates if username_is_locked(name, now=now))


def username_lock_lift(*, username: str) -> None:
    """Lift a user name's lock: from every address, and the per-address locks with it, so that
    its owner can log in again. Its failures stay on record; only later ones count."""
    now = timezone.now()
    timeout = int(settings.AXES_USERNAME_FAILURE_WINDOW.total_seconds())
    cache.set(_lifted_key(username), now, timeout=timeout)
    reset(username=username)


class VigilAxesHandler(AxesDatabaseHandler):
    """axes' database handler (the per-address limit, every failure in the failure log), plus
    the per-user-name limit over every address. settings.AXES_HANDLER."""

    def is_locked(self, request, credentials: dict | None = None) -> bool:
        if super().is_locked(request, credentials):
            return True
        username = get_client_username(request, credentials)
        return username_is_locked(username, now=request.axes_attempt_time)

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        # Records the failure (AccessAttempt and AccessFailureLog) and the per-address lock.
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or request.axes_locked_out or self.is_whitelisted(request, credentials):
            return
        username = get_client_username(request, credentials)
        if username_is_locked(username, now=request.axes_attempt_time):
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send(
                "axes", request=request, username=username, ip_address=request.axes_ip_address
            )

    def remove_out_of_limit_failure_logs(self, *, username: str, limit: int | None = None) -> int:
        """Keep a user name's newest failures. (axes 8.3.1 deletes the newest ones past its
        limit, which would let a user name's lock lapse while the guessing goes on.)"""
        limit = settings.AXES_ACCESS_FAILURE_LOG_PER_USER_LIMIT if limit is None else limit
        failures = AccessFailureLog.objects.filter(username=username).order_by("-attempt_time")
        stale = list(failures.values_list("pk", flat=True)[limit:])
        if not stale:
            return 0
        count, _ = AccessFailureLog.objects.filter(pk__in=stale).delete()
        return count


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the lockout page, saying which limit this login hit."""
    username = get_client_username(request, credentials) or ""
    context = {
        "username": username,
        "failure_limit": get_failure_limit(request, credentials),
        "cooloff_timedelta": get_cool_off(request),
        "username_locked": username_is_locked(username, now=request.axes_attempt_time),
        "username_failure_limit": settings.AXES_USERNAME_FAILURE_LIMIT,
    }
    return render(
        request, settings.AXES_LOCKOUT_TEMPLATE, context, status=settings.AXES_HTTP_RESPONSE_CODE
    )


# --- The admin ------------------------------------------------------------------------------


class AxesNames(StaffNamesMixin):
    """axes' records in the sidebar's words (#19 §4): its models are named "access attempt",
    "access failure" and "access log", and their records by ISO timestamps, names that are axes'
    own (changing them would be a migration of axes)."""

    record_words = ""

    def header_name(self, obj) -> str:
        who, when = obj.username or "unknown user name", staff_datetime(obj.attempt_time)
        where = f" from {obj.ip_address}" if obj.ip_address else ""
        return f"{self.record_words} {who}{where}, {when}"


class LoginAttemptAdmin(AxesNames, AccessAttemptAdmin, ModelAdmin):
    singular, plural, record_words = "login attempt", "Login attempts", "Login attempts of"
    actions = ["unlock", *AccessAttemptAdmin.actions]

    @admin.action(
        description="Unlock the selected user names and addresses",
        permissions=["delete"],
    )
    def unlock(self, request, queryset):
        unlocked = []
        for attempt in queryset:
            reset(ip=attempt.ip_address, username=attempt.username)
            unlocked.append(f"{attempt.username} from {attempt.ip_address}")
        self.message_user(
            request,
            "Unlocked: " + "; ".join(unlocked) + ". They can log in again.",
            messages.SUCCESS,
        )
        names = {attempt.username for attempt in queryset}
        still = [name for name in locked_usernames() if name in names]
        if still:
            self.message_user(
                request,
                "Still locked from every address: "
                + ", ".join(still)
                + ". Lift that lock under Settings › Failed logins.",  # noqa: RUF001 (the menu's own sign)
                messages.WARNING,
            )


class UsernameLockedFilter(admin.SimpleListFilter):
    title = "user name locked from every address"
    parameter_name = "username_locked"

    def lookups(self, request, model_admin):
        return [("yes", "Locked now (their failures of the last hour)")]

    def queryset(self, request, queryset):
        if self.value() != "yes":
            return queryset
        now = timezone.now()
        return queryset.filter(
            username__in=locked_usernames(now=now),
            attempt_time__gt=now - settings.AXES_USERNAME_FAILURE_WINDOW,
        )


class FailedLoginAdmin(AxesNames, ModelAdmin):
    """Every failed login (axes' failure log): the record of guessing, kept when a lock is
    lifted. Read-only."""

    singular, plural, record_words = "failed login", "Failed logins", "Failed login of"

    list_display = [
        "attempt_time",
        "username",
        "ip_address",
        "user_agent",
        "path_info",
        "locked_out",
        "username_locked",
    ]
    list_filter = [UsernameLockedFilter, "attempt_time", "locked_out"]
    search_fields = ["username", "ip_address", "user_agent"]
    date_hierarchy = "attempt_time"
    readonly_fields = [
        "username",
        "ip_address",
        "user_agent",
        "http_accept",
        "path_info",
        "attempt_time",
        "locked_out",
    ]
    actions = ["lift_username_lock"]

    def get_queryset(self, request):
        locked = Q(username__in=locked_usernames())
        return (
            super()
            .get_queryset(request)
            .annotate(username_locked_now=ExpressionWrapper(locked, output_field=BooleanField()))
        )

    @admin.display(boolean=True, description="user name locked now")
    def username_locked(self, obj) -> bool:
        return obj.username_locked_now

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        # The record of an attack outlives the lock: lifting it deletes nothing.
        return False

    def has_unlock_permission(self, request) -> bool:
        # Whoever may unlock a user name from an address may lift its lock from all of them.
        return request.user.has_perm("axes.delete_accessattempt")

    @admin.action(
        description="Lift the lock on the selected user names (every address)",
        permissions=["unlock"],
    )
    def lift_username_lock(self, request, queryset):
        usernames = sorted({name for name in queryset.values_list("username", flat=True) if name})
        for username in usernames:
            username_lock_lift(username=username)
        self.message_user(
            request,
            "Lifted the lock on "
            + ", ".join(usernames)
            + " (every address). They can log in again.",
            messages.SUCCESS,
        )


class LoginLogAdmin(AxesNames, AccessLogAdmin, ModelAdmin):
    singular, plural, record_words = "login", "Login log", "Login of"


def register() -> None:
    admin.site.register(AccessAttempt, LoginAttemptAdmin)
    admin.site.register(AccessFailureLog, FailedLoginAdmin)
    admin.site.register(AccessLog, LoginLogAdmin)
