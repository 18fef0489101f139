"""Every admin list counts its records up to a cap, not to the end of the table.

Django's admin counts the whole (filtered) table for every list page: `COUNT(*)` for the
pagination, and a second count of the unfiltered table ("12 results (30,000 total)") when the
list is filtered or searched. Both read every row, so a list of 30,000 cases cost several
times what it cost at 3,000. Here every Vigil admin (its base: config.admin_base.ModelAdmin,
which config.history, config.lockout, config.admin_theme and the apps' admins build on)
counts at most `list_count_cap` records (10,000), or ten pages past the page asked for, whichever is
more, so that any page can still be reached:

- below the cap the count is exact, as before ("3,000 detained persons");
- above it the list says so ("more than 10,000 detained persons"), links pages up to the
  cap, and has a "Next" link to go on; the header, the selection counter and its "Select
  all" say "more than 10,000" too (templates/admin/vigil/pagination.html, the project's
  unfold/helpers/welcomemsg.html and admin/actions.html), never a wrong number;
- the unfiltered total is not counted at all (`show_full_result_count = False`): a
  filtered list shows its own count and a "Show all" link.

`{% load vigil_counts %}` gives the templates `{% vigil_count cl %}` ("3,000" or "more than
10,000") and `{% vigil_page_url cl n %}`.
"""

import contextlib

from django import template
from django.contrib.admin.views.main import IGNORED_PARAMS, PAGE_VAR
from django.core.paginator import Paginator
from django.utils.formats import number_format
from django.utils.functional import cached_property

register = template.Library()

# Pages counted past the one asked for, so that its pagination links reach ten pages on.
PAGES_AHEAD = 10


class BoundedPaginator(Paginator):
    """Counts at most `cap` records (plus one, to know there are more): `capped` says whether
    there were more. A capped paginator has a page past the cap (it holds at least that one
    record more) and does not cut a page short at the count."""

    # unfold's admin/pagination.html draws the pages with this template.
    template_name = "admin/vigil/pagination.html"

    def __init__(self, object_list, per_page, orphans=0, allow_empty_first_page=True, *, cap):
        super().__init__(object_list, per_page, orphans, allow_empty_first_page)
        self.cap = cap
        self.capped = False

    @cached_property
    def count(self) -> int:
        if not hasattr(self.object_list, "query"):  # a list, not a QuerySet
            return len(self.object_list)
        # No ORDER BY in the counting subquery: it would sort the whole table to keep a count.
        counted = self.object_list.order_by()[: self.cap + 1].count()
        self.capped = counted > self.cap
        return counted

    def validate_number(self, number):
        if "count" not in self.__dict__:
            # Asked for a page before counting (the autocomplete's pages): count far enough.
            with contextlib.suppress(TypeError, ValueError):
                self.cap = max(self.cap, (int(number) + PAGES_AHEAD) * self.per_page)
        return super().validate_number(number)

    def page(self, number):
        if not self.capped:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        return self._get_page(self.object_list[bottom : bottom + self.per_page], number, self)


class BoundedCountMixin:
    """A ModelAdmin whose lists count at most `list_count_cap` records (see above)."""

    show_full_result_count = False
    list_count_cap = 10_000

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        try:
            page = max(1, int(request.GET.get(PAGE_VAR, 1)))
        except ValueError:
            page = 1
        cap = max(self.list_count_cap, (page + PAGES_AHEAD) * per_page)
        return BoundedPaginator(queryset, per_page, orphans, allow_empty_first_page, cap=cap)


# --- Templates -------------------------------------------------------------------------------


@register.simple_tag
def vigil_count(cl) -> str:
    """A list's count for its pages: "3,000", or "more than 10,000" past the cap."""
    paginator = getattr(cl, "paginator", None)
    if getattr(paginator, "capped", False):
        return f"more than {number_format(paginator.cap, force_grouping=True)}"
    return number_format(cl.result_count, force_grouping=True)


@register.simple_tag
def vigil_page_url(cl, number) -> str:
    """The list's address for page `number`, its filters, search and ordering kept."""
    return cl.get_query_string({PAGE_VAR: number})


@register.filter
def vigil_narrowed(cl) -> bool:
    """Whether the list is searched or filtered (its count is then not the whole list's)."""
    return bool(cl.query) or any(name not in IGNORED_PARAMS for name in cl.filter_params)
