from django import forms
from django.contrib import admin
from django.db.models import Count
from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from campaigns.models import Campaign, Letter, Organization, Person, Signature
from campaigns.resources import OrganizationResource, PersonResource, SignatureResource
from campaigns.services import campaign_unique_slug
from config.admin_filters import CountryInUseFilter


class HistoryImportExportAdmin(ImportExportModelAdmin, SimpleHistoryAdmin):
    """Change history ("History" button) plus CSV import with preview, and export."""


@admin.register(Organization)
class OrganizationAdmin(HistoryImportExportAdmin):
    resource_classes = [OrganizationResource]
    list_display = ["name", "kind", "country", "website", "updated_at"]
    list_filter = ["kind", ("country", CountryInUseFilter)]
    search_fields = ["name"]


@admin.register(Person)
class PersonAdmin(HistoryImportExportAdmin):
    resource_classes = [PersonResource]
    list_display = ["full_name", "title", "organization", "country", "email"]
    list_filter = [("country", CountryInUseFilter), "organization__kind"]
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
class CampaignAdmin(SimpleHistoryAdmin):
    form = CampaignForm
    list_display = [
        "name",
        "status",
        "started_on",
        "ended_on",
        "lead_organization",
        "n_cases",
    ]
    list_filter = ["status", "lead_organization"]
    list_select_related = ["lead_organization"]
    search_fields = ["name", "slug", "summary"]
    autocomplete_fields = ["lead_organization", "lead_person", "detained_persons"]
    date_hierarchy = "started_on"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_cases=Count("detained_persons"))

    @admin.display(description="cases", ordering="n_cases")
    def n_cases(self, obj):
        return obj.n_cases


class SignatureInline(admin.TabularInline):
    model = Signature
    extra = 1
    fields = ["organization", "person", "signed_on", "note"]
    autocomplete_fields = ["organization", "person"]


@admin.register(Letter)
class LetterAdmin(SimpleHistoryAdmin):
    list_display = ["title", "kind", "status", "sent_on", "campaign", "n_signatures"]
    list_filter = ["status", "kind", "campaign"]
    list_select_related = ["campaign"]
    search_fields = ["title", "body", "demands", "recipients__full_name"]
    autocomplete_fields = ["campaign", "recipients", "author_organization"]
    date_hierarchy = "sent_on"
    inlines = [SignatureInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_signatures=Count("signatures"))

    @admin.display(description="signatures", ordering="n_signatures")
    def n_signatures(self, obj):
        return obj.n_signatures


@admin.register(Signature)
class SignatureAdmin(HistoryImportExportAdmin):
    resource_classes = [SignatureResource]
    list_display = ["letter", "organization", "person", "signed_on"]
    list_filter = ["letter__campaign", "letter"]
    list_select_related = ["letter", "organization", "person"]
    search_fields = ["letter__title", "organization__name", "person__full_name"]
    autocomplete_fields = ["letter", "organization", "person"]
    date_hierarchy = "signed_on"
