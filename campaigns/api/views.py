from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from campaigns.api import filters, serializers
from campaigns.models import Campaign, Letter, Organization, Person, Signature
from campaigns.services import (
    campaign_save,
    letter_save,
    organization_save,
    person_save,
    signature_save,
)
from campaigns.signature_import import IMPORT_PERMISSIONS, ImportFileError, signatures_import_csv
from config.api.schema import VALIDATION_SCHEMA as _VALIDATION_SCHEMA
from config.api.viewsets import ServiceModelViewSet
from tracker.models import DetainedPerson


class OrganizationViewSet(ServiceModelViewSet):
    queryset = Organization.objects.order_by("name", "pk")
    serializer_class = serializers.OrganizationSerializer
    filterset_class = filters.OrganizationFilter
    save_service = staticmethod(organization_save)
    instance_kwarg = "organization"


class PersonViewSet(ServiceModelViewSet):
    queryset = Person.objects.order_by("full_name", "pk")
    serializer_class = serializers.PersonSerializer
    filterset_class = filters.PersonFilter
    save_service = staticmethod(person_save)
    instance_kwarg = "person"


class CampaignViewSet(ServiceModelViewSet):
    queryset = Campaign.objects.order_by("name", "pk").prefetch_related(
        Prefetch("detained_persons", queryset=DetainedPerson.objects.only("pk"))
    )
    serializer_class = serializers.CampaignSerializer
    filterset_class = filters.CampaignFilter
    save_service = staticmethod(campaign_save)
    instance_kwarg = "campaign"


class LetterViewSet(ServiceModelViewSet):
    queryset = Letter.objects.order_by("-sent_on", "title", "pk").prefetch_related(
        Prefetch("recipients", queryset=Person.objects.only("pk"))
    )
    serializer_class = serializers.LetterSerializer
    filterset_class = filters.LetterFilter
    save_service = staticmethod(letter_save)
    instance_kwarg = "letter"

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


class SignatureViewSet(ServiceModelViewSet):
    queryset = Signature.objects.order_by("letter_id", "pk")
    serializer_class = serializers.SignatureSerializer
    filterset_class = filters.SignatureFilter
    save_service = staticmethod(signature_save)
    instance_kwarg = "signature"
