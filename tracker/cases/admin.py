"""Staff pages for detained persons and the timeline of each case, and for the case events the
news watch proposes.

Proposed events have their own list, and the pending ones are on a mention's page and on a
case's page, each with Accept and Reject buttons. The buttons are submit buttons of the page's
own form (the change form, or the change list's form) with `formaction` set to the proposal's
accept or reject URL: they post that form's CSRF token there, and no form is nested in another.
The views check the permission again: only someone who may add case events (and change
proposals) decides (CaseEventProposal.DECIDE_PERMISSIONS).
"""

from dataclasses import dataclass

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import SEARCH_VAR
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, OuterRef, Q
from django.http import FileResponse, Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.utils.text import smart_split, unescape_string_literal
from django.utils.translation import ngettext
from unfold.admin import TabularInline
from unfold.contrib.filters.admin import (
    BooleanRadioFilter,
    ChoicesDropdownFilter,
    RelatedDropdownFilter,
)
from unfold.contrib.import_export.forms import SelectableFieldsExportForm
from unfold.forms import PaginationInlineFormSet
from unfold.widgets import (
    UnfoldAdminFileFieldWidget,
    UnfoldAdminSelectWidget,
    UnfoldAdminSingleDateWidget,
    UnfoldAdminTextareaWidget,
    UnfoldBooleanWidget,
)

from campaigns.models import Campaign
from campaigns.services import CAMPAIGN_ADD_PERSONS_PERMISSIONS, campaign_add_persons
from config.admin import AuditedExportMixin, HistoryImportExportAdmin
from config.admin_bulk import confirm_then_apply
from config.admin_filters import CountryInUseFilter, staff_owner_filter
from config.formats import staff_date
from config.history import HistoryAdmin
from config.json_rows import json_list
from config.permissions import may_view
from config.uploads import validate_upload_size
from tracker.accesslog.services import record_download, record_restricted_view
from tracker.admin_widgets import (
    QUICK_RENDERER,
    OneEmptyFormMixin,
    PreloadedChoicesFormSetMixin,
    QuickFieldsets,
    QuickSelectsMixin,
    QuickTabularInline,
    preloaded_autocomplete,
)
from tracker.cases.forms import CaseDocumentForm, CaseNoteForm, StringListField
from tracker.cases.models import (
    CaseDocument,
    CaseEvent,
    CaseEventProposal,
    CaseEventProposalSource,
    CaseNote,
    CaseOfficer,
    DetainedPerson,
    LegalLimit,
)
from tracker.cases.resources import (
    CaseEventResource,
    DetainedPersonResource,
    LegalLimitResource,
)
from tracker.cases.restricted import (
    RESTRICTED_FIELDS,
    WITHHELD,
    WITHHELD_HELP,
    restricted_fields_shown,
    withheld_fields,
)
from tracker.cases.selectors import (
    case_internal_records,
    case_page_queryset,
    case_summary,
    staff_members,
)
from tracker.cases.services import (
    ASSIGN_OFFICER_PERMISSIONS,
    case_document_save,
    case_event_delete,
    case_event_proposal_accept,
    case_event_proposal_reject,
    case_event_save,
    case_note_save,
    case_officer_add,
    case_officer_assign,
    case_officer_remove,
    detained_person_save,
    detained_person_status_event,
)
from tracker.newswatch.models import Mention
from tracker.newswatch.rematch import rematch_people
from tracker.text import fold
from tracker.workspace.admin import TaskInline


def can_decide(user) -> bool:
    return user.has_perms(CaseEventProposal.DECIDE_PERMISSIONS)


def decide_buttons(proposal: CaseEventProposal, next_url: str) -> str:
    """Accept and Reject, as buttons of the form they are in (see the module docstring)."""
    query = urlencode({"next": next_url})
    return format_html(
        '<span class="vigil-decide"><button type="submit" class="vigil-btn vigil-btn-primary" '
        'formmethod="post" formnovalidate '
        'formaction="{}?{}">Accept</button> '
        '<button type="submit" class="vigil-btn" formmethod="post" formnovalidate '
        'formaction="{}?{}">Reject</button></span>',
        reverse("admin:tracker_caseeventproposal_accept", args=[proposal.pk]),
        query,
        reverse("admin:tracker_caseeventproposal_reject", args=[proposal.pk]),
        query,
    )


def _source_link(url: str, title: str) -> str:
    return format_html('<a href="{}" rel="noopener noreferrer" target="_blank">{}</a>', url, title)


def proposal_sources(p: CaseEventProposal) -> list[tuple[str, str, str]]:
    """(evidence, URL, article title) of every article that reports the proposal's event, the
    first one first (other_sources prefetched with their mentions' news items)."""
    first = (p.evidence, p.source_url, p.mention.news_item.title)
    if hasattr(p, "other_source_rows"):  # read with the proposal (with_other_sources)
        rows = sorted(p.other_source_rows or [], key=_by_id)
        others = [(s["evidence"], s["source_url"], s["title"]) for s in rows]
    else:
        others = [
            (s.evidence, s.source_url, s.mention.news_item.title) for s in p.other_sources.all()
        ]
    return [first, *others]


def _by_id(row: dict) -> int:
    return row["id"]


