"""One name per thing (#19 §4): the admin's pages say what the sidebar says.

The theme's header (django-unfold's `header_title`) reads "app > model's plural > record": the
app label's name ("Case tracker" for news and digests alike, "Axes" for the login attempts)
and the record's name capitalised ("Reader@example.org"). `vigil_header_title` reads "sidebar
group > sidebar link > record", the record's name as it is written. Loaded as the template
library `vigil_admin` (settings TEMPLATES), in templates/unfold/helpers/welcomemsg.html.

Our models' verbose names are the sidebar's words. Other libraries' models keep theirs
(renaming them would be a migration of those libraries): their admins take `StaffNamesMixin`,
which titles their pages in the sidebar's words, and may name their records with
`header_name(obj)` (the login attempts, whose own names are ISO timestamps).
"""

from django import template
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.urls import NoReverseMatch, reverse
from django.utils.text import capfirst

register = template.Library()


def sidebar_place(label: str) -> tuple[str, str] | None:
    """(group, link title) of the sidebar link to the model `app_label.model_name`."""
    from config.admin_theme import SIDEBAR

    for group, links in SIDEBAR:
        for link in links:
            if link.model == label:
                return group, link.title
    return None


def record_name(obj) -> str:
    model_admin = admin.site._registry.get(type(obj))
    name = getattr(model_admin, "header_name", None)
    return name(obj) if name else str(obj)


def _url(opts, view: str, *args) -> str | None:
    try:
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)
    except NoReverseMatch:
        return None


def header_parts(context) -> list[dict]:
    obj = context.get("original")
    if obj is None or isinstance(obj, str):
        obj = context.get("object")
    if obj is not None and not hasattr(obj, "_meta"):
        obj = None
    opts = obj._meta if obj is not None else context.get("opts")
    if opts is None:
        return []
    group, title = sidebar_place(opts.label_lower) or (
        opts.app_config.verbose_name,
        getattr(admin.site._registry.get(opts.model), "plural", "")
        or capfirst(opts.verbose_name_plural),
    )
    parts = [{"title": group, "link": None}, {"title": title, "link": _url(opts, "changelist")}]
    if obj is not None and obj.pk is not None:
        parts.append({"title": record_name(obj), "link": _url(opts, "change", obj.pk)})
    return parts


@register.inclusion_tag("admin/vigil/header_title.html", takes_context=True)
def vigil_header_title(context) -> dict:
    return {"parts": header_parts(context)}


class StaffNamesMixin:
    """Titles a ModelAdmin's pages with `singular` (as in a sentence: "API token") and
    `plural` (as in the sidebar: "API tokens") rather than its model's verbose names."""

    singular = ""
    plural = ""

    def _name(self, obj) -> str:
        name = getattr(self, "header_name", None)
        return name(obj) if name else str(obj)

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {"title": self.plural, **(extra_context or {})})

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id)) if object_id else None
        if obj is not None:
            verb = "Change" if self.has_change_permission(request, obj) else "View"
            named = {"title": f"{verb} {self.singular}", "subtitle": self._name(obj)}
            extra_context = {**named, **(extra_context or {})}
        elif object_id is None:
            extra_context = {"title": f"Add {self.singular}", **(extra_context or {})}
        return super().changeform_view(request, object_id, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is not None:
            title = f"Change history: {self._name(obj)}"
            extra_context = {"title": title, **(extra_context or {})}
        return super().history_view(request, object_id, extra_context)
