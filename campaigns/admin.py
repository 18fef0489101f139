from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.template.response import TemplateResponse
from django.urls import path, reverse
from import_export.admin import ExportMixin
from unfold.admin import TabularInline
from unfold.contrib.filters.admin import ChoicesDropdownFilter, RelatedDropdownFilter
from unfold.contrib.import_export.forms import SelectableFieldsExportForm
from unfold.widgets import UnfoldAdminFileFieldWidget, UnfoldBooleanSwitchWidget

from campaigns.models import Campaign, Letter, Organization, Person, Signature
from campaigns.resources import OrganizationResource, PersonResource, SignatureResource
from campaigns.selectors import letter_signature_changes
from campaigns.services import campaign_unique_slug, letter_save
from campaigns.signature_import import (
    COLUMNS,
    IMPORT_PERMISSIONS,
    ImportFileError,
    check_file_size,
    signatures_import_csv,
)
from config.admin import HistoryImportExportAdmin
from config.admin_filters import CountryInUseFilter
from config.history import HistoryAdmin


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
    search_fields = ["full_name", "title", "email", "organization__name"]
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
        self.fields["slug"].required = False

    def clean_slug(self):
        slug = self.cleaned_data.get("slug")
        if not slug and self.data.get("name"):
            slug = campaign_unique_slug(name=self.data["name"], exclude_pk=self.instance.pk)
        return slug


@admin.register(Campaign)
class CampaignAdmin(HistoryAdmin):
    form = CampaignForm
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
        ("lead_organization", RelatedDropdownFilter),
    ]
    list_select_related = ["lead_organization"]
    search_fields = ["name", "slug", "summary"]
    autocomplete_fields = ["lead_organization", "lead_person", "detained_persons"]
    date_hierarchy = "started_on"
    fieldsets = [
        (None, {"fields": ["name", "slug", "status", ("started_on", "ended_on")]}),
        ("About", {"classes": ["tab"], "fields": ["summary", "description", "website"]}),
        ("Led by", {"classes": ["tab"], "fields": ["lead_organization", "lead_person"]}),
        ("Cases", {"classes": ["tab"], "fields": ["detained_persons"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_cases=Count("detained_persons"))

    @admin.display(description="cases", ordering="n_cases")
    def n_cases(self, obj):
        return obj.n_cases


class SignatureInline(TabularInline):
    model = Signature
    extra = 1
    fields = ["organization", "person", "signed_on", "note"]
    autocomplete_fields = ["organization", "person"]


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
class LetterAdmin(HistoryAdmin):
    list_display = ["title", "kind", "status", "sent_on", "campaign", "n_signatures"]
    list_filter = [
        ("status", ChoicesDropdownFilter),
        ("kind", ChoicesDropdownFilter),
        ("campaign", RelatedDropdownFilter),
    ]
    list_select_related = ["campaign"]
    search_fields = ["title", "body", "demands", "recipients__full_name"]
    autocomplete_fields = ["campaign", "recipients", "author_organization"]
    date_hierarchy = "sent_on"
    inlines = [SignatureInline]
    fieldsets = [
        (None, {"fields": ["campaign", "title", ("kind", "status"), "sent_on"]}),
        ("Text", {"classes": ["tab"], "fields": ["body", "demands", "url"]}),
        ("From and to", {"classes": ["tab"], "fields": ["author_organization", "recipients"]}),
        ("Response", {"classes": ["tab"], "fields": ["response_notes"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_signatures=Count("signatures"))

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
        return [import_signatures, *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_import_signatures": self.has_import_signatures_permission(request),
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
        # Fields and recipients in one version of the letter's history (form.save_m2m() then
        # finds the recipients set already).
        letter_save(letter=obj, recipients=form.cleaned_data.get("recipients"))

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
class SignatureAdmin(ExportMixin, HistoryAdmin):
    """Export only: signatures are imported on their letter's page ("Import signatures"), in
    the API's format, so that there is one format for both."""

    resource_classes = [SignatureResource]
    export_form_class = SelectableFieldsExportForm
    change_list_template = "admin/campaigns/signature/change_list.html"
    list_display = ["letter", "organization", "person", "signed_on"]
    list_filter = [("letter__campaign", RelatedDropdownFilter), ("letter", RelatedDropdownFilter)]
    list_select_related = ["letter", "organization", "person"]
    search_fields = ["letter__title", "organization__name", "person__full_name"]
    autocomplete_fields = ["letter", "organization", "person"]
    date_hierarchy = "signed_on"