def with_other_sources(proposals):
    """`proposals` with their other sources (the articles proposal_sources lists after the
    first) in the same query, as JSON (config.json_rows)."""
    sources = CaseEventProposalSource.objects.filter(proposal=OuterRef("pk"))
    return proposals.annotate(
        other_source_rows=json_list(
            sources,
            id="id",
            evidence="evidence",
            source_url="source_url",
            title="mention__news_item__title",
        )
    )


def similar_event_note(p: CaseEventProposal) -> str:
    if p.similar_event is None or p.status != CaseEventProposal.Status.PROPOSED:
        return ""
    return format_html(
        "<br><em>An event like this is on the timeline on {}: accepting adds the article{} "
        "to it, not a second event.</em>",
        staff_date(p.similar_event.date),
        "s" if len(proposal_sources(p)) > 1 else "",
    )


def proposals_table(proposals, *, buttons: bool, next_url: str, article: bool) -> str:
    """The proposals, each with what its articles say. `article`: link the articles (a
    mention's page links them only for a proposal that has other articles than its own)."""
    rows = []
    for p in proposals:
        if p.status == CaseEventProposal.Status.PROPOSED:
            decision = decide_buttons(p, next_url) if buttons else p.get_status_display()
        else:
            decision = format_html(
                "{} by {}", p.get_status_display(), p.decided_by or "someone since removed"
            )
        sources = proposal_sources(p)
        links = article or len(sources) > 1
        says = format_html_join(
            mark_safe("<br><br>"),
            "{}{}",
            (
                (evidence, format_html("<br>{}", _source_link(url, title)) if links else "")
                for evidence, url, title in sources
            ),
        )
        rows.append((p.get_kind_display(), p.date, says, similar_event_note(p), decision))
    if not rows:
        return "None."
    return format_html(
        "<table><tr><th>event</th><th>date</th><th>the articles say</th><th></th></tr>{}</table>",
        format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}{}</td><td>{}</td></tr>", rows),
    )


@dataclass
class CasePage:
    """A case's page being made (DetainedPersonAdmin.change_view): its record, read once, and
    its events if the summary read them (None: not allowed to view them)."""

    object_id: str
    person: DetainedPerson
    events: list[CaseEvent] | None


class ProposalsOnPageMixin:
    """Adds the proposals of the record shown (a mention's, a case's pending ones) to its change
    page, with buttons for those who may decide. Subclasses say which with `page_proposals`."""

    proposals_fieldset_title = "Events proposed from the news"

    def page_proposals(self, obj):  # pragma: no cover - each admin defines it
        raise NotImplementedError

    def _proposals_field(self, request) -> str:
        return "proposed_events_to_decide" if can_decide(request.user) else "proposed_events"

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), self._proposals_field(request)]

    def _table(self, obj, *, buttons: bool) -> str:
        if obj is None or obj.pk is None:
            return "-"
        # The theme reads a read-only field each time it goes through the fieldsets (its tabs):
        # the table is made once per record read, that is once per page.
        made = obj.__dict__.setdefault("_proposals_tables", {})
        if buttons not in made:
            made[buttons] = self._make_table(obj, buttons=buttons)
        return made[buttons]

    def _make_table(self, obj, *, buttons: bool) -> str:
        next_url = reverse(
            f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk]
        )
        proposals = self.page_proposals(obj).select_related(
            "mention__news_item", "decided_by", "similar_event"
        )
        proposals = with_other_sources(proposals)
        return proposals_table(
            proposals, buttons=buttons, next_url=next_url, article=self.proposals_show_article
        )

    proposals_show_article = False

    @admin.display(description="proposed events")
    def proposed_events(self, obj):
        return self._table(obj, buttons=False)

    @admin.display(description="proposed events")
    def proposed_events_to_decide(self, obj):
        return self._table(obj, buttons=True)


