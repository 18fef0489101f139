from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from unfold.admin import StackedInline, TabularInline
from unfold.contrib.filters.admin import (
    AutocompleteSelectFilter,
    ChoicesDropdownFilter,
    RelatedDropdownFilter,
)
from unfold.contrib.import_export.forms import SelectableFieldsExportForm
from unfold.widgets import (
    UnfoldAdminCheckboxSelectMultipleWidget,
    UnfoldAdminFileFieldWidget,
    UnfoldBooleanSwitchWidget,
)

from campaigns.models import Campaign, Letter, LetterResponse, Organization, Person, Signature
from campaigns.osdi.admin import SignaturePullAdminMixin
from campaigns.resources import (
    CampaignResource,
    LetterResource,
    LetterResponseResource,
    OrganizationResource,
    PersonResource,
    SignatureResource,
)
from campaigns.selectors import (
    WAITING_AFTER_DAYS,
    campaign_summary,
    letter_answered_about,
    letter_signature_changes,
    letters_recipient_statuses,
)
from campaigns.services import (
    campaign_unique_slug,
    letter_response_check_persons,
    letter_response_delete,
    letter_response_record,
    letter_save,
)
from campaigns.signature_import import (
    COLUMNS,
    IMPORT_PERMISSIONS,
    ImportFileError,
    check_file_size,
    signatures_import_csv,
)
from config.admin import AuditedExportMixin, HistoryImportExportAdmin
from config.admin_filters import CountryInUseFilter, staff_owner_filter
from config.history import HistoryAdmin
from config.permissions import may_view
from config.uploads import validate_upload_size
from tracker.accesslog.services import record_download
from tracker.admin_widgets import NamedInlineFields
from tracker.cases.models import DetainedPerson
from tracker.cases.selectors import staff_members
from tracker.workspace.admin import TaskInline


@admin.register(Organization)
class OrganizationAdmin(HistoryImportExportAdmin):
    resource_classes = [OrganizationResource]
    list_display = ["name", "kind", "country", "website", "updated_at"]
    list_filter = [("kind", ChoicesDropdownFilter), ("country", CountryInUseFilter)]
    search_fields = ["name"]


