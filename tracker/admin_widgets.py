"""Cheaper widgets for the admin's busiest forms.

Django renders each option of a select with its own two templates (select_option.html and
attrs.html): the 250 countries of a case's form cost more than all its other fields together.
QuickSelectWidget is the theme's select with its options written in Python, the same HTML.

An autocomplete select reads its chosen record's label with one query per row of an inline;
PreloadedAutocompleteSelect and PreloadedChoicesFormSetMixin read them with the rows. And the
admin makes an inline's empty form several times a page: OneEmptyFormMixin makes it once. The
theme writes an inline's row with a dozen templates: QuickTabularInline with one; and a
fieldset with four: QuickFieldsets with one."""

from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Exists, OuterRef
from django.forms.renderers import DjangoTemplates
from django.forms.utils import pretty_name
from django.utils.functional import cached_property
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from unfold.widgets import UnfoldAdminSelectWidget


def _attrs_html(attrs: dict) -> str:
    """django/forms/widgets/attrs.html in Python: ` name="value"`, ` name` for True, nothing
    for False."""
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{escape(value)}"'
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


def _input_html(widget: dict) -> str | None:
    """django/forms/widgets/input.html in Python (None: a value it would write otherwise)."""
    value = widget["value"]
    if value is None:
        written = ""
    elif isinstance(value, str | int):
        written = f' value="{escape(value)}"'
    else:
        return None
    name, kind = conditional_escape(widget["name"]), conditional_escape(widget["type"])
    return f'<input type="{kind}" name="{name}"{written}{_attrs_html(widget["attrs"])}>'


def _wrapped(before: str, after: str):
    def write(context):
        html = _input_html(context["widget"])
        return None if html is None else f"{before}{html}{after}"

    return write


def _text(context):
    widget = context["widget"]
    if any(widget.get(k) for k in ("prefix", "prefix_icon", "suffix", "suffix_icon")):
        return None
    return _wrapped(
        '<div class="max-w-2xl relative w-full">\n    \n\n    \n\n    ',
        "\n\n\n    \n\n    \n</div>",
    )(context)


def _url(context):
    if context.get("url_valid"):
        return None
    return _wrapped('<div class="flex flex-col gap-2">\n    ', "\n\n\n    \n</div>")(context)


def _textarea(context):
    widget = context["widget"]
    value = conditional_escape(widget["value"]) if widget["value"] else ""
    name = conditional_escape(widget["name"])
    return f'<textarea name="{name}"{_attrs_html(widget["attrs"])}>{value}</textarea>'


# Each template as Django's renderer writes it (stripped), for the contexts it knows.
QUICK_TEMPLATES = {
    "django/forms/widgets/hidden.html": _wrapped("", ""),
    "django/forms/widgets/checkbox.html": _wrapped("", ""),
    "django/forms/widgets/input.html": _wrapped("", ""),
    "django/forms/widgets/number.html": _wrapped("", ""),
    "django/forms/widgets/text.html": _wrapped("", ""),
    "unfold/widgets/date.html": _wrapped(
        '<div class="flex flex-col max-w-2xl min-w-56 relative w-full">\n    ', "\n\n</div>"
    ),
    "unfold/widgets/text.html": _text,
    "unfold/widgets/url.html": _url,
    "unfold/widgets/textarea.html": _textarea,
}


class QuickFormRenderer(DjangoTemplates):
    """Django's form renderer, which writes the commonest widgets of the admin's forms (the
    theme's text, date, URL and textarea inputs, hidden inputs, checkboxes) in Python, the
    same HTML as their templates: a form's widgets cost a template each (and one more per
    attribute list), and a case's page has a hundred."""

    def render(self, template_name, context, request=None):
        write = QUICK_TEMPLATES.get(template_name)
        html = write(context) if write is not None else None
        if html is None:
            return super().render(template_name, context, request)
        return mark_safe(html)  # noqa: S308 - every value in it is escaped


QUICK_RENDERER = QuickFormRenderer()


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


class PreloadedAutocompleteSelect(AutocompleteSelect):
    """Django's autocomplete select, which reads the label of its chosen record with a query of
    its own: one per row of an inline. Given that record (`chosen`, read with the row by
    PreloadedChoicesFormSetMixin, and only if it is one of the field's choices), it reads none;
    otherwise (another value posted, nothing chosen) it does as Django's does."""

    chosen = None

    def optgroups(self, name, value, attr=None):
        chosen = self.chosen
        empty = self.choices.field.empty_values
        selected = [str(v) for v in value if str(v) not in empty]
        if chosen is None or self.allow_multiple_selected or selected != [str(chosen.pk)]:
            return super().optgroups(name, value, attr)
        options = []
        if not self.is_required:
            options.append(self.create_option(name, "", "", False, 0))
        label = self.choices.field.label_from_instance(chosen)
        # (Django passes the set of values chosen as `selected`.)
        options.append(self.create_option(name, chosen.pk, label, set(selected), len(options)))
        return [(None, options, 0)]


