"""The access log in the admin (Settings, then Access log): read-only for everyone, superusers
included. Records are written by tracker.accesslog.services and deleted only by the retention
prune; no page adds, changes or deletes one."""

from django.contrib import admin
from django.utils.html import format_html
from unfold.contrib.filters.admin import (
    ChoicesDropdownFilter,
    DropdownFilter,
    RangeDateTimeFilter,
    RelatedDropdownFilter,
)

from config.admin_base import ModelAdmin
from config.admin_names import StaffNamesMixin
from tracker.accesslog.models import AccessRecord


class ModelFilter(DropdownFilter):
    """The kinds of records the log mentions ("campaigns.signature"), as a dropdown."""

    title = "model"
    parameter_name = "model"

    def lookups(self, request, model_admin):
        models = AccessRecord.objects.exclude(model="").order_by("model").distinct()
        return [(label, label) for label in models.values_list("model", flat=True)]

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(model=value) if value else queryset


@admin.register(AccessRecord)
class AccessRecordAdmin(StaffNamesMixin, ModelAdmin):
    singular, plural = "access record", "Access log"  # the sidebar's name for the list
    list_display = [
        "at",
        "who",
        "action",
        "interface",
        "model",
        "record",
        "ip_address",
        "summary",
    ]
    list_filter = [
        ("action", ChoicesDropdownFilter),
        ("interface", ChoicesDropdownFilter),
        ModelFilter,
        ("at", RangeDateTimeFilter),
        ("user", RelatedDropdownFilter),
    ]
    list_filter_submit = True
    list_select_related = ["user"]
    search_fields = ["username", "object_repr", "=object_id"]
    search_help_text = "A user name (as typed at sign-in), a record's name or its id."
    fields = [
        "at",
        "user",
        "username",
        "action",
        "interface",
        "ip_address",
        "model",
        "object_id",
        "object_repr",
        "details",
    ]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="user", ordering="username")
    def who(self, obj: AccessRecord) -> str:
        if obj.user is not None and obj.user.get_username() != obj.username:
            return f"{obj.username} (now {obj.user.get_username()})"
        return obj.username or "—"

    @admin.display(description="record", ordering="object_repr")
    def record(self, obj: AccessRecord) -> str:
        if not obj.object_id:
            return "—"
        return format_html("{} <small>#{}</small>", obj.object_repr, obj.object_id)

    @admin.display(description="details")
    def summary(self, obj: AccessRecord) -> str:
        text = details_summary(obj)
        return (
            text if len(text) <= 80 else format_html('<span title="{}">{}…</span>', text, text[:79])
        )


def details_summary(record: AccessRecord) -> str:
    """A record's details in a few words, for the list."""
    details = record.details or {}
    match record.action:
        case AccessRecord.Action.EXPORT:
            filtered = ", ".join(f"{k}={v}" for k, v in (details.get("filters") or {}).items())
            parts = [f"{details.get('rows', '?')} rows as {details.get('format', '?')}"]
            if filtered:
                parts.append(f"filters {filtered}")
            if details.get("search"):
                parts.append(f"search “{details['search']}”")
            parts.append(f"{len(details.get('columns') or [])} columns")
            return "; ".join(parts)
        case AccessRecord.Action.RESTRICTED_VIEW:
            return ", ".join(details.get("fields") or [])
        case AccessRecord.Action.DOWNLOAD:
            return str(details.get("file", ""))
        case AccessRecord.Action.SIGN_IN_FAILED:
            if details.get("locked_out"):
                return "refused: locked out"
            return {"token": "wrong token", "backup": "wrong recovery code"}.get(
                details.get("step", ""), "wrong user name or password"
            )
    return ""
