"""The rows of every admin list, drawn at the API's pace: `{% vigil_result_list cl %}`.

django-unfold draws a list's table with `{% unfold_result_list cl %}`, which works out every
cell from scratch: for each of a page's 100 rows it recomputes all the column headers (their
sort links included), flattens a choice column's choices to find one label (250 countries
for the country column, in every row), renders the selection checkbox and each yes/no icon
through a template, and reverses the row's link. On a list of cases that was most of the
page's time, ten to twenty times what the API takes for the same rows.

Here the same table is drawn in two steps: what is the same in every row is worked out once
a page (a `Column` for each column: its header, classes, how to read and show its value, and
for a choice column a dict of its labels in the page's language), then each row is a few
dict lookups and string joins. The HTML is the theme's, cell for cell; the tests in
tests/test_admin_list.py compare the two. A list using a theme feature this does not draw
(inline editing, sortable rows, row actions, expandable sections) is left to the theme's tag.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django import template
from django.contrib.admin.templatetags.admin_list import _coerce_field_name
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import lookup_field, quote
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.template.base import Parser, Token
from django.template.loader import render_to_string
from django.urls import NoReverseMatch
from django.utils import formats, timezone
from django.utils.formats import get_format
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from unfold.admin import checkbox
from unfold.templatetags import unfold_list
from unfold.utils import (
    display_for_dropdown,
    display_for_field,
    display_for_header,
    display_for_label,
    display_for_value,
)

register = template.Library()

ROW_SHADES = ("", "bg-base-50 dark:bg-white/[.02]")
ROW_OPEN = (
    '<tbody class="block relative lg:table-row-group {}" x-data="{{rowOpen: false}}" >'
    '<tr class="data-row block border border-base-200 mb-3 relative rounded-default '
    'lg:table-row lg:border-none lg:mb-0 lg:rounded-none dark:border-base-800">'
)
ROW_CLOSE = "</tr></tbody>"
_SENTINEL = "vigil-row-key"


@dataclass
class Column:
    """One column of a list, as every row draws it."""

    name: str
    label: str  # the cell's data-label (the header's text), escaped
    classes: list[str]  # the cell's classes
    # A row's cell content as escaped HTML, and any class the value adds ("nowrap").
    show: Callable[[models.Model], tuple[str, tuple[str, ...]]] | None = None
    link: bool = False  # the row's link to its record

    class_attribute: str = ""  # the classes, joined once

    def __post_init__(self) -> None:
        self.class_attribute = " ".join(self.classes)


NO_CLASS: tuple[str, ...] = ()
# Date format characters (django.utils.dateformat) that change within a minute, or whose
# meaning this module does not want to guess (a backslash escapes the next character).
FINER_THAN_MINUTES = set("suvUcr\\")
TEXT_FIELDS = (models.CharField, models.TextField)  # EmailField, URLField, SlugField too


class Rows:
    """Draws a list page's rows; built once for the page."""

    def __init__(self, cl: ChangeList, headers: list[dict]):
        self.cl = cl
        self.model_admin = cl.model_admin
        self.empty = self.model_admin.get_empty_value_display()
        self.empty_html = conditional_escape(self.empty)
        self.booleans: dict[Any, str] = {}
        self.link_parts = self._link_parts()
        self.columns = self._columns(headers)
        self.select_label = escape(_("Select record"))

    # --- Once a page ---------------------------------------------------------------------

    def _columns(self, headers: list[dict]) -> list[Column]:
        cl = self.cl
        links = cl.list_display_links
        columns = []
        for index, name in enumerate(cl.list_display):
            column = Column(
                name=name,
                label=conditional_escape(headers[index]["text"]),
                classes=[f"field-{_coerce_field_name(name, index)}", *unfold_list.ROW_CLASSES],
                # As the theme: no links when list_display_links is None; else the columns
                # named there, or (none named) the first column.
                link=links is not None and (not links or name in links),
            )
            if name == "action_checkbox":
                column.classes = list(unfold_list.CHECKBOX_CLASSES)
                column.show = self._checkbox_drawer()
            elif isinstance(name, str) and not hasattr(self.model_admin, name):
                model_field = _plain_field(cl.lookup_opts, name)
                if model_field is not None:
                    column.show = self._field_drawer(model_field)
                    if isinstance(
                        model_field, models.DateField | models.TimeField | models.ForeignKey
                    ):
                        column.classes.append("nowrap")
            if column.show is None:
                column.show = partial(self._other_value, name)
            column.class_attribute = " ".join(column.classes)
            columns.append(column)
        return columns

    def _checkbox_drawer(self):
        """The theme's selection checkbox, drawn once; each row puts its key in it."""
        html = str(checkbox.render("_selected_action", _SENTINEL))
        before, _, after = html.partition(_SENTINEL)
        return lambda result: (before + escape(str(result.pk)) + after, NO_CLASS)

    def _field_drawer(self, f: models.Field):
        """How a column of the model's own field shows each row's value: as the theme's
        display_for_field does, with what does not change from row to row worked out now."""
        empty = self.empty_html
        attname = f.attname
        flat = getattr(f, "flatchoices", None)
        if flat:
            # A choice field (the country too): its labels once a page, in the page's
            # language, escaped; each row looks its value up (the stored value, not the
            # field's object: django-countries' Country is made on each read).
            labels = dict(flat)
            shown: dict = {}  # each label escaped once, when a row first needs it

            def choice(result):
                value = result.__dict__.get(attname, None)
                try:
                    if value not in shown:
                        shown[value] = (
                            conditional_escape(labels[value]) if value in labels else empty
                        )
                    return shown[value], NO_CLASS
                except TypeError:  # an unhashable value (a list, say): as the theme
                    return conditional_escape(display_for_field(value, f, self.empty)), NO_CLASS

            return choice
        if isinstance(f.remote_field, models.ManyToOneRel):
            name = f.name

            def related(result):
                value = getattr(result, name)  # list_select_related keeps this a join
                return (empty if value is None else conditional_escape(value)), NO_CLASS

            return related
        if isinstance(f, models.BooleanField):
            return lambda result: (self._boolean(getattr(result, attname)), NO_CLASS)
        if isinstance(f, TEXT_FIELDS):

            def text(result):
                value = getattr(result, attname)
                return (empty if value is None or value == "" else escape(value)), NO_CLASS

            return text
        if isinstance(f, models.DateTimeField):
            return self._moment_drawer(f)
        if isinstance(f, models.DateField):
            days: dict = {}  # a date is drawn once a page, however many rows share it

            def day(result):
                value = getattr(result, attname)
                if value not in days:
                    days[value] = conditional_escape(display_for_field(value, f, self.empty))
                return days[value], NO_CLASS

            return day
        return lambda result: (
            conditional_escape(display_for_field(getattr(result, attname), f, self.empty)),
            NO_CLASS,
        )

    def _moment_drawer(self, f: models.DateTimeField):
        """A date-time column: as display_for_field shows it (in the page's time zone and
        format), each distinct value drawn once. Staff read them to the minute
        (DATETIME_FORMAT, "6 December 2026, 07:33"), so values of the same local minute share
        one drawing; a format that shows seconds or finer keys on the whole value."""
        attname = f.attname
        to_the_minute = not set(get_format("DATETIME_FORMAT")) & FINER_THAN_MINUTES
        drawn: dict = {}

        def moment(result):
            value = getattr(result, attname)
            if value is None:
                return self.empty_html, NO_CLASS
            local = timezone.template_localtime(value)
            key = local.replace(second=0, microsecond=0) if to_the_minute else local
            if key not in drawn:
                drawn[key] = conditional_escape(formats.localize(local))
            return drawn[key], NO_CLASS

        return moment

    def _link_parts(self) -> tuple[str, str] | None:
        """The row link's address around the row's key, escaped: reversed once a page (None:
        a list whose ChangeList makes its own row addresses; each row asks it)."""
        cl = self.cl
        if type(cl).url_for_result is not ChangeList.url_for_result:
            return None
        try:
            url = cl.url_for_result(_KeyOnly(cl))
        except NoReverseMatch:
            return None
        url = add_preserved_filters(
            {"preserved_filters": cl.preserved_filters, "opts": cl.opts}, url
        )
        before, found, after = url.partition(_SENTINEL)
        # Each row's key goes between (admin-quoted: letters, digits and "_" escapes).
        return (escape(before), escape(after)) if found else None

    def _boolean(self, value) -> str:
        if value not in self.booleans:
            self.booleans[value] = render_to_string("unfold/helpers/boolean.html", {"value": value})
        return self.booleans[value]

    # --- Each row ----------------------------------------------------------------------------

    def _other_value(self, name, result) -> tuple[str, tuple[str, ...]]:
        """A column of the admin's own (a method or attribute): as the theme draws it."""
        try:
            f, attr, value = lookup_field(name, result, self.model_admin)
        except ObjectDoesNotExist:
            return self.empty_html, NO_CLASS
        empty = getattr(attr, "empty_value_display", self.empty)
        extra = NO_CLASS
        if f is None or f.auto_created:
            if getattr(attr, "label", False):
                shown = display_for_label(value, empty, attr.label)
            elif getattr(attr, "dropdown", False):
                shown = display_for_dropdown(result, name, value, empty)
            elif getattr(attr, "header", False):
                shown = display_for_header(value, empty)
            elif getattr(attr, "boolean", False):
                shown = self._boolean(value)
            else:
                shown = display_for_value(value, empty)
            if isinstance(value, datetime.date | datetime.time):
                extra = ("nowrap",)
        else:
            if isinstance(f.remote_field, models.ManyToOneRel):
                related = getattr(result, f.name)
                shown = empty if related is None else related
            else:
                shown = display_for_field(value, f, empty)
            if isinstance(f, models.DateField | models.TimeField | models.ForeignKey):
                extra = ("nowrap",)
        return conditional_escape(shown), extra

    def row(self, result) -> str:
        cells = []
        first = True  # no link drawn yet in this row (the theme's `first`)
        for index, column in enumerate(self.columns):
            shown, extra = column.show(result)
            classes = column.class_attribute if not extra else " ".join([*column.classes, *extra])
            if column.link and (first or column.name in (self.cl.list_display_links or ())):
                tag = "th" if first else "td"
                first = False
                cells.append(
                    f'<{tag} class="{classes}" data-label="{column.label}">'
                    f"{self._linked(result, shown)}</{tag}>"
                )
            else:
                label = column.label if index else self.select_label
                cells.append(f'<td class="{classes}" data-label="{label}">{shown}</td>')
        return "".join(cells)

    def _linked(self, result, shown: str) -> str:
        cl = self.cl
        if self.link_parts is not None:
            key = str(quote(getattr(result, cl.pk_attname)))
            href = self.link_parts[0] + escape(key) + self.link_parts[1]
        else:
            try:
                url = cl.url_for_result(result)
            except NoReverseMatch:  # the record has no page of its own
                return shown
            href = escape(
                add_preserved_filters(
                    {"preserved_filters": cl.preserved_filters, "opts": cl.opts}, url
                )
            )
        opener = ""
        if cl.is_popup:
            key = result.serializable_value(str(cl.to_field) if cl.to_field else cl.pk_attname)
            opener = format_html(' data-popup-opener="{}"', key)
        return f'<a href="{href}" class="{LINK_CLASSES}" {opener}>{shown}</a>'


