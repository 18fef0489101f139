from django import forms
from django.contrib import admin
from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from tracker.forms import StringListField
from tracker.models import CaseEvent, DetainedPerson
from tracker.resources import DetainedPersonResource
from tracker.services import case_event_delete, case_event_save
from tracker.text import fold


class DetainedPersonForm(forms.ModelForm):
    aliases = StringListField(required=False, help_text="One per line.")
    context_terms = StringListField(
        required=False,
        help_text="One per line. For common names: a news item mentions this person only "
        "if it also contains one of these terms.",
    )

    class Meta:
        model = DetainedPerson
        fields = [
            "name",
            "native_name",
            "aliases",
            "status",
            "watch_enabled",
            "gender",
            "birth_year",
            "country",
            "occupation",
            "affiliation",
            "detained_on",
            "place_of_detention",
            "charges",
            "sentence",
            "summary",
            "context_terms",
        ]


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    extra = 1
    fields = ["date", "kind", "description", "source_url"]
    ordering = ["-date", "-id"]


@admin.register(DetainedPerson)
class DetainedPersonAdmin(ImportExportModelAdmin, SimpleHistoryAdmin):
    form = DetainedPersonForm
    resource_classes = [DetainedPersonResource]
    list_display = [
        "name",
        "native_name",
        "status",
        "country",
        "detained_on",
        "watch_enabled",
        "updated_at",
    ]
    list_filter = ["status", "country", "campaigns", "gender", "watch_enabled"]
    # search_names holds every name form folded (case and accents removed); see get_search_results.
    search_fields = ["name", "native_name", "search_names"]
    date_hierarchy = "detained_on"
    inlines = [CaseEventInline]
    fieldsets = [
        (
            None,
            {"fields": ["name", "native_name", "aliases", "status", "watch_enabled"]},
        ),
        (
            "Person",
            {
                "fields": [
                    "gender",
                    "birth_year",
                    "country",
                    "occupation",
                    "affiliation",
                ]
            },
        ),
        (
            "Detention",
            {
                "fields": [
                    "detained_on",
                    "place_of_detention",
                    "charges",
                    "sentence",
                    "summary",
                ]
            },
        ),
        ("News watch", {"fields": ["context_terms"]}),
    ]

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        folded = fold(search_term)
        if folded and folded != search_term:
            results |= queryset.search(search_term)
        return results, may_have_duplicates

    def save_formset(self, request, form, formset, change):
        if formset.model is not CaseEvent:
            return super().save_formset(request, form, formset, change)
        # Timeline edits go through the service so that the status rule applies.
        events = formset.save(commit=False)
        for event in formset.deleted_objects:
            case_event_delete(event=event)
        for event in events:
            case_event_save(event=event)
        formset.save_m2m()


@admin.register(CaseEvent)
class CaseEventAdmin(SimpleHistoryAdmin):
    list_display = ["date", "person", "kind", "short_description"]
    list_filter = ["kind", "person__country", "person__campaigns"]
    list_select_related = ["person"]
    search_fields = ["person__name", "person__native_name", "description"]
    autocomplete_fields = ["person"]
    date_hierarchy = "date"

    @admin.display(description="description")
    def short_description(self, obj):
        return obj.description[:80]

    def save_model(self, request, obj, form, change):
        case_event_save(event=obj)

    def delete_model(self, request, obj):
        case_event_delete(event=obj)

    def delete_queryset(self, request, queryset):
        for event in queryset:
            case_event_delete(event=event)
