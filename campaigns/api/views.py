from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from campaigns.api import filters, serializers
from campaigns.models import Campaign, Letter, LetterResponse, Organization, Person, Signature
from campaigns.services import (
    campaign_save,
    letter_response_delete,
    letter_response_record,
    letter_save,
    organization_save,
    person_save,
    signature_save,
)
from campaigns.signature_import import IMPORT_PERMISSIONS, ImportFileError, signatures_import_csv
from config.api.schema import VALIDATION_SCHEMA as _VALIDATION_SCHEMA
from config.api.schema import described
from config.api.viewsets import ServiceModelViewSet
from tracker.models import DetainedPerson


@described(
    list="Organizations (NGOs, governments, legislatures, media, intergovernmental bodies, "
    "others), by name. Filter by `kind` and `country` (ISO code), or `search` the name.",
    create="Add an organization. The name is unique whatever its case: `Amnesty "
    "International` and `amnesty international` are the same organization (400 otherwise).",
    retrieve="One organization.",
    update="Change an organization, sending every required field; PATCH sends only what changes.",
    partial_update="Change only the fields sent.",
    destroy="Delete an organization. An organization that signed letters, leads a campaign, "
    "wrote a letter or employs a person cannot be deleted: 409 with what depends on it.",
)
class OrganizationViewSet(ServiceModelViewSet):
    queryset = Organization.objects.order_by("name", "pk")
    serializer_class = serializers.OrganizationSerializer
    filterset_class = filters.OrganizationFilter
    save_service = staticmethod(organization_save)
    instance_kwarg = "organization"


@described(
    list="People: officials who receive letters, individuals who sign, spokespeople; by name. "
    "Filter by `country`, by the `kind` of their organization, or `search` the name, title "
    "and email.",
    create="Add a person, optionally with their `organization` (an id).",
    retrieve="One person.",
    update="Change a person, sending every required field; PATCH sends only what changes.",
    partial_update="Change only the fields sent.",
    destroy="Delete a person (they leave the recipients of letters). Someone who signed a "
    "letter or leads a campaign cannot be deleted: 409 with what depends on it.",
)
class PersonViewSet(ServiceModelViewSet):
    queryset = Person.objects.order_by("full_name", "pk")
    serializer_class = serializers.PersonSerializer
    filterset_class = filters.PersonFilter
    save_service = staticmethod(person_save)
    instance_kwarg = "person"


@described(
    list="Campaigns, by name, each with the ids of the detained persons it works for. Filter "
    "by `status` (one or a comma-separated list) or `search` the name, slug and summary.",
    create="Start a campaign. Leave `slug` out to derive it from the name (`free-the-20`, "
    "then `free-the-20-2`); `detained_persons` lists the ids of the people it works for.",
    retrieve="One campaign, with the ids of its detained persons.",
    update="Change a campaign, sending every required field; PATCH sends only what changes. "
    "`detained_persons`, when sent, replaces the list.",
    partial_update="Change only the fields sent; `detained_persons`, when sent, replaces the list.",
    destroy="Delete a campaign. A campaign with letters cannot be deleted: 409 with what "
    "depends on it.",
)
class CampaignViewSet(ServiceModelViewSet):
    # Each campaign's detained persons' ids come from the link table (CampaignListSerializer).
    queryset = Campaign.objects.order_by("name", "pk")
    serializer_class = serializers.CampaignSerializer
    filterset_class = filters.CampaignFilter
    save_service = staticmethod(campaign_save)
    instance_kwarg = "campaign"

    @extend_schema(
        summary="Download a campaign's file (PDF)",
        description="The campaign's file as a PDF, as the admin's \"Campaign file (PDF)\" "
        "gives it: its cases with days held (quiet-advocacy cases marked), its letters with "
        "their signatures and answers, each part only if the caller may view its records. "
        "Each download is recorded in the access log.",
        responses={(200, "application/pdf"): OpenApiTypes.BINARY},
        filters=False,
    )
    @action(detail=True, methods=["get"], url_path="file", filter_backends=[])
    def file(self, request, pk=None):
        from tracker.workspace import casefile

        if request.query_params:
            raise ValidationError(
                {name: ["Unknown query parameter."] for name in sorted(request.query_params)}
            )
        campaign = self.get_object()
        return casefile.serve_file(
            request=request,
            obj=campaign,
            template=casefile.CAMPAIGN_TEMPLATE,
            context=casefile.campaign_file_context(campaign=campaign, user=request.user),
            subject=campaign.name,
            pdf=True,
            interface="api",
        )