def _plain_field(opts, name: str):
    """The model's own concrete field of that name (not a relation's reverse, not a
    many-to-many), else None: such a column's value is read from the row directly."""
    if "__" in name:
        return None
    try:
        model_field = opts.get_field(name)
    except FieldDoesNotExist:
        return None
    if model_field.auto_created or model_field.many_to_many or not model_field.concrete:
        return None
    return model_field


LINK_CLASSES = " ".join(unfold_list.LINK_CLASSES)


class _KeyOnly:
    """Stands for a row in `ChangeList.url_for_result`: its key is the sentinel."""

    def __init__(self, cl: ChangeList):
        setattr(self, cl.pk_attname, _SENTINEL)


def draws_itself(cl: ChangeList, context) -> bool:
    """Whether these rows can draw the list (else the theme's tag does)."""
    model_admin = cl.model_admin
    return not (
        getattr(cl, "formset", None)
        or context.get("actions_row")
        or getattr(model_admin, "ordering_field", None)
        or getattr(model_admin, "list_sections", None)
    )


def result_list(context, cl: ChangeList) -> dict:
    if not draws_itself(cl, context):
        return {**unfold_list.result_list(context, cl), "theme_rows": True}
    headers = list(unfold_list.result_headers(cl))
    rows = Rows(cl, headers)
    drawn = [
        ROW_OPEN.format(ROW_SHADES[i % 2]) + rows.row(result) + ROW_CLOSE
        for i, result in enumerate(cl.result_list)
    ]
    return {
        "cl": cl,
        "result_hidden_fields": [],
        "result_headers": headers,
        "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
        "rows": SafeString("".join(drawn)),
        "results": bool(drawn),
        "actions_row": None,
        "has_add_permission": cl.model_admin.has_add_permission(context["request"]),
    }


@register.tag(name="vigil_result_list")
def result_list_tag(parser: Parser, token: Token):
    from django.contrib.admin.templatetags.base import InclusionAdminNode

    return InclusionAdminNode(
        parser, token, func=result_list, template_name="vigil/change_list_results.html"
    )