class DetainedPersonForm(forms.ModelForm):
    default_renderer = QUICK_RENDERER
    aliases = StringListField(
        required=False,
        help_text="One per line.",
        widget=UnfoldAdminTextareaWidget(attrs={"rows": 3}),
    )
    context_terms = StringListField(
        required=False,
        widget=UnfoldAdminTextareaWidget(attrs={"rows": 3}),
        help_text="One per line. For common names: a news item mentions this person only "
        "if it also contains one of these terms.",
    )
    status_date = forms.DateField(
        label="Status since",
        required=False,
        widget=UnfoldAdminSingleDateWidget,
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
            "publicity",
            *RESTRICTED_FIELDS,
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


class CaseEventFormSet(OneEmptyFormMixin, PaginationInlineFormSet):
    """The timeline's rows. `events`: the case's events, newest first, when its page has read
    them already for the summary's timeline (DetainedPersonAdmin.change_view): the rows are
    those, read once."""

    events = None

    def get_queryset(self):
        if not hasattr(self, "_queryset") and self.events is not None:
            queryset = super().get_queryset()
            queryset._result_cache = list(self.events)
            queryset._prefetch_done = True
        return super().get_queryset()


class CaseEventInline(QuickSelectsMixin, QuickTabularInline, TabularInline):
    model = CaseEvent
    formset = CaseEventFormSet
    extra = 1
    fields = ["date", "kind", "description", "source_url"]
    ordering = ["-date", "-id"]

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        # django-unfold offers "Select value" only for blank=True fields; Django offers it also
        # when the field has no default. Without it the empty row's kind shows "Detained", the
        # row counts as filled in, and the case form will not save until its date is given.
        if "choices" not in kwargs:
            kwargs["choices"] = db_field.get_choices(
                include_blank=db_field.blank or not db_field.has_default(),
                blank_choice=[("", "Select value")],
            )
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        page = getattr(request, "case_page", None)
        if obj is not None and page is not None and page.person is obj:
            formset.events = page.events
        return formset


class CaseOfficerForm(forms.ModelForm):
    def _get_validation_exclusions(self):
        # The case's rules (one lead, each staff member once) are checked across the rows by
        # CaseOfficerFormSet, not row by row against the stored ones: moving the lead from one
        # row to another in one save is allowed. case_officer_add applies them under a lock.
        return {*super()._get_validation_exclusions(), "person"}


class CaseOfficerFormSet(OneEmptyFormMixin, PreloadedChoicesFormSetMixin, forms.BaseInlineFormSet):
    preloaded_fields = ("user",)

    def full_clean(self):
        # A case's page posted without its officers block (opened before officers existed, or
        # posted by a script that knows only the case's fields) saves the rest and changes no
        # officer, as the tasks block does (tracker.workspace.admin.TaskInlineFormSet).
        if self.is_bound and f"{self.prefix}-TOTAL_FORMS" not in self.data:
            self._errors = []
            self._non_form_errors = self.error_class(error_class="nonform", renderer=self.renderer)
            return
        super().full_clean()

    def clean(self):
        super().clean()
        kept = [
            form
            for form in self.forms
            if form.cleaned_data.get("user") and not form.cleaned_data.get("DELETE")
        ]
        users = [form.cleaned_data["user"] for form in kept]
        if len(users) != len(set(users)):
            raise ValidationError("Each staff member is an officer of a case once.")
        if sum(1 for form in kept if form.cleaned_data.get("is_lead")) > 1:
            raise ValidationError("A case has one lead officer: tick one row only.")


class CaseOfficerInline(QuickTabularInline, TabularInline):
    """Who owns the case: active staff members, one of them its lead. Saved through the
    services (DetainedPersonAdmin.save_formset); named by whoever may change the case."""

    model = CaseOfficer
    form = CaseOfficerForm
    formset = CaseOfficerFormSet
    fields = ["user", "is_lead"]
    autocomplete_fields = ["user"]  # active staff only (config.admin_theme.STAFF_PICKERS)
    extra = 0
    verbose_name = "case officer"
    verbose_name_plural = "case officers"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = staff_members()
        kwargs = preloaded_autocomplete(self, db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_queryset(self, request):
        # Each row's title names its officer and case (CaseOfficer.__str__).
        return super().get_queryset(request).select_related("user", "person")

    def _may_assign(self, request) -> bool:
        return request.user.has_perms(ASSIGN_OFFICER_PERMISSIONS)

    def has_add_permission(self, request, obj=None):
        return self._may_assign(request)

    def has_change_permission(self, request, obj=None):
        return self._may_assign(request)

    def has_delete_permission(self, request, obj=None):
        return self._may_assign(request)

    def has_view_permission(self, request, obj=None):
        return may_view(request.user, DetainedPerson)


class AddToCampaignForm(forms.Form):
    campaign = forms.ModelChoiceField(
        queryset=Campaign.objects.order_by("name"), widget=UnfoldAdminSelectWidget
    )


class AssignOfficerForm(forms.Form):
    user = forms.ModelChoiceField(
        label="Officer",
        queryset=staff_members(),
        widget=UnfoldAdminSelectWidget,
        help_text="An active staff member.",
    )
    lead = forms.BooleanField(
        label="Make them the lead of each case",
        required=False,
        widget=UnfoldBooleanWidget,
        help_text="The previous lead stays an officer. Unticked, an officer already on a case "
        "stays as they are.",
    )


# --- Internal notes and documents (beside the timeline, never on it) ------------------------


def document_file_url(document: CaseDocument) -> str:
    return reverse("admin:tracker_casedocument_file", args=[document.pk])


class DocumentFileWidget(UnfoldAdminFileFieldWidget):
    """The theme's file input, its link to the stored file being the admin's download
    (CaseDocumentAdmin.file_view): the same widget template as a letter response's file."""

    template_name = "admin/campaigns/letterresponse/file_widget.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if self.is_initial(value) and getattr(value.instance, "pk", None):
            context["widget"]["file_name"] = value.instance.file_name
            context["widget"]["download_url"] = document_file_url(value.instance)
        return context


class DocumentFileMixin:
    """A document's file: the upload rules of a letter response's scan (an upload over
    UPLOAD_MAX_BYTES is an error of the field), linked to the admin's download; read-only
    (without the change permission) the link is the download too."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name != "file":
            return super().formfield_for_dbfield(db_field, request, **kwargs)
        field = super().formfield_for_dbfield(db_field, request, widget=DocumentFileWidget)
        field.validators.append(validate_upload_size)
        return field

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if self.has_change_permission(request, obj):
            return fields
        return ["file_download" if name == "file" else name for name in fields]

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if self.has_change_permission(request, obj):
            return readonly
        return [*readonly, "file_download"]

    @admin.display(description="file")
    def file_download(self, document):
        if not document or not document.file:
            return "-"
        return format_html('<a href="{}">{}</a>', document_file_url(document), document.file_name)


def _withheld_display(name: str):
    """A read-only entry standing in for restricted field `name`: it says the value is
    withheld, not that it is empty."""
    label = DetainedPerson._meta.get_field(name).verbose_name

    @admin.display(description=label)
    def display(self, obj):
        return format_html(
            '<span class="vigil-withheld" title="{}">{}</span>', WITHHELD_HELP, WITHHELD
        )

    display.__name__ = f"withheld_{name}"
    return display


class RestrictedFieldsMixin:
    """The admin side of tracker.cases.restricted: for a user who may not see the restricted
    fields, each shows as "Withheld" (the form has no input for it), the list neither filters
    nor searches on them, and the History page says they changed without their values."""

    restricted_fieldset_title = "Confidential"
    # Shown only to those who may see restricted fields.
    restricted_list_filter = [("lawyer", admin.EmptyFieldListFilter)]
    restricted_search_fields = ["lawyer"]

    def _withheld(self, request) -> tuple[str, ...]:
        return withheld_fields(request.user)

    def get_fieldsets(self, request, obj=None):
        withheld = self._withheld(request)
        fields = [f"withheld_{name}" if name in withheld else name for name in RESTRICTED_FIELDS]
        description = None if not withheld else WITHHELD_HELP
        restricted = (
            self.restricted_fieldset_title,
            {"classes": ["tab"], "fields": fields, "description": description},
        )
        return [*super().get_fieldsets(request, obj), restricted]

    def get_readonly_fields(self, request, obj=None):
        withheld = [f"withheld_{name}" for name in self._withheld(request)]
        return [*super().get_readonly_fields(request, obj), *withheld]

    def get_list_filter(self, request):
        if self._withheld(request):
            return super().get_list_filter(request)
        return [*super().get_list_filter(request), *self.restricted_list_filter]

    def lookup_allowed(self, lookup, value, request=None):
        # Django's admin lets any URL filter a list by any of the model's own fields
        # (?health__icontains=heart), which would let a user who may not read a restricted
        # field find out its value one guess at a time: such a filter is refused (400).
        withheld = RESTRICTED_FIELDS if request is None else self._withheld(request)
        if lookup.split("__", 1)[0] in withheld:
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_search_fields(self, request):
        if self._withheld(request):
            return super().get_search_fields(request)
        return [*super().get_search_fields(request), *self.restricted_search_fields]

    def history_withheld_fields(self, request) -> tuple[str, ...]:
        return self._withheld(request)

    def record_restricted_read(self, request, obj, *, fields=None) -> None:
        """A page that showed `obj`'s restricted fields to a case officer goes in the access
        log (the fields with a value, or those a History page may show)."""
        if obj is None or self._withheld(request):
            return
        shown = restricted_fields_shown(request.user, obj) if fields is None else list(fields)
        if shown:
            record_restricted_view(request=request, interface="admin", obj=obj, fields=shown)

    def render_history_view(self, request, template, context, **kwargs):
        """The History page (its changes may show any restricted field's values) and an old
        version's page are reads of the restricted fields too."""
        response = super().render_history_view(request, template, context, **kwargs)
        if request.method == "GET" and response.status_code == 200:
            if template == self.object_history_form_template:
                self.record_restricted_read(request, context["original"])
            else:
                self.record_restricted_read(request, context["object"], fields=RESTRICTED_FIELDS)
        return response

    def keep_withheld_values(self, request, obj) -> None:
        """Puts back the stored values of the fields `request.user` may not change: reverting
        to an old version on the History page saves that version whole, restricted fields
        included, and must not let them change through it."""
        withheld = self._withheld(request)
        if obj.pk is None or not withheld:
            return
        stored = type(obj).objects.filter(pk=obj.pk).values(*withheld).first() or {}
        for name, value in stored.items():
            setattr(obj, name, value)

    def get_export_resource_classes(self, request):
        return [cls.for_user(request.user) for cls in super().get_export_resource_classes(request)]

    def get_import_resource_classes(self, request):
        return [cls.for_user(request.user) for cls in super().get_import_resource_classes(request)]


for _name in RESTRICTED_FIELDS:
    setattr(RestrictedFieldsMixin, f"withheld_{_name}", _withheld_display(_name))


@admin.register(DetainedPerson)
class DetainedPersonAdmin(
    QuickSelectsMixin,
    QuickFieldsets,
    RestrictedFieldsMixin,
    ProposalsOnPageMixin,
    HistoryImportExportAdmin,
):
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
        ("status", ChoicesDropdownFilter),
        ("country", CountryInUseFilter),
        ("campaigns", RelatedDropdownFilter),
        ("gender", ChoicesDropdownFilter),
        ("watch_enabled", BooleanRadioFilter),
        ("publicity", ChoicesDropdownFilter),
        staff_owner_filter(
            title="case officer", parameter="officer", user_path="officer_links__user"
        ),
    ]
    # search_names holds every name form folded (case and accents removed); see get_search_results.
    search_fields = ["name", "native_name", "search_names"]
    date_hierarchy = "detained_on"
    inlines = [CaseOfficerInline, CaseEventInline, TaskInline]
    readonly_fields = ["news_mentions"]
    actions = ["rematch_news", "add_to_campaign", "assign_officer"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "native_name",
                    "aliases",
                    "status",
                    "status_date",
                    "publicity",
                    "watch_enabled",
                ]
            },
        ),
        (
            "Person",
            {
                "classes": ["tab"],
                "fields": [
                    "gender",
                    "birth_year",
                    "country",
                    "occupation",
                    "affiliation",
                ],
            },
        ),
        (
            "Detention",
            {
                "classes": ["tab"],
                "fields": [
                    "detained_on",
                    "place_of_detention",
                    "charges",
                    "sentence",
                    "summary",
                ],
            },
        ),
        ("News watch", {"classes": ["tab"], "fields": ["context_terms", "news_mentions"]}),
    ]

    proposals_show_article = True

    def page_proposals(self, obj):
        return obj.event_proposals.filter(status="proposed").order_by("date", "pk")

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not may_view(request.user, Mention):
            # The news watch's tab lists the person's mentions: only to those who may read them.
            fieldsets = [
                (name, {**opts, "fields": [f for f in opts["fields"] if f != "news_mentions"]})
                for name, opts in fieldsets
            ]
        if obj is None or not may_view(request.user, CaseEventProposal):
            return fieldsets
        shown = (self.proposals_fieldset_title, {"fields": [self._proposals_field(request)]})
        return [fieldsets[0], shown, *fieldsets[1:]]

    @admin.display(description="news mentions")
    def news_mentions(self, obj):
        """The latest 50 mentions, newest first; review them under News watch > News mentions.
        Made once per page (the theme reads a read-only field more than once), from the
        mentions the summary read with its own (CasePage.recent_mentions) on a case's page."""
        if obj.pk is None:
            return "-"
        if "_news_mentions" not in obj.__dict__:
            obj._news_mentions = self._news_mentions_table(obj)
        return obj._news_mentions

    def _news_mentions_table(self, obj):
        mentions = obj.__dict__.get("_recent_mentions")
        if mentions is None:
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
                    staff_date(m.created_at.date()),
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

    def get_object(self, request, object_id, from_field=None):
        # The case's page reads its record once (change_view), with its clock, for the summary
        # and for Django's form alike.
        page = getattr(request, "case_page", None)
        if page is not None and from_field is None and object_id == page.object_id:
            return page.person
        return super().get_object(request, object_id, from_field)

    def _read_case(self, request, object_id):
        """get_object's record, with what else the page shows of it in the same query (its
        clock, legal limit, campaigns, timeline, mentions, notes and documents:
        case_page_queryset, all cases as this admin's get_queryset, Django's, gives them)."""
        queryset = case_page_queryset(user=request.user)
        try:
            return queryset.get(pk=DetainedPerson._meta.pk.to_python(object_id))
        except (DetainedPerson.DoesNotExist, ValidationError, ValueError):
            return None

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """Above the form, a summary to read: names, status and days held, the legal limit,
        campaigns, letters and their answers, the timeline and confirmed mentions. Each record
        is read once for the whole page: the summary's timeline is the rows of the events'
        inline, its mentions those of the News watch tab."""
        extra_context = dict(extra_context or {})
        object_id = unquote(object_id)
        person = self._read_case(request, object_id)
        if person is not None:
            summary = case_summary(
                person=person, user=request.user, recent_mentions=may_view(request.user, Mention)
            )
            person._recent_mentions = summary["recent_mentions"]
            request.case_page = CasePage(object_id, person, summary["events"])
            extra_context["case_summary"] = summary
            from tracker.workspace.casefile import may_include_internal

            extra_context["may_include_internal"] = may_include_internal(request.user)
            extra_context["internal"] = self._internal_panel(request, person)
        try:
            response = super().change_view(request, object_id, form_url, extra_context)
            if request.method == "GET" and response.status_code == 200:
                self.record_restricted_read(request, person)
        finally:
            request.case_page = None
        return response

    def get_urls(self):
        def case_file(pdf: bool):
            def view(request, object_id):
                return self.case_file_view(request, object_id, pdf=pdf)

            return view

        return [
            path(
                "<path:object_id>/case-file/",
                self.admin_site.admin_view(case_file(True)),
                name="tracker_detainedperson_case_file",
            ),
            path(
                "<path:object_id>/case-file/print/",
                self.admin_site.admin_view(case_file(False)),
                name="tracker_detainedperson_case_file_print",
            ),
            path(
                "<path:object_id>/notes/add/",
                self.admin_site.admin_view(self.add_note_view),
                name="tracker_detainedperson_add_note",
            ),
            path(
                "<path:object_id>/documents/add/",
                self.admin_site.admin_view(self.add_document_view),
                name="tracker_detainedperson_add_document",
            ),
            *super().get_urls(),
        ]

    def _internal_panel(self, request, person) -> dict:
        """The panel of internal notes and documents under the case's form (its own forms,
        outside the case's: adding a note saves nothing else)."""
        user = request.user
        return {
            **case_internal_records(person=person, user=user),
            "note_form": CaseNoteForm() if user.has_perm("tracker.add_casenote") else None,
            "document_form": (
                CaseDocumentForm() if user.has_perm("tracker.add_casedocument") else None
            ),
            "may_change_notes": user.has_perm("tracker.change_casenote"),
        }

    def _add_internal_record(self, request, object_id, *, form_class, permission, save):
        """Adds a note or a document to the case from its page's panel, then back to the page
        (its errors, such as a file over the upload limit, as messages there)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        person = self.get_object(request, unquote(object_id))
        if person is None:
            raise Http404("No such case.")
        if not (self.has_view_permission(request, person) and request.user.has_perm(permission)):
            raise PermissionDenied
        form = form_class(request.POST, request.FILES)
        if form.is_valid():
            record = form.save(commit=False)
            record.person = person
            try:
                save(record, request.user)
            except ValidationError as exc:
                form.add_error(None, exc)
        if form.errors:
            for name, errors in form.errors.items():
                label = form.fields[name].label if name in form.fields else ""
                for error in errors:
                    self.message_user(
                        request,
                        f"Not added: {label}: {error}" if label else f"Not added: {error}",
                        messages.ERROR,
                    )
        else:
            self.message_user(request, f"Added: {record}.", messages.SUCCESS)
        url = reverse("admin:tracker_detainedperson_change", args=[person.pk])
        return HttpResponseRedirect(url + "#internal-records")

    def add_note_view(self, request, object_id):
        return self._add_internal_record(
            request,
            object_id,
            form_class=CaseNoteForm,
            permission="tracker.add_casenote",
            save=lambda note, user: case_note_save(note=note, user=user),
        )

    def add_document_view(self, request, object_id):
        return self._add_internal_record(
            request,
            object_id,
            form_class=CaseDocumentForm,
            permission="tracker.add_casedocument",
            save=lambda document, user: case_document_save(document=document, user=user),
        )

    def case_file_view(self, request, object_id, *, pdf: bool):
        """The case's file, a PDF or the print view (tracker/workspace/casefile.py): to those
        who may view the case, each one recorded in the access log; `?include=notes` adds the
        internal notes and documents for those who may view them."""
        from tracker.workspace import casefile

        person = self.get_object(request, unquote(object_id))
        if person is None:
            raise Http404("No such case.")
        if not self.has_view_permission(request, person):
            raise PermissionDenied
        context = casefile.case_file_context(
            person=person, user=request.user, include_internal=casefile.wants_internal(request)
        )
        return casefile.serve_file(
            request=request,
            obj=person,
            template=casefile.CASE_TEMPLATE,
            context=context,
            subject=person.name,
            pdf=pdf,
        )

    # Searched in search_names, which holds each of them folded (get_search_results).
    name_search_fields = ("name", "native_name", "search_names")

    def get_ordering(self, request):
        if request.GET.get(SEARCH_VAR, "").strip():
            # A search's cases by name as ever, written so that PostgreSQL finds the matches
            # through the search's index and sorts them (NULLS FIRST: no name is null, but the
            # name index's order is NULLS LAST) rather than walking every case by name until a
            # page of them match: for a rare name late in the alphabet that read most cases.
            return [F("name").asc(nulls_first=True)]
        return super().get_ordering(request)

    def get_search_results(self, request, queryset, search_term):
        """Django's search (every word of the search in one of the searched fields, or the
        whole search folded in a name form: `liu-xia`, `LIÚ XIÀ`), with the name fields read
        in search_names only: a word is in a name, native name or alias when its folded form
        is in search_names, as the API's search has it, through that column's trigram index
        (tracker migration 0029), so that a search reads the cases it finds rather than every
        case. Other searched fields (a case officer's `lawyer`) match a word as in Django's
        search (icontains)."""
        words = [
            unescape_string_literal(bit) if bit[:1] in "\"'" and bit[0] == bit[-1] else bit
            for bit in smart_split(search_term)
        ]
        if not words:
            return queryset, False
        keys = [fold(word) for word in words]
        if not all(keys):  # a word of punctuation only, which folds to nothing: Django's
            results, may_have_duplicates = super().get_search_results(
                request, queryset, search_term
            )
            folded = fold(search_term)
            if folded and folded != search_term:
                results |= queryset.search(search_term)
            return results, may_have_duplicates
        others = [f for f in self.get_search_fields(request) if f not in self.name_search_fields]
        every_word = Q()
        for word, key in zip(words, keys, strict=True):
            one_of = Q(search_names__contains=key)
            for field in others:
                one_of |= Q(**{f"{field}__icontains": word})
            every_word &= one_of
        phrase = fold(search_term)
        if phrase not in keys:  # more than one word: the whole search may be one name's too
            every_word |= Q(search_names__contains=phrase)
        return queryset.filter(every_word), False

    @admin.action(description="Re-scan the last 30 days of news for them", permissions=["change"])
    def rematch_news(self, request, queryset):
        total = rematch_people(people=queryset, days=30)
        found = ngettext("%d new mention found.", "%d new mentions found.", total) % total
        self.message_user(request, found, messages.SUCCESS)

    def has_add_to_campaign_permission(self, request) -> bool:
        return request.user.has_perms(CAMPAIGN_ADD_PERSONS_PERMISSIONS)

    def has_assign_officer_permission(self, request) -> bool:
        return request.user.has_perms(ASSIGN_OFFICER_PERMISSIONS)

    @admin.action(description="Add to a campaign…", permissions=["add_to_campaign"])
    def add_to_campaign(self, request, queryset):
        def apply(persons, data):
            campaign = data["campaign"]
            added = campaign_add_persons(campaign=campaign, persons=persons)
            for person in added:
                self.log_change(request, person, f"Added to the campaign {campaign}.")
            if added:
                self.log_change(
                    request,
                    campaign,
                    "Added cases: " + ", ".join(person.name for person in added) + ".",
                )
            already = len(persons) - len(added)
            note = ngettext(" %d was in it already.", " %d were in it already.", already)
            words = ngettext("%d case added to %s.", "%d cases added to %s.", len(added))
            return words % (len(added), campaign) + (note % already if already else "")

        return confirm_then_apply(
            self,
            request,
            queryset,
            title="Add cases to a campaign",
            intro="Add these cases to the campaign chosen below. Cases already in it stay "
            "as they are; no case leaves another campaign.",
            button="Add them to the campaign",
            form_class=AddToCampaignForm,
            apply=apply,
        )

    @admin.action(description="Assign a case officer…", permissions=["assign_officer"])
    def assign_officer(self, request, queryset):
        def apply(persons, data):
            user, lead = data["user"], data["lead"]
            case_officer_assign(persons=persons, user=user, lead=lead)
            role = "lead officer" if lead else "an officer"
            for person in persons:
                self.log_change(request, person, f"Made {user.get_username()} {role}.")
            words = ngettext("%s is now %s of %d case.", "%s is now %s of %d cases.", len(persons))
            return words % (user.get_username(), role, len(persons))

        return confirm_then_apply(
            self,
            request,
            queryset,
            title="Assign a case officer",
            intro="Make the staff member chosen below an officer of these cases.",
            button="Assign them",
            form_class=AssignOfficerForm,
            apply=apply,
        )

    def save_model(self, request, obj, form, change):
        self.keep_withheld_values(request, obj)
        # The form checked the status against the timeline (DetainedPersonForm._post_clean);
        # the service records it, checking again under the person's row lock.
        detained_person_save(
            person=obj, status=obj.status, status_date=form.cleaned_data.get("status_date")
        )

    def save_formset(self, request, form, formset, change):
        if formset.model is CaseOfficer:
            return self._save_officers(formset, person=form.instance)
        if formset.model is not CaseEvent:
            return super().save_formset(request, form, formset, change)
        # Timeline edits go through the service so that the status rule applies.
        events = formset.save(commit=False)
        for event in formset.deleted_objects:
            case_event_delete(event=event)
        for event in events:
            case_event_save(event=event)
        formset.save_m2m()

    def _save_officers(self, formset, *, person) -> None:
        """Officers through the services: removals first, then the rows that are not the
        lead, then the lead (which moves it), so that the one-lead rule holds at each step."""
        links = formset.save(commit=False)
        stored = dict(
            CaseOfficer.objects.filter(pk__in=[link.pk for link in links if link.pk]).values_list(
                "pk", "user_id"
            )
        )
        for link in formset.deleted_objects:
            case_officer_remove(person=person, user=link.user)
        for link in links:
            if link.pk in stored and stored[link.pk] != link.user_id:  # the row's user changed
                case_officer_remove(person=person, user=stored[link.pk])
        for link in sorted(links, key=lambda link: link.is_lead):
            case_officer_add(person=person, user=link.user, lead=link.is_lead)


@admin.register(CaseNote)
class CaseNoteAdmin(HistoryAdmin):
    """A case's internal notes, all cases together; written on the case's page or here."""

    list_display = ["written_on", "person", "author", "text_start"]
    list_select_related = ["person", "author"]
    search_fields = ["person__name", "person__native_name", "text"]
    autocomplete_fields = ["person"]
    date_hierarchy = "written_on"
    fields = ["person", "written_on", "text", "author"]
    readonly_fields = ["author"]

    @admin.display(description="note")
    def text_start(self, obj):
        return obj.text if len(obj.text) <= 80 else obj.text[:79] + "…"

    def save_model(self, request, obj, form, change):
        case_note_save(note=obj, user=request.user)


@admin.register(CaseDocument)
class CaseDocumentAdmin(DocumentFileMixin, HistoryAdmin):
    """A case's documents, all cases together; uploaded on the case's page or here. The file is
    served only by file_view, as a download recorded in the access log."""

    list_display = ["title", "person", "kind", "dated", "uploaded_by", "created_at"]
    list_filter = [("kind", ChoicesDropdownFilter)]
    list_select_related = ["person", "uploaded_by"]
    search_fields = ["person__name", "person__native_name", "title"]
    autocomplete_fields = ["person"]
    fields = ["person", "title", "kind", "dated", "file", "uploaded_by"]
    readonly_fields = ["uploaded_by"]

    def save_model(self, request, obj, form, change):
        case_document_save(document=obj, user=request.user)

    def get_urls(self):
        file_view = path(
            "<path:object_id>/file/",
            self.admin_site.admin_view(self.file_view),
            name="tracker_casedocument_file",
        )
        return [file_view, *super().get_urls()]

    def file_view(self, request, object_id):
        """The uploaded file, to staff who may view documents only (MEDIA_ROOT is never
        served), as a download; each one is recorded in the access log."""
        document = self.get_object(request, unquote(object_id))
        if document is None or not document.file:
            raise Http404("No such file.")
        if not self.has_view_permission(request, document):
            raise PermissionDenied
        try:
            handle = document.file.open("rb")
        except FileNotFoundError:
            raise Http404("The file is missing from the server.") from None
        try:
            record_download(request=request, obj=document, file_name=document.file_name)
        except BaseException:
            handle.close()
            raise
        return FileResponse(handle, as_attachment=True, filename=document.file_name)


@admin.register(CaseEvent)
class CaseEventAdmin(AuditedExportMixin, HistoryAdmin):
    """Export only: a status event moves its person's status, which an import would bypass."""

    resource_classes = [CaseEventResource]
    export_form_class = SelectableFieldsExportForm
    list_display = ["date", "person", "kind", "short_description"]
    list_filter = [
        ("kind", ChoicesDropdownFilter),
        ("person__country", CountryInUseFilter),
        ("person__campaigns", RelatedDropdownFilter),
    ]
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


@admin.register(LegalLimit)
class LegalLimitAdmin(AuditedExportMixin, HistoryAdmin):
    """The longest a status may lawfully last, per country: the dashboard and case pages count
    each case against these. Export only."""

    resource_classes = [LegalLimitResource]
    export_form_class = SelectableFieldsExportForm

    list_display = ["country", "status", "max_days", "legal_basis_start"]
    list_filter = [("country", CountryInUseFilter), "status"]
    fields = ["country", "status", "max_days", "legal_basis"]

    @admin.display(description="legal basis")
    def legal_basis_start(self, obj):
        return obj.legal_basis[:100]


# --- News watch ---------------------------------------------------------------------------------


@admin.register(CaseEventProposal)
class CaseEventProposalAdmin(HistoryAdmin):
    list_display = ["person", "kind", "date", "status", "evidence", "article", "decision"]
    list_filter = ["status", "kind"]
    list_select_related = ["person", "mention__news_item", "decided_by", "similar_event"]
    search_fields = ["person__name", "person__native_name", "evidence"]
    date_hierarchy = "date"
    ordering = ["status", "-created_at"]
    fields = [
        "person",
        "kind",
        "date",
        "evidence",
        "article",
        "mention",
        "similar_event",
        "status",
        "decided_by",
        "decided_at",
        "event",
    ]
    readonly_fields = fields
    actions = ["accept_selected", "reject_selected"]

    def has_add_permission(self, request):
        return False  # the news watch proposes; staff decide

    def has_change_permission(self, request, obj=None):
        return False  # decided with the buttons, never edited

    def has_decide_permission(self, request) -> bool:
        return can_decide(request.user)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("other_sources__mention__news_item")

    @admin.display(description="articles")
    def article(self, obj):
        """Every article that reports the event (the first one's sentence is `evidence`),
        and the like event the timeline has, if any."""
        links = format_html_join(
            mark_safe("<br>"),
            "{}",
            ((_source_link(url, title),) for _evidence, url, title in proposal_sources(obj)),
        )
        return format_html("{}{}", links, similar_event_note(obj))

    def get_list_display(self, request):
        # Django calls a column with the row only: the column with buttons is another column.
        if can_decide(request.user):
            return [*self.list_display[:-1], "decision_to_make"]
        return self.list_display

    @admin.display(description="decision")
    def decision(self, obj):
        if obj.status == CaseEventProposal.Status.PROPOSED:
            return obj.get_status_display()
        return format_html(
            "{} by {}", obj.get_status_display(), obj.decided_by or "someone since removed"
        )

    @admin.display(description="decision")
    def decision_to_make(self, obj):
        if obj.status == CaseEventProposal.Status.PROPOSED:
            return decide_buttons(obj, reverse("admin:tracker_caseeventproposal_changelist"))
        return self.decision(obj)

    def get_urls(self):
        def decide(service, name):
            def view(request, object_id):
                return self.decide_view(request, object_id, service)

            return path(
                f"<path:object_id>/{name}/",
                self.admin_site.admin_view(view),
                name=f"tracker_caseeventproposal_{name}",
            )

        return [
            decide(case_event_proposal_accept, "accept"),
            decide(case_event_proposal_reject, "reject"),
            *super().get_urls(),
        ]

    def decide_view(self, request, object_id, service):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_decide_permission(request):
            raise PermissionDenied
        proposal = self.get_object(request, unquote(object_id))
        if proposal is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        self._decide(request, [proposal], service)
        next_url = request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            next_url = reverse("admin:tracker_caseeventproposal_changelist")
        return HttpResponseRedirect(next_url)

    def _decide(self, request, proposals, service) -> None:
        for proposal in proposals:
            try:
                decided = service(proposal=proposal, user=request.user)
            except ValidationError as exc:
                self.message_user(request, f"{proposal}: {' '.join(exc.messages)}", messages.ERROR)
            except CaseEventProposal.DoesNotExist:
                self.message_user(request, "That proposal has just been deleted.", messages.ERROR)
            else:
                done = decided.get_status_display().lower()
                when = staff_date(decided.date)
                self.message_user(
                    request,
                    f"{decided.get_kind_display()} on {when} for {decided.person}: {done}.",
                    messages.SUCCESS,
                )

    @admin.action(description="Accept: put these events on the timelines", permissions=["decide"])
    def accept_selected(self, request, queryset):
        self._decide(request, list(queryset), case_event_proposal_accept)

    @admin.action(description="Reject: the articles do not say this", permissions=["decide"])
    def reject_selected(self, request, queryset):
        self._decide(request, list(queryset), case_event_proposal_reject)