@described(
    list="Letters (open and private letters, petitions, statements), the most recently sent "
    "first. Filter by `campaign` (id or slug), `status`, `kind`, `recipient` (a person's id), "
    "`signed_by_organization`, `sent_after`/`sent_before` (YYYY-MM-DD), `owner` (the staff "
    "member who follows the letter up: a user id, or `me`), or `search` the title, body and "
    "demands. Each letter's `answered_about` says of the detained persons it is about "
    "(`persons`) how many and which its responses answer about, and which not yet.",
    create="Add a letter, with its `recipients` (people's ids) and, optionally, its "
    "`campaign` and `author_organization`. Signatures are added separately (signatures, or "
    "the CSV import).",
    retrieve="One letter, with the ids of its recipients, and `recipients_status`: for each "
    "recipient, when the letter was sent (`sent_on`), when they or their organization first "
    "answered (`answered_on`, null if not yet) and `days_waiting` (to the answer, or to today).",
    update="Change a letter, sending every required field; PATCH sends only what changes. "
    "`recipients`, when sent, replaces the list.",
    partial_update="Change only the fields sent; `recipients`, when sent, replaces the list.",
    destroy="Delete a letter. A letter with signatures cannot be deleted: 409 with their count.",
    import_signatures="Add the signatures in a CSV file (UTF-8; columns organization, person, "
    "email, country, signed_on, note; each row names exactly one organization or one "
    "person). By default a file with any invalid row imports nothing and lists the rows in "
    "`errors` (row 1 is the header); with `?partial=true` the valid rows are imported and the "
    "others reported. Signatures the letter already has are listed under `duplicates`. "
    "Organizations and people are matched case-insensitively (people by email, else by "
    "name) and created when missing.\n\nPermission: "
    + ", ".join(f"`{name}`" for name in IMPORT_PERMISSIONS)
    + " (the Editor group has them).",
)
class LetterViewSet(ServiceModelViewSet):
    queryset = Letter.objects.order_by("-sent_on", "title", "pk").prefetch_related(
        Prefetch("recipients", queryset=Person.objects.only("pk")),
        Prefetch("persons", queryset=DetainedPerson.objects.only("pk")),
    )
    serializer_class = serializers.LetterSerializer
    filterset_class = filters.LetterFilter
    save_service = staticmethod(letter_save)
    instance_kwarg = "letter"

    def get_serializer_class(self):
        if self.action == "retrieve":
            return serializers.LetterDetailSerializer
        return super().get_serializer_class()

    @extend_schema(
        operation_id="letters_signatures_import",
        summary="Import signatures from a CSV file",
        request={"multipart/form-data": serializers.SignatureImportSerializer},
        parameters=[
            OpenApiParameter(
                "partial",
                bool,
                description="Import the valid rows and report the others (default: reject "
                "the whole file when any row is invalid).",
            )
        ],
        responses={
            201: serializers.SignatureImportReportSerializer,
            200: serializers.SignatureImportReportSerializer,
            400: OpenApiResponse(
                _VALIDATION_SCHEMA,
                description="Invalid rows: the report above, with `errors` listed and nothing "
                'imported. Or a file that cannot be read: `{"file": [message]}`.',
            ),
        },
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="signatures/import",
        parser_classes=[MultiPartParser],
        # Model permissions would ask for add_letter (a POST on letters); the import adds
        # signatures, organizations and people instead, checked below.
        permission_classes=[IsAuthenticated],
        filterset_class=filters.SignatureImportParams,
    )
    def import_signatures(self, request, pk=None):
        if not request.user.has_perms(IMPORT_PERMISSIONS):
            raise PermissionDenied(
                "Importing signatures needs permission to view letters and to add signatures, "
                "organizations and people."
            )
        # Through the filter backend: an unknown query parameter or a `partial` that is not a
        # boolean is a 400 naming it, as on every list.
        letter = self.get_object()
        partial = filters.SignatureImportParams(
            request.query_params, queryset=Letter.objects.none()
        ).partial_requested()
        upload = serializers.SignatureImportSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        try:
            report = signatures_import_csv(
                letter=letter,
                data=upload.validated_data["file"].read(),
                partial=partial,
                user=request.user,
            )
        except ImportFileError as exc:
            raise ValidationError({"file": [str(exc)]}) from None
        if report.imported:
            code = status.HTTP_201_CREATED if report.created else status.HTTP_200_OK
        else:
            code = status.HTTP_400_BAD_REQUEST
        body = serializers.SignatureImportReportSerializer(
            {"detail": report.summary, **vars(report)}
        ).data
        return Response(body, status=code)


@described(
    list="Signatures, grouped by letter. Filter by `letter`, `organization` or `person` (ids).",
    create="Sign a letter: `letter` and exactly one of `organization` or `person`. Signing the "
    "same letter twice is a 400.",
    retrieve="One signature.",
    update="Change a signature, sending every required field; PATCH sends only what changes. "
    "It must keep exactly one signatory.",
    partial_update="Change only the fields sent; the signature must keep exactly one signatory.",
    destroy="Remove a signature from its letter.",
)
class SignatureViewSet(ServiceModelViewSet):
    queryset = Signature.objects.order_by("letter_id", "pk")
    serializer_class = serializers.SignatureSerializer
    filterset_class = filters.SignatureFilter
    save_service = staticmethod(signature_save)
    instance_kwarg = "signature"


@described(
    list="Responses to letters, the most recently received first. Filter by `letter`, "
    "`campaign` (id or slug), `person` or `organization` (ids of who answered), "
    "`received_after`/`received_before` (YYYY-MM-DD).",
    create="Record a response: `letter`, exactly one of `person` (usually one of the letter's "
    "recipients) or `organization`, `received_on` (not after today, nor before the letter was "
    "sent), `summary`, optionally `url` and `persons` (the ids of the detained persons it "
    "answers about, among those the letter is about: anyone else is a 400 naming `persons`). "
    "The letter becomes `responded`. Both or neither of `person` and `organization` is a 400.",
    retrieve="One response. `file` links to an uploaded scan, for staff signed in to the admin.",
    update="Change a response, sending every required field; PATCH sends only what changes. "
    "It must keep exactly one of `person` and `organization`.",
    partial_update="Change only the fields sent; the response must keep exactly one of "
    "`person` and `organization`.",
    destroy="Delete a response. When it was the letter's last, the letter is `sent` again.",
)
class LetterResponseViewSet(ServiceModelViewSet):
    queryset = LetterResponse.objects.order_by("-received_on", "-pk").prefetch_related(
        Prefetch("persons", queryset=DetainedPerson.objects.only("pk"))
    )
    serializer_class = serializers.LetterResponseSerializer
    filterset_class = filters.LetterResponseFilter
    save_service = staticmethod(letter_response_record)
    delete_service = staticmethod(letter_response_delete)
    instance_kwarg = "response"
