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
from dataclasses import dataclass, field
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
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import SafeString, mark_safe
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

# What these rows cannot draw: the theme's own tag draws such lists.
THEME_ONLY = ("ordering_field", "list_sections")
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
    classes: str  # the cell's class attribute
    model_field: models.Field | None = None  # a field of the model read directly
    choices: dict | None = None  # a choice field's labels in this page's language
    link: bool = False  # the row's link to its record
    checkbox: bool = False
    plain_classes: list[str] = field(default_factory=list)


class Rows:
    """Draws a list page's rows; built once for the page."""

    def __init__(self, cl: ChangeList, headers: list[dict]):
        self.cl = cl
        self.model_admin = cl.model_admin
        self.empty = self.model_admin.get_empty_value_display()
        self.booleans: dict[Any, str] = {}
        self.columns = self._columns(headers)
        self.link_parts = self._link_parts()
        # The selection checkbox, drawn once; each row puts its key in it (escaped).
        before, _, after = str(checkbox.render("_selected_action", _SENTINEL)).partition(_SENTINEL)
        self.checkbox_parts = (before, after)

    def _columns(self, headers: list[dict]) -> list[Column]:
        cl = self.cl
        opts = cl.lookup_opts
        links = cl.list_display_links
        columns = []
        for index, name in enumerate(cl.list_display):
            classes = [f"field-{_coerce_field_name(name, index)}", *unfold_list.ROW_CLASSES]
            column = Column(name=name, label="", classes="")
            # As the theme: no links when list_display_links is None; else the columns named
            # there, or (none named) the first column.
            column.link = links is not None and (not links or name in links)
            if name == "action_checkbox":
                column.checkbox = True
                classes = list(unfold_list.CHECKBOX_CLASSES)
            elif isinstance(name, str) and not hasattr(self.model_admin, name):
                model_field = _plain_field(opts, name)
                if model_field is not None:
                    column.model_field = model_field
                    flat = getattr(model_field, "flatchoices", None)
                    if flat:
                        # Once a page, in the page's language: a dict of the labels, not the
                        # field's choices flattened again for every row.
                        column.choices = dict(flat)
                    if isinstance(
                        model_field, models.DateField | models.TimeField | models.ForeignKey
                    ):
                        classes.append("nowrap")
            column.plain_classes = classes
            column.classes = " ".join(classes)
            column.label = escape(headers[index]["text"])
            columns.append(column)
        return columns

    def _link_parts(self) -> tuple[str, str] | None:
        """The row link's address around the row's key: reversed once a page (None: a
        list whose ChangeList makes its own row addresses; each row asks it)."""
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
        return (before, after) if found else None  # (each row's key goes between)

    def _boolean(self, value) -> str:
        if value not in self.booleans:
            self.booleans[value] = render_to_string("unfold/helpers/boolean.html", {"value": value})
        return self.booleans[value]

    def _field_value(self, column: Column, result):
        """A model field's cell, as the theme's display_for_field shows it."""
        f = column.model_field
        if column.choices is not None:
            return column.choices.get(getattr(result, f.attname), self.empty)
        if isinstance(f.remote_field, models.ManyToOneRel):
            related = getattr(result, f.name)
            return self.empty if related is None else related
        value = getattr(result, f.attname)
        if isinstance(f, models.BooleanField):
            return self._boolean(value)
        return display_for_field(value, f, self.empty)

    def _other_value(self, column: Column, result) -> tuple[Any, list[str]]:
        """A column of the admin's own (a method or attribute): as the theme draws it."""
        try:
            f, attr, value = lookup_field(column.name, result, self.model_admin)
        except ObjectDoesNotExist:
            return self.empty, []
        empty = getattr(attr, "empty_value_display", self.empty)
        extra = []
        if f is None or f.auto_created:
            if getattr(attr, "label", False):
                shown = display_for_label(value, empty, attr.label)
            elif getattr(attr, "dropdown", False):
                shown = display_for_dropdown(result, column.name, value, empty)
            elif getattr(attr, "header", False):
                shown = display_for_header(value, empty)
            elif getattr(attr, "boolean", False):
                shown = self._boolean(value)
            else:
                shown = display_for_value(value, empty)
            if isinstance(value, datetime.date | datetime.time):
                extra.append("nowrap")
        else:
            if isinstance(f.remote_field, models.ManyToOneRel):
                related = getattr(result, f.name)
                shown = empty if related is None else related
            else:
                shown = display_for_field(value, f, empty)
            if isinstance(f, models.DateField | models.TimeField | models.ForeignKey):
                extra.append("nowrap")
        return shown, extra

    def row(self, result) -> str:
        cells = []
        first = True  # no link drawn yet in this row (the theme's `first`)
        for index, column in enumerate(self.columns):
            extra: list[str] = []
            if column.checkbox:
                # The theme's checkbox, drawn once a page, around this row's key (escaped).
                shown = mark_safe(  # noqa: S308
                    self.checkbox_parts[0] + escape(str(result.pk)) + self.checkbox_parts[1]
                )
            elif column.model_field is not None:
                shown = self._field_value(column, result)
            else:
                shown, extra = self._other_value(column, result)
            classes = column.classes if not extra else " ".join([*column.plain_classes, *extra])
            if column.link and (first or column.name in (self.cl.list_display_links or ())):
                tag = "th" if first else "td"
                first = False
                cells.append(
                    f'<{tag} class="{classes}" data-label="{column.label}">'
                    f"{self._linked(result, shown)}</{tag}>"
                )
            else:
                label = column.label if index else escape(_("Select record"))
                cells.append(
                    f'<td class="{classes}" data-label="{label}">{conditional_escape(shown)}</td>'
                )
        return "".join(cells)

    def _linked(self, result, shown) -> str:
        cl = self.cl
        if self.link_parts is not None:
            key = str(quote(getattr(result, cl.pk_attname)))
            href = self.link_parts[0] + key + self.link_parts[1]
        else:
            try:
                href = cl.url_for_result(result)
            except NoReverseMatch:  # the record has no page of its own
                return conditional_escape(shown)
            href = add_preserved_filters(
                {"preserved_filters": cl.preserved_filters, "opts": cl.opts}, href
            )
        opener = ""
        if cl.is_popup:
            key = result.serializable_value(str(cl.to_field) if cl.to_field else cl.pk_attname)
            opener = format_html(' data-popup-opener="{}"', key)
        return format_html('<a href="{}" class="{}" {}>{}</a>', href, LINK_CLASSES, opener, shown)


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
