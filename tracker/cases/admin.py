"""Staff pages for detained persons and the timeline of each case."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminDateWidget
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from config.admin import HistoryImportExportAdmin
from config.admin_filters import CountryInUseFilter
from config.history import HistoryAdmin
from tracker.cases.forms import StringListField
from tracker.cases.models import CaseEvent, DetainedPerson
from tracker.cases.resources import DetainedPersonResource
from tracker.cases.services import (
    case_event_delete,
    case_event_save,
    detained_person_save,
    detained_person_status_event,
)
from tracker.newswatch.rematch import rematch_people
from tracker.text import fold


class DetainedPersonForm(forms.ModelForm):
    aliases = StringListField(required=False, help_text="One per line.")
    context_terms = StringListField(
        required=False,
        help_text="One per line. For common names: a news item mentions this person only "
        "if it also contains one of these terms.",
    )
    status_date = forms.DateField(
        label="Status since",
        required=False,
        widget=AdminDateWidget,
        help_text="A new status is recorded on the timeline as an event of that date (blank: "
        "today; for a new person, the detention date if given). It cannot be after today, "
        "nor before the latest status event.",
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

    def _post_clean(self):
        super()._post_clean()  # the instance now holds the form's values
        if "status" in self._errors or "status_date" in self._errors:
            return
        try:
            detained_person_status_event(
                person=self.instance, status_date=self.cleaned_data.get("status_date")
            )
        except ValidationError as exc:
            self._update_errors(exc)


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    extra = 1
    fields = ["date", "kind", "description", "source_url"]
    ordering = ["-date", "-id"]


@admin.register(DetainedPerson)
class DetainedPersonAdmin(HistoryImportExportAdmin):
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
    list_filter = [
        "status",
        ("country", CountryInUseFilter),
        "campaigns",
        "gender",
        "watch_enabled",
    ]
    # search_names holds every name form folded (case and accents removed); see get_search_results.
    search_fields = ["name", "native_name", "search_names"]
    date_hierarchy = "detained_on"
    inlines = [CaseEventInline]
    readonly_fields = ["news_mentions"]
    actions = ["rematch_news"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "native_name",
                    "aliases",
                    ("status", "status_date"),
                    "watch_enabled",
                ]
            },
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
        ("News watch", {"fields": ["context_terms", "news_mentions"]}),
    ]

    @admin.display(description="news mentions")
    def news_mentions(self, obj):
        """The latest 50 mentions, newest first; review them under Case tracker > Mentions."""
        if obj.pk is None:
            return "-"
        mentions = obj.mentions.select_related("news_item").order_by("-created_at")[:50]
        rows = format_html_join(
            "",
            '<tr><td><a href="{}" rel="noopener noreferrer" target="_blank">{}</a></td>'
            '<td>{}</td><td><a href="{}">{}</a></td><td>{}</td></tr>',
            (
                (
                    m.news_item.url,
                    m.news_item.title,
                    ", ".join(m.matched_terms),
                    reverse("admin:tracker_mention_change", args=[m.pk]),
                    m.get_status_display(),
                    m.created_at.date(),
                )
                for m in mentions
            ),
        )
        if not rows:
            return "None yet."
        return format_html(
            "<table><tr><th>article</th><th>matched</th><th>status</th><th>found</th></tr>{}"
            "</table>",
            rows,
        )

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        folded = fold(search_term)
        if folded and folded != search_term:
            results |= queryset.search(search_term)
        return results, may_have_duplicates

    @admin.action(description="Re-scan the last 30 days of news for them", permissions=["change"])
    def rematch_news(self, request, queryset):
        total = rematch_people(people=queryset, days=30)
        self.message_user(request, f"{total} new mention(s) found.", messages.SUCCESS)

    def save_model(self, request, obj, form, change):
        # The form checked the status against the timeline (DetainedPersonForm._post_clean);
        # the service records it, checking again under the person's row lock.
        detained_person_save(
            person=obj, status=obj.status, status_date=form.cleaned_data.get("status_date")
        )

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
class CaseEventAdmin(HistoryAdmin):
    list_display = ["date", "person", "kind", "short_description"]
    list_filter = ["kind", ("person__country", CountryInUseFilter), "person__campaigns"]
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


# --- News watch ---------------------------------------------------------------------------------
