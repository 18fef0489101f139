"""Cheaper widgets for the admin's busiest forms.

Django renders each option of a select with its own two templates (select_option.html and
attrs.html): the 250 countries of a case's form cost more than all its other fields together.
QuickSelectWidget is the theme's select with its options written in Python, the same HTML."""

from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe
from unfold.widgets import UnfoldAdminSelectWidget


def _attrs_html(attrs: dict) -> str:
    """django/forms/widgets/attrs.html in Python: ` name="value"`, ` name` for True, nothing
    for False."""
    return "".join(
        f" {name}" if value is True else f' {name}="{escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def options_html(optgroups) -> str:
    """The options of a select (ChoiceWidget.optgroups), as select.html and select_option.html
    write them."""
    parts = []
    for group_name, group_choices, _index in optgroups:
        if group_name:
            parts.append(f'<optgroup label="{conditional_escape(group_name)}">')
        parts.extend(
            f'<option value="{escape(option["value"])}"{_attrs_html(option["attrs"])}>'
            f"{conditional_escape(option['label'])}</option>"
            for option in group_choices
        )
        if group_name:
            parts.append("</optgroup>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


class QuickSelectWidget(UnfoldAdminSelectWidget):
    """The theme's select (unfold/widgets/select.html), its options written by options_html.
    Its template is an app's (tracker/templates): Django's form renderer reads the apps'
    templates, not the project's folder."""

    template_name = "admin/vigil/widgets/select.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["options_html"] = options_html(context["widget"]["optgroups"])
        return context


class QuickSelectsMixin:
    """A model admin (or inline) whose fields with choices use QuickSelectWidget."""

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name not in self.radio_fields:
            kwargs["widget"] = QuickSelectWidget()
        return super().formfield_for_choice_field(db_field, request, **kwargs)