class PreloadedChoicesFormSetMixin:
    """An inline's formset whose rows come with the records chosen in their
    `preloaded_fields` (foreign keys to a primary key, shown with PreloadedAutocompleteSelect)
    and whether each is one of the field's choices, in the rows' own query: the rows' selects
    read nothing more, however many rows."""

    preloaded_fields: tuple[str, ...] = ()

    def _preloaded(self) -> list[str]:
        return [name for name in self.preloaded_fields if name in self.form.base_fields]

    def get_queryset(self):
        if not hasattr(self, "_queryset"):
            queryset = super().get_queryset()
            for name in self._preloaded():
                choices = self.form.base_fields[name].queryset
                is_choice = Exists(choices.filter(pk=OuterRef(f"{name}_id")))
                queryset = queryset.select_related(name).annotate(
                    **{f"{name}_is_choice": is_choice}
                )
            self._queryset = queryset
        return self._queryset

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        for name in self._preloaded():
            if name in form.fields and getattr(form.instance, f"{name}_is_choice", False):
                widget = form.fields[name].widget
                getattr(widget, "widget", widget).chosen = getattr(form.instance, name)
        return form


class OneEmptyFormMixin:
    """A formset that makes its empty form (the template of a new row) once: Django makes a new
    one each time it is asked for, and an admin page asks about seven times per inline (each
    pass over the inline's forms, its media, whether it uploads files)."""

    @cached_property
    def empty_form(self):
        return super().empty_form


class NamedInlineFields:
    """A tabular inline whose fields carry their column's name (`aria-label`) in the page as the
    server writes it: a row's cells have no <label>, so a screen reader would announce "edit
    text" without saying which column. (static/vigil/a11y.js names what the browser adds, the
    autocompletes' boxes, from these.)"""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        # The model's fields are made afresh for each call (inlineformset_factory); a field
        # declared on the inline's form class is shared, and is given the same name each time.
        for name, field in formset.form.base_fields.items():
            if not field.widget.is_hidden:
                label = pretty_name(name) if field.label is None else field.label
                field.widget.attrs.setdefault("aria-label", capfirst(str(label)))
        if formset.can_delete:  # a row's delete box, drawn as a bin (Django's deletion_widget)
            deletion = formset.deletion_widget(attrs={"aria-label": "Delete this row"})
            formset = type(formset.__name__, (formset,), {"deletion_widget": deletion})
        return formset


class QuickTabularInline(NamedInlineFields):
    """A tabular inline of the theme written by one template (admin/vigil/edit_inline/
    tabular.html, the same HTML as the theme's dozen): for inlines without the theme's
    features that template leaves out. Its forms' widgets are written by QUICK_RENDERER."""

    template = "admin/vigil/edit_inline/tabular.html"

    def get_formset(self, request, obj=None, **kwargs):
        kwargs.setdefault("renderer", QUICK_RENDERER)
        return super().get_formset(request, obj, **kwargs)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        features = ["ordering_field", "per_page", "template_before", "template_after"]
        used = [name for name in features if getattr(self, name, None)]
        if used or "collapse" in (self.classes or []) or getattr(self, "collapsible", False):
            raise ImproperlyConfigured(
                f"{type(self).__name__} uses {used or 'collapsing'}: not a QuickTabularInline"
            )


class QuickFieldsets:
    """A model admin whose change page writes its fieldsets with one template
    (admin/vigil/fieldset.html, the same HTML as the theme's four), for an admin with the
    theme's compressed fields and no conditional fields. Its change form template uses it
    (`quick_fieldsets`) in its field_sets block: tracker's detainedperson/change_form.html."""

    quick_fieldsets = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not getattr(self, "compressed_fields", False) or getattr(
            self, "conditional_fields", None
        ):
            raise ImproperlyConfigured(
                f"{type(self).__name__}: QuickFieldsets writes compressed fields, unconditional"
            )


def preloaded_autocomplete(model_admin, db_field, request, kwargs: dict) -> dict:
    """formfield_for_foreignkey's `kwargs` with a PreloadedAutocompleteSelect for a field the
    admin shows with an autocomplete (model_admin.autocomplete_fields)."""
    if "widget" not in kwargs and db_field.name in model_admin.get_autocomplete_fields(request):
        kwargs["widget"] = PreloadedAutocompleteSelect(
            db_field, model_admin.admin_site, using=kwargs.get("using")
        )
    return kwargs
