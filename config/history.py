"""The admin's History pages, as staff read them: one row per change, in words.

django-simple-history's page lists every version of a record. Two things made it hard to read:

- A version that changed nothing: Django's admin saves a record whenever "Save" is pressed, also
  when only rows of an inline (a letter's signatures, a case's events) or nothing at all changed.
  `HistoryAdmin` saves such a record without a version (the library's `skip_history_when_saving`),
  and the page leaves out the versions already written that way (`unchanged_versions`).
- Its "Changes" column writes an empty link as "Deleted user (pk=None)" (`diff_against` calls
  every missing related record deleted), lists as `[a, b]` and choices by their stored value.
  `HistoryChanges` writes them as staff would: "—", "a, b", "Confirmed", dates as the admin
  does; and the page says "—", not "None", where no user made a change.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import DeletedObject
from simple_history.template_utils import HistoricalRecordContextHelper
from simple_history.utils import get_history_model_for_model, get_m2m_field_name

from config.admin_base import ModelAdmin

EMPTY = "—"


@contextmanager
def without_history(instance) -> Iterator[None]:
    """Saves of `instance` and changes to its many-to-many fields within record no version
    (django-simple-history's `skip_history_when_saving`; left set if it was set already)."""
    if hasattr(instance, "skip_history_when_saving"):
        yield
        return
    instance.skip_history_when_saving = True
    try:
        yield
    finally:
        del instance.skip_history_when_saving


def recorded_fields(history_model) -> set[str]:
    """The fields a version shows a change of: what `diff_against` compares."""
    fields = {f.name for f in history_model.tracked_fields if f.editable}
    return fields | {f.name for f in history_model._history_m2m_fields}


def unchanged_versions(history_model, pk_name: str, object_id: Any) -> list[int]:
    """The history ids of one record's versions that changed nothing `diff_against` compares:
    a "~" version equal to the one before it. One query, and one per many-to-many field the
    history keeps (a letter's recipients)."""
    fields = [f.attname for f in history_model.tracked_fields if f.editable]
    versions = list(
        history_model.objects.filter(**{pk_name: object_id})
        .order_by("history_date", "history_id")
        .values_list("history_id", "history_type", *fields)
    )
    state: dict[int, tuple] = {row[0]: row[2:] for row in versions}
    for m2m_field in history_model._history_m2m_fields:
        rows = getattr(history_model, m2m_field.name).model
        own = get_m2m_field_name(m2m_field)
        others = [f.attname for f in rows._meta.fields if f.name not in {"id", "m2m_history_id"}]
        others = [name for name in others if name not in {"history_id", f"{own}_id"}]
        linked: dict[int, set] = defaultdict(set)
        for history_id, *values in rows.objects.filter(history_id__in=list(state)).values_list(
            "history_id", *others
        ):
            linked[history_id].add(tuple(values))
        state = {pk: (*values, frozenset(linked[pk])) for pk, values in state.items()}
    unchanged, before = [], None
    for history_id, history_type, *_values in versions:
        if history_type == "~" and before is not None and state[history_id] == state[before]:
            unchanged.append(history_id)
        before = history_id
    return unchanged


def readable(field, value: Any) -> Any:
    """A value of `field` as the History page shows it."""
    if isinstance(value, DeletedObject):
        return EMPTY if value.pk is None else f"(deleted {value.model._meta.verbose_name})"
    if isinstance(value, list):
        return ", ".join(str(readable(None, item)) for item in value) or EMPTY
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.datetime):
        return date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return date_format(value)
    if field is not None and field.choices:
        return dict(field.flatchoices).get(value, value)
    return value


WITHHELD = "(withheld)"


class HistoryChanges(HistoricalRecordContextHelper):
    def __init__(self, model, historical_record, *, withheld=(), **kwargs):
        super().__init__(model, historical_record, **kwargs)
        # Fields whose values this reader may not see (restricted fields): the page says that
        # they changed, not from what to what.
        self.withheld = frozenset(withheld)

    def prepare_delta_change_value(self, change, value):
        if change.field in self.withheld:
            return WITHHELD
        value = super().prepare_delta_change_value(change, value)
        field = self.model._meta.get_field(change.field)
        return readable(None if field.many_to_many else field, value)


class HistoryAdmin(SimpleHistoryAdmin, ModelAdmin):
    """SimpleHistoryAdmin whose History page lists changes only, in words, and whose "Save"
    writes no version when nothing the history keeps has changed; in the admin's theme
    (django-unfold's ModelAdmin, whose dropdown filters need the filter form's submit)."""

    list_filter_submit = True

    object_history_list_template = "admin/history/object_history_list.html"

    def get_historical_record_context_helper(self, request, historical_record):
        return HistoryChanges(
            self.model, historical_record, withheld=self.history_withheld_fields(request)
        )

    def history_withheld_fields(self, request) -> tuple[str, ...]:
        """Fields whose changes the History page shows without their values, for this
        reader."""
        return ()

    def get_history_queryset(self, request, history_manager, pk_name, object_id):
        unchanged = unchanged_versions(history_manager.model, pk_name, object_id)
        queryset = super().get_history_queryset(request, history_manager, pk_name, object_id)
        return queryset.exclude(history_id__in=unchanged) if unchanged else queryset

    def save_form(self, request, form, change):
        obj = super().save_form(request, form, change)
        history_model = get_history_model_for_model(self.model)
        if change and not set(form.changed_data) & recorded_fields(history_model):
            obj.skip_history_when_saving = True  # (inline rows keep their own history)
        return obj

    def save_related(self, request, form, formsets, change):
        # The record is saved: many-to-many fields set from here on record their change.
        form.instance.__dict__.pop("skip_history_when_saving", None)
        super().save_related(request, form, formsets, change)