@admin.register(Person)
class PersonAdmin(HistoryImportExportAdmin):
    resource_classes = [PersonResource]
    list_display = ["full_name", "title", "organization", "country", "email"]
    list_filter = [("country", CountryInUseFilter), ("organization__kind", ChoicesDropdownFilter)]
    list_select_related = ["organization"]
    search_fields = ["full_name", "native_name", "title", "email", "organization__name"]
    autocomplete_fields = ["organization"]


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = [
            "name",
            "slug",
            "summary",
            "description",
            "status",
            "started_on",
            "ended_on",
            "lead_organization",
            "lead_person",
            "website",
            "detained_persons",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Absent where the slug is read-only (a Viewer's page): the form has no field then.
        if "slug" in self.fields:
            self.fields["slug"].required = False

    def clean_slug(self):
        slug = self.cleaned_data.get("slug")
        if not slug and self.data.get("name"):
            slug = campaign_unique_slug(name=self.data["name"], exclude_pk=self.instance.pk)
        return slug


def _count_of(rows, column: str) -> Coalesce:
    """How many of `rows` (a manager or queryset) point at the listed record by `column`: a
    subquery per record shown, counting along the index on `column`."""
    counted = (
        rows.filter(**{column: OuterRef("pk")})
        .order_by()
        .values(column)
        .annotate(n=Count("*"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


@admin.register(Campaign)
class CampaignAdmin(AuditedExportMixin, HistoryAdmin):
    """Export only: a campaign is saved through campaign_save, which an import would bypass."""

    form = CampaignForm
    resource_classes = [CampaignResource]
    export_form_class = SelectableFieldsExportForm
    list_display = [
        "name",
        "status",
        "started_on",
        "ended_on",
        "lead_organization",
        "n_cases",
    ]
    list_filter = [
        ("status", ChoicesDropdownFilter),
        ("lead_organization", AutocompleteSelectFilter),
    ]
    list_select_related = ["lead_organization"]
    search_fields = ["name", "slug", "summary"]
    autocomplete_fields = ["lead_organization", "lead_person", "detained_persons"]
    date_hierarchy = "started_on"
    inlines = [TaskInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "status", ("started_on", "ended_on")]}),
        ("About", {"classes": ["tab"], "fields": ["summary", "description", "website"]}),
        ("Led by", {"classes": ["tab"], "fields": ["lead_organization", "lead_person"]}),
        ("Cases", {"classes": ["tab"], "fields": ["detained_persons"]}),
    ]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if may_view(request.user, DetainedPerson):
            return fieldsets
        # The Cases tab names the detained persons: only to those who may view them (the form
        # then leaves the campaign's cases as they are).
        return [
            (name, opts) for name, opts in fieldsets if "detained_persons" not in opts["fields"]
        ]

    def get_queryset(self, request):
        # Each campaign's cases counted for the campaigns a page shows (a subquery), not by
        # joining every campaign to all its cases: the list's count, dates and filters then
        # read the campaigns alone, however many cases they have. Ordered to the last key
        # for the autocomplete's pages.
        cases = (
            super()
            .get_queryset(request)
            .annotate(n_cases=_count_of(Campaign.detained_persons.through.objects, "campaign_id"))
        )
        return cases.order_by(*Campaign._meta.ordering, "pk")

    def get_export_queryset(self, request):
        # The export's columns read each campaign's leads and cases: a few queries in all.
        return (
            super()
            .get_export_queryset(request)
            .select_related("lead_organization", "lead_person")
            .prefetch_related("detained_persons")
        )

    @admin.display(description="cases", ordering="n_cases")
    def n_cases(self, obj):
        return obj.n_cases

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Above the form: its cases, its letters and how they were answered, its totals.
        campaign = self.get_object(request, unquote(object_id))
        if campaign is not None:
            extra_context = {
                **(extra_context or {}),
                "summary": campaign_summary(campaign=campaign, user=request.user),
                "waiting_after_days": WAITING_AFTER_DAYS,
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        def campaign_file(pdf: bool):
            def view(request, object_id):
                return self.campaign_file_view(request, object_id, pdf=pdf)

            return view

        return [
            path(
                "<path:object_id>/file/",
                self.admin_site.admin_view(campaign_file(True)),
                name="campaigns_campaign_file",
            ),
            path(
                "<path:object_id>/file/print/",
                self.admin_site.admin_view(campaign_file(False)),
                name="campaigns_campaign_file_print",
            ),
            *super().get_urls(),
        ]

    def campaign_file_view(self, request, object_id, *, pdf: bool):
        """The campaign's file, a PDF or the print view (tracker/workspace/casefile.py, where
        the case file is too), to those who may view the campaign; recorded in the access log."""
        from tracker.workspace import casefile

        campaign = self.get_object(request, unquote(object_id))
        if campaign is None:
            raise Http404("No such campaign.")
        if not self.has_view_permission(request, campaign):
            raise PermissionDenied
        return casefile.serve_file(
            request=request,
            obj=campaign,
            template=casefile.CAMPAIGN_TEMPLATE,
            context=casefile.campaign_file_context(campaign=campaign, user=request.user),
            subject=campaign.name,
            pdf=pdf,
        )


class SignatureInline(NamedInlineFields, TabularInline):
    model = Signature
    extra = 1
    fields = ["organization", "person", "signed_on", "note"]
    autocomplete_fields = ["organization", "person"]


class ResponseFileWidget(UnfoldAdminFileFieldWidget):
    """The theme's file input, its link to the stored file being the admin's download."""

    template_name = "admin/campaigns/letterresponse/file_widget.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if self.is_initial(value) and getattr(value.instance, "pk", None):
            context["widget"]["file_name"] = value.name.rsplit("/", 1)[-1]
            context["widget"]["download_url"] = response_file_url(value.instance)
        return context


def response_file_url(response: LetterResponse) -> str:
    return reverse("admin:campaigns_letterresponse_file", args=[response.pk])


def _file_to_download(entry):
    """A `fields` entry (a name, or a tuple of names shown on one line) with "file" read-only."""
    if isinstance(entry, tuple | list):
        return tuple(_file_to_download(name) for name in entry)
    return "file_download" if entry == "file" else entry


class ResponseFileMixin:
    """A response's file, on its page and under its letter: an upload over UPLOAD_MAX_BYTES is
    an error of the field, and the stored file links to the admin's download (MEDIA_ROOT is
    not served: the file's own URL would be a 404), in the form and on the read-only page."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name != "file":
            return super().formfield_for_dbfield(db_field, request, **kwargs)
        field = super().formfield_for_dbfield(db_field, request, widget=ResponseFileWidget)
        field.validators.append(validate_upload_size)
        return field

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if self.has_change_permission(request, obj):
            return fields
        # Read-only, the admin would link the field to the file's own URL.
        return [_file_to_download(entry) for entry in fields]

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if self.has_change_permission(request, obj):
            return readonly
        return [*readonly, "file_download"]

    @admin.display(description="file")
    def file_download(self, response):
        if not response.file:
            return "-"
        return format_html(
            '<a href="{}">{}</a>', response_file_url(response), response.file.name.rsplit("/")[-1]
        )


class LetterResponseForm(forms.ModelForm):
    """A response's form: whom it answers about is ticked among its letter's persons (the
    admin narrows the choices, ResponsePersonsMixin), and checked by the services' rule."""

    def clean(self):
        cleaned = super().clean()
        if "persons" in self.fields and cleaned.get("persons") is not None:
            letter = cleaned.get("letter") or (
                self.instance.letter if self.instance.letter_id else None
            )
            try:
                letter_response_check_persons(letter=letter, persons=cleaned["persons"])
            except ValidationError as exc:
                self.add_error(None, exc)
        return cleaned


def letter_persons_choices(letter_id) -> QuerySet:
    """The persons a response to this letter may answer about: those the letter is about."""
    if not letter_id:
        return DetainedPerson.objects.none()
    return DetainedPerson.objects.filter(letters=letter_id).order_by("name", "pk")


class ResponsePersonsMixin:
    """The persons a response answers about: a list of boxes, one per person its letter is
    about, shown only to those who may view the cases (the form then leaves them as they
    are)."""

    form = LetterResponseForm

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name != "persons":
            return super().formfield_for_dbfield(db_field, request, **kwargs)
        kwargs["widget"] = UnfoldAdminCheckboxSelectMultipleWidget
        kwargs["queryset"] = DetainedPerson.objects.none()  # narrowed per letter
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        # No "add another" or "change" beside the boxes: a person added there would not be
        # one the letter is about.
        if isinstance(field.widget, RelatedFieldWidgetWrapper):
            field.widget = field.widget.widget
        return field

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if may_view(request.user, DetainedPerson):
            return fields
        return [f for f in fields if f != "persons"]

    @staticmethod
    def _narrow(form_class, letter_id):
        field = form_class.base_fields.get("persons")
        if field is not None:
            field.queryset = letter_persons_choices(letter_id)
            if not letter_id:
                field.help_text = (
                    "Save the response with its letter first: the persons the letter is "
                    "about are then offered here."
                )


class LetterResponseInline(ResponsePersonsMixin, ResponseFileMixin, StackedInline):
    """Responses are recorded through the service (LetterAdmin.save_formset), so that the
    letter's status follows them. Stacked, one response a block: in a table row the summary was
    squeezed to a sliver and the file and delete box went past the page's edge."""

    model = LetterResponse
    extra = 0
    fields = ["person", "organization", "received_on", "summary", "url", "file", "persons"]
    autocomplete_fields = ["person", "organization"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        self._narrow(formset.form, obj.pk if obj is not None else None)
        return formset


class SignatureImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        widget=UnfoldAdminFileFieldWidget,
        help_text=f"UTF-8, with the header {','.join(COLUMNS)} (the columns you do not use may "
        "be left out); each row fills exactly one of organization and person.",
    )
    partial = forms.BooleanField(
        required=False,
        widget=UnfoldBooleanSwitchWidget,
        label="Import the valid rows only",
        help_text="Without this, any invalid row rejects the whole file.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            check_file_size(upload.size)
        except ImportFileError as exc:
            raise forms.ValidationError(str(exc)) from None
        return upload


@admin.register(Letter)
class LetterAdmin(SignaturePullAdminMixin, AuditedExportMixin, HistoryAdmin):
    """Export only (signatures are imported on a letter's page, "Import signatures", or pulled
    from its Action Network petition): a letter is saved through letter_save, which an import
    would bypass."""

    resource_classes = [LetterResource]
    export_form_class = SelectableFieldsExportForm
    list_display = ["title", "kind", "status", "sent_on", "campaign", "n_signatures"]
    list_filter = [
        ("status", ChoicesDropdownFilter),
        ("kind", ChoicesDropdownFilter),
        ("campaign", RelatedDropdownFilter),
        staff_owner_filter(title="owner", parameter="owner", user_path="owner"),
    ]
    list_select_related = ["campaign"]
    search_fields = ["title", "body", "demands", "recipients__full_name"]
    # The owner: active staff only (config.admin_theme.STAFF_PICKERS).
    autocomplete_fields = ["campaign", "persons", "recipients", "author_organization", "owner"]
    date_hierarchy = "sent_on"
    inlines = [LetterResponseInline, SignatureInline, TaskInline]
    fieldsets = [
        (
            None,
            {"fields": ["campaign", "persons", "title", ("kind", "status"), "sent_on", "owner"]},
        ),
        ("Text", {"classes": ["tab"], "fields": ["body", "demands", "url", "osdi_petition_url"]}),
        (
            "From and to",
            {"classes": ["tab"], "fields": ["author_organization", "recipients", "delivery"]},
        ),
        ("Response", {"classes": ["tab"], "fields": ["response_notes"]}),
    ]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if may_view(request.user, DetainedPerson):
            return fieldsets
        # The persons a letter is about are named only to those who may view the cases (the
        # form then leaves them as they are).
        return [
            (name, {**opts, "fields": [f for f in opts["fields"] if f != "persons"]})
            for name, opts in fieldsets
        ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "owner":
            kwargs["queryset"] = staff_members()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_queryset(self, request):
        # Each letter's signatures counted for the letters a page shows (as the campaigns'
        # cases above). Ordered to the last key for the autocomplete's pages.
        letters = (
            super()
            .get_queryset(request)
            .annotate(n_signatures=_count_of(Signature.objects, "letter_id"))
        )
        return letters.order_by(*Letter._meta.ordering, "pk")

    def get_export_queryset(self, request):
        # The export's columns read each letter's campaign, author and recipients.
        return (
            super()
            .get_export_queryset(request)
            .select_related("campaign", "author_organization")
            .prefetch_related("recipients")
        )

    def save_formset(self, request, form, formset, change):
        if formset.model is not LetterResponse:
            return super().save_formset(request, form, formset, change)
        formset.save(commit=False)
        for response in formset.deleted_objects:
            letter_response_delete(response=response)
        for response_form in formset.saved_forms:
            letter_response_record(
                response=response_form.instance,
                persons=response_form.cleaned_data.get("persons"),
            )
        formset.save_m2m()

    @admin.display(description="signatures", ordering="n_signatures")
    def n_signatures(self, obj):
        return obj.n_signatures

    # The API's rule: the import may create the organizations and people who signed.
    def has_import_signatures_permission(self, request) -> bool:
        return request.user.has_perms(IMPORT_PERMISSIONS)

    def get_urls(self):
        import_signatures = path(
            "<path:object_id>/import-signatures/",
            self.admin_site.admin_view(self.import_signatures_view),
            name="campaigns_letter_import_signatures",
        )
        return [import_signatures, *self.pull_signatures_urls(), *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        try:
            letter_id = int(unquote(object_id))
        except ValueError:
            letter_id = None
        # Above the form: each recipient, when it was sent to them and when they answered (to
        # those who may view the answers; None leaves the panel out).
        statuses = answered_about = None
        if letter_id is not None and may_view(request.user, LetterResponse):
            statuses = letters_recipient_statuses(letter_ids=[letter_id]).get(letter_id, [])
            # Whom it asked about and whom the answers covered: to those who may view cases.
            if may_view(request.user, DetainedPerson):
                answered_about = letter_answered_about(letter=Letter(pk=letter_id))
        extra_context = {
            **(extra_context or {}),
            "can_import_signatures": self.has_import_signatures_permission(request),
            "recipient_statuses": statuses,
            "answered_about": answered_about,
            "waiting_after_days": WAITING_AFTER_DAYS,
            **self.pull_signatures_context(request, letter_id),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def import_signatures_view(self, request, object_id):
        """A CSV of signatures for this letter, in the API's format and through its service
        (signatures_import_csv); the report is shown in the page."""
        letter = self.get_object(request, unquote(object_id))
        if letter is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_import_signatures_permission(request):
            raise PermissionDenied
        report = None
        if request.method == "POST":
            form = SignatureImportForm(request.POST, request.FILES)
            if form.is_valid():
                try:
                    report = signatures_import_csv(
                        letter=letter,
                        data=form.cleaned_data["file"].read(),
                        partial=form.cleaned_data["partial"],
                        user=request.user,
                    )
                except ImportFileError as exc:
                    form.add_error("file", str(exc))
            if report is not None and report.imported:
                self.log_change(request, letter, f"Imported signatures: {report.summary}")
        else:
            form = SignatureImportForm()
        context = {
            **self.admin_site.each_context(request),
            "title": f"Import signatures for {letter}",
            "opts": self.opts,
            "original": letter,
            "form": form,
            "report": report,
            "columns": COLUMNS,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/campaigns/letter/import_signatures.html", context)

    def save_model(self, request, obj, form, change):
        # Fields, recipients and persons in one version of the letter's history
        # (form.save_m2m() then finds them set already).
        letter_save(
            letter=obj,
            recipients=form.cleaned_data.get("recipients"),
            persons=form.cleaned_data.get("persons"),
        )

    # Signatures keep their own history: the letter's page lists them being added and removed.
    object_history_template = "admin/campaigns/letter/object_history.html"
    history_signatures_shown = 500

    def history_view(self, request, object_id, extra_context=None):
        letter = self.get_object(request, object_id)
        shown = self.history_signatures_shown
        changes = letter_signature_changes(letter=letter, limit=shown + 1) if letter else []
        context = {
            "signature_changes": changes[:shown],
            "signature_changes_more": len(changes) > shown,
            "signatures_url": reverse("admin:campaigns_signature_changelist")
            + f"?letter__id__exact={letter.pk if letter else ''}",
            **(extra_context or {}),
        }
        return super().history_view(request, object_id, extra_context=context)


@admin.register(Signature)
class SignatureAdmin(AuditedExportMixin, HistoryAdmin):
    """Export only: signatures are imported on their letter's page ("Import signatures"), in
    the API's format, so that there is one format for both."""

    resource_classes = [SignatureResource]
    export_form_class = SelectableFieldsExportForm
    change_list_template = "admin/campaigns/signature/change_list.html"
    list_display = ["letter", "organization", "person", "signed_on"]
    list_filter = [
        ("letter__campaign", RelatedDropdownFilter),
        ("letter", AutocompleteSelectFilter),
    ]
    list_select_related = ["letter", "organization", "person"]
    search_fields = ["letter__title", "organization__name", "person__full_name"]
    autocomplete_fields = ["letter", "organization", "person"]
    date_hierarchy = "signed_on"


@admin.register(LetterResponse)
class LetterResponseAdmin(
    ResponsePersonsMixin, ResponseFileMixin, AuditedExportMixin, HistoryAdmin
):
    """Export only: a response changes its letter's status, which an import would bypass;
    responses are recorded here or on their letter's page, one by one."""

    resource_classes = [LetterResponseResource]
    export_form_class = SelectableFieldsExportForm
    list_display = ["letter", "responder", "received_on", "summary_start", "has_file"]
    list_filter = [
        ("letter__campaign", RelatedDropdownFilter),
        ("letter", AutocompleteSelectFilter),
    ]
    list_select_related = ["letter", "person", "organization"]
    search_fields = ["letter__title", "person__full_name", "organization__name", "summary"]
    autocomplete_fields = ["letter", "person", "organization"]
    date_hierarchy = "received_on"
    fields = [
        "letter",
        "person",
        "organization",
        "received_on",
        "summary",
        "url",
        "file",
        "persons",
    ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        # The letter being chosen (a form sent back), else the one asked for or its own.
        letter_id = request.POST.get("letter") or request.GET.get("letter")
        if not letter_id and obj is not None:
            letter_id = obj.letter_id
        self._narrow(form, letter_id if str(letter_id or "").isdigit() else None)
        return form

    @admin.display(description="from")
    def responder(self, obj):
        return obj.responder

    @admin.display(description="summary")
    def summary_start(self, obj):
        return obj.summary if len(obj.summary) <= 80 else obj.summary[:79] + "…"

    @admin.display(description="file", boolean=True)
    def has_file(self, obj):
        return bool(obj.file)

    def save_model(self, request, obj, form, change):
        letter_response_record(response=obj, persons=form.cleaned_data.get("persons"))

    def delete_model(self, request, obj):
        letter_response_delete(response=obj)

    def delete_queryset(self, request, queryset):
        for response in queryset:
            letter_response_delete(response=response)

    def get_urls(self):
        file_view = path(
            "<path:object_id>/file/",
            self.admin_site.admin_view(self.file_view),
            name="campaigns_letterresponse_file",
        )
        return [file_view, *super().get_urls()]

    def file_view(self, request, object_id):
        """The uploaded file, to staff allowed to view responses only (MEDIA_ROOT is never
        served), as a download: an uploaded page never runs in the admin's origin. Each
        download is recorded in the access log."""
        response = self.get_object(request, unquote(object_id))
        if response is None or not response.file:
            raise Http404("No such file.")
        if not self.has_view_permission(request, response):
            raise PermissionDenied
        try:
            handle = response.file.open("rb")
        except FileNotFoundError:
            raise Http404("The file is missing from the server.") from None
        name = response.file.name.rsplit("/", 1)[-1]
        try:
            record_download(request=request, obj=response, file_name=name)
        except BaseException:
            handle.close()
            raise
        return FileResponse(handle, as_attachment=True, filename=name)
