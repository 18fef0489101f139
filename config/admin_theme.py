"""The admin's theme, django-unfold: its sidebar, and the other libraries' pages in its classes.

Vigil's own admins subclass unfold's `ModelAdmin` (as config.admin_base.ModelAdmin, whose
lists count up to a cap) and inlines (through config.admin and config.history). The pages
that other libraries register (users and groups, two-factor devices, API tokens) are
registered again here with those classes mixed in, so that their forms and lists look and
count like the rest; their behaviour stays the library's.

The sidebar (settings UNFOLD["SIDEBAR"]["navigation"] = `navigation`) is grouped by task; each
link shows only to those who may view that list, and a group with no such link is left out.
To add a page to it, add a `Link` to one of the groups in `SIDEBAR`.
"""

from dataclasses import dataclass
from functools import lru_cache

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group, User
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import get_script_prefix, reverse
from rest_framework.authtoken.admin import TokenAdmin as DRFTokenAdmin
from rest_framework.authtoken.models import TokenProxy
from unfold.forms import AdminPasswordChangeForm, UserChangeForm, UserCreationForm

from config.admin_base import ModelAdmin
from config.admin_names import StaffNamesMixin
from tracker.admin_widgets import NamedInlineFields


@dataclass(frozen=True)
class Link:
    title: str
    icon: str  # a Material Symbols name (the font ships with unfold)
    model: str  # "app_label.model_name": links to its list, shown to who may view it


SIDEBAR: list[tuple[str, list[Link]]] = [
    (
        "Tasks",
        [
            Link("Tasks", "task_alt", "tracker.task"),
            Link("Task reminders", "alarm", "tracker.taskreminder"),
            Link("Staff preferences", "tune", "tracker.staffpreference"),
        ],
    ),
    (
        "Cases",
        [
            Link("Detained persons", "person_alert", "tracker.detainedperson"),
            Link("Case events", "event_note", "tracker.caseevent"),
            Link("Events proposed from the news", "new_releases", "tracker.caseeventproposal"),
            Link("Legal limits", "gavel", "tracker.legallimit"),
        ],
    ),
    (
        "Campaigns and letters",
        [
            Link("Campaigns", "campaign", "campaigns.campaign"),
            Link("Letters", "mail", "campaigns.letter"),
            Link("Letter responses", "mark_email_read", "campaigns.letterresponse"),
            Link("Signatures", "signature", "campaigns.signature"),
            Link("Organizations", "corporate_fare", "campaigns.organization"),
            Link("People", "group", "campaigns.person"),
        ],
    ),
    (
        "News watch",
        [
            Link("News mentions", "fact_check", "tracker.mention"),
            Link("News sources", "rss_feed", "tracker.newssource"),
            Link("News items", "newspaper", "tracker.newsitem"),
        ],
    ),
    (
        "Digests",
        [
            Link("Subscriptions", "forward_to_inbox", "tracker.subscription"),
            Link("Digest deliveries", "outgoing_mail", "tracker.digestdelivery"),
            Link("Suppressed addresses", "unsubscribe", "tracker.suppressedaddress"),
        ],
    ),
    (
        "Settings",
        [
            Link("Users", "person", "auth.user"),
            Link("Groups", "groups", "auth.group"),
            Link("Authenticator apps", "phonelink_lock", "otp_totp.totpdevice"),
            Link("Recovery codes", "key", "otp_static.staticdevice"),
            Link("API tokens", "token", "authtoken.tokenproxy"),
            Link("Login attempts", "lock_person", "axes.accessattempt"),
            Link("Failed logins", "gpp_maybe", "axes.accessfailurelog"),
            Link("Login log", "history", "axes.accesslog"),
            # Superusers only: no role may view it (config.roles.NOT_FOR_ROLES).
            Link("Access log", "policy", "tracker.accessrecord"),
        ],
    ),
]


def _registered(label: str):
    """The admin of the model `app_label.model_name`, or None when it has none."""
    try:
        return admin.site._registry.get(apps.get_model(label))
    except LookupError:
        return None


def may_view(label: str, request: HttpRequest) -> bool:
    """The sidebar's permission callback: the list is registered and the user may see it."""
    model_admin = _registered(label)
    return model_admin is not None and model_admin.has_view_or_change_permission(request)


@lru_cache(maxsize=8)
def _list_urls(script_prefix: str) -> dict[str, str]:
    """Every sidebar link's address, reversed once per process (and script prefix), not for
    each link of each page: the URLs do not change while the server runs."""
    return {
        link.model: reverse(f"admin:{link.model.replace('.', '_')}_changelist")
        for _, links in SIDEBAR
        for link in links
        if _registered(link.model) is not None
    }


@receiver(setting_changed)
def _forget_list_urls(*, setting, **kwargs) -> None:
    if setting == "ROOT_URLCONF":  # as Django forgets its own resolvers (tests change it)
        _list_urls.cache_clear()


