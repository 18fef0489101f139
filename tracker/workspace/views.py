"""The admin's search page (/admin/search/?q=), served by the admin site
(config.admin_site.VigilAdminSite.search) behind its staff and second-factor checks."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode

from tracker.workspace.search import MAX_QUERY_LENGTH, search_everything, searchable_kinds


class SearchForm(forms.Form):
    q = forms.CharField(label="Search", max_length=MAX_QUERY_LENGTH, required=False)


def search_page(request, *, admin_site):
    """Results grouped by kind, each a link to the record's page, with a link to the kind's
    own list searched for the rest. Only the kinds the user may view are searched; staff who
    may view none of them are refused."""
    kinds = searchable_kinds(request.user)
    if not kinds:
        raise PermissionDenied
    form = SearchForm(request.GET)
    q = form.cleaned_data["q"] if form.is_valid() else ""
    groups = []
    if q:
        for found in search_everything(user=request.user, q=q).values():
            opts = found.kind.model._meta
            changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
            groups.append({"found": found, "list_url": f"{changelist}?{urlencode({'q': q})}"})
    request.current_app = admin_site.name
    context = {
        **admin_site.each_context(request),
        "title": f"Search: {q}" if q else "Search",
        "form": form,
        "q": q,
        "groups": [group for group in groups if group["found"].count],
        "searched": [kind.label.lower() for kind in kinds],
    }
    return TemplateResponse(request, "admin/vigil/search.html", context)
