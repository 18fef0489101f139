"""The login lockout in the admin: locked-out user names and addresses, and unlocking them.

django-axes counts failed logins per user name and address (settings AXES_*); after
AXES_FAILURE_LIMIT of them that pair is refused until AXES_COOLOFF_MINUTES have passed, or
until someone unlocks it here.
"""

from axes.admin import AccessAttemptAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessLog
from axes.utils import reset
from django.contrib import admin, messages
from unfold.admin import ModelAdmin


class LoginAttemptAdmin(AccessAttemptAdmin, ModelAdmin):
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


def register() -> None:
    admin.site.register(AccessAttempt, LoginAttemptAdmin)
    admin.site.register(AccessLog, LoginLogAdmin)


class LoginLogAdmin(AccessLogAdmin, ModelAdmin):
    pass