def navigation(request: HttpRequest) -> list[dict]:
    """UNFOLD["SIDEBAR"]["navigation"]: the groups of SIDEBAR with a link this user may use.
    Each link is here because the user may view its list: the theme's permission callback
    (`_allowed`) has nothing left to check."""
    urls = _list_urls(get_script_prefix())
    groups = []
    for title, links in SIDEBAR:
        items = [
            {
                "title": link.title,
                "icon": link.icon,
                "link": urls[link.model],
                "permission": _allowed,
            }
            for link in links
            if may_view(link.model, request)
        ]
        if items:
            groups.append({"title": title, "separator": bool(groups), "items": items})
    return groups


def _allowed(request: HttpRequest) -> bool:
    """The permission callback of a link `navigation` kept: it was checked there."""
    return True


# Fields that pick a staff member (app label, model, field) and the permission that lets
# someone fill them in. Their autocomplete lists active staff only, to whoever has that
# permission, without the right to view the users' list (an Editor has none).
STAFF_PICKERS = {
    ("tracker", "caseofficer", "user"): "tracker.change_detainedperson",
    ("campaigns", "letter", "owner"): "campaigns.change_letter",
}


def _staff_picker_permission(request: HttpRequest) -> str | None:
    """The permission a staff-picker autocomplete request needs; None for any other request."""
    match = request.resolver_match
    if match is None or match.url_name != "autocomplete":
        return None
    source = tuple(request.GET.get(name, "") for name in ("app_label", "model_name", "field_name"))
    return STAFF_PICKERS.get(source)


class UserAdmin(BaseUserAdmin, ModelAdmin):
    # unfold's forms for the user pages, as its documentation has them.
    form = UserChangeForm
    add_form = UserCreationForm
    change_password_form = AdminPasswordChangeForm
    actions = ["issue_enrolment_link"]

    def has_view_permission(self, request, obj=None):
        needed = _staff_picker_permission(request)
        if needed is not None and obj is None and request.user.has_perm(needed):
            return True
        return super().has_view_permission(request, obj)

    def get_search_results(self, request, queryset, search_term):
        if _staff_picker_permission(request) is not None:
            queryset = queryset.filter(is_active=True, is_staff=True)
        return super().get_search_results(request, queryset, search_term)

    @admin.action(description="Issue a two-factor enrolment link", permissions=["change"])
    def issue_enrolment_link(self, request, queryset):
        """A link for each selected active user, shown once (config/enrolment.py)."""
        from config.enrolment import enrolment_link

        links, skipped = [], []
        for user in queryset.order_by("username"):
            if not user.is_active:
                skipped.append(user.get_username())
                continue
            links.append((user, enrolment_link(user)))
            self.log_change(request, user, "Issued a two-factor enrolment link")
        context = {
            **self.admin_site.each_context(request),
            "title": "Two-factor enrolment links",
            "opts": self.opts,
            "links": links,
            "skipped": skipped,
            "link_hours": settings.TWO_FACTOR_ENROLMENT_LINK_HOURS,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/auth/user/enrolment_links.html", context)


class GroupAdmin(BaseGroupAdmin, ModelAdmin):
    pass


class TokenAdmin(StaffNamesMixin, DRFTokenAdmin, ModelAdmin):
    """API tokens: staff who may manage them, but are no administrators (superusers), see and
    make their own token only; a token for another account would let them act as it."""

    singular, plural = "API token", "API tokens"

    def get_queryset(self, request):
        tokens = super().get_queryset(request)
        return tokens if request.user.is_superuser else tokens.filter(user=request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user" and not request.user.is_superuser:
            kwargs["queryset"] = User.objects.filter(pk=request.user.pk)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


# The two-factor devices' pages in the sidebar's words, not django-otp's ("TOTP device").
DEVICE_NAMES = {
    "otp_totp": {"singular": "authenticator app", "plural": "Authenticator apps"},
    "otp_static": {"singular": "set of recovery codes", "plural": "Recovery codes"},
}


def _themed(model_admin_class: type, names: dict | None = None) -> type:
    """`model_admin_class` with unfold's ModelAdmin mixed in (its methods win), its pages
    titled with `names` (StaffNamesMixin's singular and plural) when given, its tabular inlines
    (the recovery codes') naming their fields as ours do."""
    attrs = dict(names or {})
    if any(issubclass(i, admin.TabularInline) for i in model_admin_class.inlines):
        attrs["inlines"] = [
            type(i.__name__, (NamedInlineFields, i), {})
            if issubclass(i, admin.TabularInline)
            else i
            for i in model_admin_class.inlines
        ]
    bases = (StaffNamesMixin,) if names else ()
    return type(model_admin_class.__name__, (*bases, model_admin_class, ModelAdmin), attrs)


def register() -> None:
    """Register again, in the theme's classes, the pages other libraries registered."""
    admin.site.unregister(User)
    admin.site.register(User, UserAdmin)
    admin.site.unregister(Group)
    admin.site.register(Group, GroupAdmin)
    admin.site.unregister(TokenProxy)
    admin.site.register(TokenProxy, TokenAdmin)
    for model, model_admin in list(admin.site._registry.items()):
        if model._meta.app_label in {"otp_totp", "otp_static", "authtoken"} and not isinstance(
            model_admin, ModelAdmin
        ):
            admin.site.unregister(model)
            names = DEVICE_NAMES.get(model._meta.app_label)
            admin.site.register(model, _themed(type(model_admin), names))
