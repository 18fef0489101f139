"""The REST API of cases: detained persons, case events, and the events proposed from the
news."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from campaigns.services import CAMPAIGN_ADD_PERSONS_PERMISSIONS, campaign_add_persons
from config.api.permissions import require_permissions
from config.api.schema import described
from config.api.viewsets import ApiViewMixin, ServiceModelViewSet
from tracker.accesslog.services import record_restricted_view
from tracker.cases.api import filters, serializers
from tracker.cases.models import (
    CaseDocument,
    CaseEvent,
    CaseEventProposal,
    CaseNote,
    CaseOfficer,
    DetainedPerson,
)
from tracker.cases.restricted import restricted_fields_shown
from tracker.cases.selectors import detained_person_officers
from tracker.cases.services import (
    ASSIGN_OFFICER_PERMISSIONS,
    case_event_delete,
    case_event_proposal_accept,
    case_event_proposal_reject,
    case_event_save,
    case_note_save,
    case_officer_add,
    case_officer_assign,
    case_officer_remove,
    detained_person_save,
)


def _permissions(names) -> str:
    has = "has it" if len(names) == 1 else "has them"
    return ", ".join(f"`{name}`" for name in names) + f" (the Editor group {has})."


@described(
    list="Detained persons, by name (or `ordering`: `name`, `detained_on`, `updated_at`, `-` "
    "for descending). Filter by `status` (one or a comma-separated list), `country` (ISO "
    "code), `campaign` (id or slug), `gender`, `detained_after`/`detained_before` "
    "(YYYY-MM-DD), `watch_enabled` and `publicity`; `search` finds any name form (name, "
    "native name, aliases) whatever its case or accents: `doan trang` finds Phạm Đoan "
    "Trang, `刘霞` finds Liu Xia. `officer` gives the cases a staff member owns: their user "
    "id, or `me` for your own.",
    create="Open a case file. Only `name` is required. Record the steps of the case (detention, "
    "arrest, sentence, release) as case events: the latest dated status event sets "
    "`status`.",
    retrieve="One detained person's case file, with the ids of their campaigns. Their "
    "timeline is at case-events `?person={id}`. The restricted fields (`family_contact`, "
    "`lawyer`, `lawyer_contact`, `health`, `information_sources`, `internal_assessment`) are "
    "here only for users with the permission to see them (case officers), and each such read "
    "is in the access log; lists never carry them. Writing one without that permission is a "
    "403 naming it.",
    update="Change a case file, sending every required field; PATCH sends only what changes. "
    "`campaigns`, when sent, replaces the list.",
    partial_update="Change only the fields sent; `campaigns`, when sent, replaces the list.",
    destroy="Delete a case file. A person with case events or news mentions cannot be "
    "deleted: 409 with their counts.",
    officers="Name an officer of this case: `user`, an active staff member's id (another "
    "user is a 400 naming `user`), and optionally `is_lead` (true moves the lead to them; "
    "the previous lead stays an officer). Naming an officer again with the same role "
    "changes nothing. Answers the case's officers, the lead first. Every change is in the "
    "officers' history under your name.\n\nPermission: " + _permissions(ASSIGN_OFFICER_PERMISSIONS),
    remove_officer="Remove a staff member (their user id) from this case's officers; 404 "
    "when they are not one. A lead removed leaves the case without a lead.\n\nPermission: "
    + _permissions(ASSIGN_OFFICER_PERMISSIONS),
    bulk_add_to_campaign="Add many cases to a campaign at once, all or none: `persons` (ids, "
    "at most 1000) and `campaign` (id). Cases already in it stay as they are. The same "
    "service as the admin's action \"Add to a campaign\"; the campaign's history records "
    "the change under your name. An unknown id is a 400 naming `persons` or `campaign`."
    "\n\nPermission: " + _permissions(CAMPAIGN_ADD_PERSONS_PERMISSIONS),
    bulk_assign_officer="Make a staff member an officer of many cases at once, all or none: "
    "`persons` (ids, at most 1000), `user` (an active staff member's id) and `is_lead` "
    "(default false; true makes them each case's lead). The same service as the admin's "
    'action "Assign a case officer"; each change is in the officers\' history under your '
    "name.\n\nPermission: " + _permissions(ASSIGN_OFFICER_PERMISSIONS),
)
class DetainedPersonViewSet(ServiceModelViewSet):
    queryset = DetainedPerson.objects.order_by("name", "pk")
    serializer_class = serializers.DetainedPersonSerializer
    filterset_class = filters.DetainedPersonFilter
    save_service = staticmethod(detained_person_save)
    instance_kwarg = "person"

    def retrieve(self, request, *args, **kwargs):
        person = self.get_object()
        response = Response(self.get_serializer(person).data)
        # A case officer's read of the restricted fields goes in the access log.
        shown = restricted_fields_shown(request.user, person)
        if shown:
            record_restricted_view(request=request, interface="api", obj=person, fields=shown)
        return response

    @extend_schema(
        summary="Download a case's file (PDF)",
        description="The case's file as a PDF, as the admin's \"Case file (PDF)\" gives it: "
        "names in every script, status and days held, the legal limit, the timeline with "
        "sources, letters about the person with their answers and confirmed news, each part "
        "only if the caller may view its records; never a restricted field. With "
        "`include=notes`, the internal notes and documents too, for those who may view them. "
        "Each download is recorded in the access log.",
        parameters=[
            OpenApiParameter(
                "include",
                str,
                enum=["notes"],
                required=False,
                description="`notes`: add the internal notes and documents (if allowed).",
            )
        ],
        responses={(200, "application/pdf"): OpenApiTypes.BINARY},
        filters=False,
    )
    @action(detail=True, methods=["get"], url_path="case-file", filter_backends=[])
    def case_file(self, request, pk=None):
        from tracker.workspace import casefile

        unknown = sorted(set(request.query_params) - {"include"})
        if unknown or request.query_params.get("include", "notes") != "notes":
            bad = unknown or ["include"]
            raise ValidationError({name: ["Unknown query parameter or value."] for name in bad})
        person = self.get_object()
        context = casefile.case_file_context(
            person=person,
            user=request.user,
            include_internal=casefile.wants_internal(request),
        )
        return casefile.serve_file(
            request=request,
            obj=person,
            template=casefile.CASE_TEMPLATE,
            context=context,
            subject=person.name,
            pdf=True,
            interface="api",
        )

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "list":
            # A list page is read as plain rows, its campaign ids in one more query
            # (DetainedPersonListSerializer): half the time of building 200 model instances.
            queryset = queryset.values(*self.serializer_class.Meta.columns)
        return queryset

    def _officers_response(self, person, code=status.HTTP_200_OK) -> Response:
        officers = detained_person_officers(person_ids=[person.pk]).get(person.pk, [])
        return Response(serializers.CaseOfficerSerializer(officers, many=True).data, status=code)

    @extend_schema(
        summary="Name a case officer",
        request=serializers.CaseOfficerWriteSerializer,
        responses={200: serializers.CaseOfficerSerializer(many=True)},
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def officers(self, request, pk=None):
        require_permissions(
            request,
            ASSIGN_OFFICER_PERMISSIONS,
            "Naming a case's officers needs permission to change detained persons.",
        )
        person = self.get_object()
        given = serializers.CaseOfficerWriteSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        case_officer_add(
            person=person,
            user=given.validated_data["user"],
            lead=given.validated_data.get("is_lead"),
        )
        return self._officers_response(person)

    @extend_schema(summary="Remove a case officer", request=None, responses={204: None})
    @action(
        detail=True,
        methods=["delete"],
        url_path=r"officers/(?P<user_id>[0-9]+)",
        permission_classes=[IsAuthenticated],
    )
    def remove_officer(self, request, pk=None, user_id=None):
        require_permissions(
            request,
            ASSIGN_OFFICER_PERMISSIONS,
            "Removing a case's officers needs permission to change detained persons.",
        )
        person = self.get_object()
        if not CaseOfficer.objects.filter(person=person, user_id=user_id).exists():
            raise NotFound("This user is not an officer of this case.")
        case_officer_remove(person=person, user=int(user_id))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Add many cases to a campaign",
        request=serializers.BulkAddToCampaignSerializer,
        responses={200: serializers.BulkAddedToCampaignSerializer},
    )
    @action(
        detail=False,
        methods=["post"],
        # Not a list: no filters, no pages (nor in the schema).
        filter_backends=[],
        pagination_class=None,
        url_path="bulk/add-to-campaign",
        permission_classes=[IsAuthenticated],
    )
    def bulk_add_to_campaign(self, request):
        require_permissions(
            request,
            CAMPAIGN_ADD_PERSONS_PERMISSIONS,
            "Adding cases to a campaign needs permission to change campaigns.",
        )
        given = serializers.BulkAddToCampaignSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        persons, campaign = given.validated_data["persons"], given.validated_data["campaign"]
        added = {p.pk for p in campaign_add_persons(campaign=campaign, persons=persons)}
        return Response(
            {
                "campaign": campaign.pk,
                "added": [p.pk for p in persons if p.pk in added],
                "already": [p.pk for p in persons if p.pk not in added],
            }
        )

    @extend_schema(
        summary="Assign an officer to many cases",
        request=serializers.BulkAssignOfficerSerializer,
        responses={200: serializers.BulkAssignedOfficerSerializer},
    )
    @action(
        detail=False,
        methods=["post"],
        # Not a list: no filters, no pages (nor in the schema).
        filter_backends=[],
        pagination_class=None,
        url_path="bulk/assign-officer",
        permission_classes=[IsAuthenticated],
    )
    def bulk_assign_officer(self, request):
        require_permissions(
            request,
            ASSIGN_OFFICER_PERMISSIONS,
            "Assigning case officers needs permission to change detained persons.",
        )
        given = serializers.BulkAssignOfficerSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        case_officer_assign(persons=data["persons"], user=data["user"], lead=data["is_lead"])
        return Response(
            {
                "user": data["user"].pk,
                "is_lead": data["is_lead"],
                "persons": [p.pk for p in data["persons"]],
            }
        )


@described(
    list="Case events, the most recent first. Filter by `person` (id), `kind` (one or a "
    "comma-separated list) and `date_after`/`date_before` (YYYY-MM-DD; `after`/`before` are "
    "deprecated names of the same).",
    create="Record a dated step in a case. When its `kind` is a status (`detained`, "
    "`arrested`, `sentenced`, `released`, ...) and it is the person's latest status event, "
    "the person's `status` becomes that kind; other kinds (`hearing`, `transferred`, "
    "`health_concern`, ...) only add to the timeline.",
    retrieve="One case event.",
    update="Change an event, sending every required field; PATCH sends only what changes. An "
    "event stays with its person. The person's status follows their latest status event.",
    partial_update="Change only the fields sent. The person's status follows their latest "
    "status event.",
    destroy="Delete an event; if it was the person's latest status event, their status "
    "becomes that of the next latest.",
)
class CaseEventViewSet(ServiceModelViewSet):
    queryset = CaseEvent.objects.order_by("-date", "-pk")
    serializer_class = serializers.CaseEventSerializer
    filterset_class = filters.CaseEventFilter
    save_service = staticmethod(case_event_save)
    delete_service = staticmethod(case_event_delete)
    instance_kwarg = "event"


@described(
    list="Case events the news watch read in confirmed mentions' articles, the newest first, "
    "waiting for staff to accept or reject them. Filter by `status` (`proposed`, `accepted`, "
    "`rejected`; one or a comma-separated list), `person`, `mention` and `kind`.",
    retrieve="One proposed event: its kind, date, the sentence of the article that says it "
    "(`evidence`), the article (`source_url`), every article that reports it (`sources`: "
    "articles on the same kind of event for the same person within a few days make one "
    "proposal), an event like it already on the timeline (`similar_event`) and what was "
    "decided.",
    accept="Accept a proposed event: it is recorded on the person's timeline as a case event "
    "(with its articles as sources; a status event moves the person's status when it is "
    "their latest), and `event` names it. When the timeline has an event of that kind within "
    "a few days (`similar_event`), the articles are added to that event instead of a second "
    "one. Accepting it again changes nothing; a rejected "
    "proposal may still be accepted. 400 when its mention is no longer confirmed, or when "
    "the event cannot be recorded (a status change dated after today).\n\nPermission: "
    + ", ".join(f"`{name}`" for name in CaseEventProposal.DECIDE_PERMISSIONS)
    + " (the Editor group has them).",
    reject="Reject a proposed event: the case does not change. Rejecting it again changes "
    "nothing; an accepted proposal cannot be rejected (400): delete its event instead."
    "\n\nPermission: "
    + ", ".join(f"`{name}`" for name in CaseEventProposal.DECIDE_PERMISSIONS)
    + " (the Editor "
    "group has them).",
)
class CaseEventProposalViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """Proposals read from the news; `accept` and `reject` decide one (services do the work)."""

    queryset = (
        CaseEventProposal.objects.select_related("similar_event")
        .prefetch_related("other_sources")
        .order_by("-created_at", "-pk")
    )
    serializer_class = serializers.CaseEventProposalSerializer
    filterset_class = filters.CaseEventProposalFilter

    def _decide(self, request, service):
        # Model permissions would ask for add_caseeventproposal (a POST on proposals); a
        # decision adds a case event and changes the proposal, checked here.
        if not request.user.has_perms(CaseEventProposal.DECIDE_PERMISSIONS):
            raise PermissionDenied(
                "Deciding on a proposed event needs permission to add case events and to "
                "change proposals."
            )
        proposal = self.get_object()
        try:
            decided = service(proposal=proposal, user=request.user)
        except CaseEventProposal.DoesNotExist:  # deleted after it was read for this request
            raise NotFound("This proposal has just been deleted.") from None
        # A ValidationError (not confirmed, already accepted) is a 400 naming the reason
        # (config.api.errors).
        return Response(self.get_serializer(decided).data)

    @extend_schema(
        summary="Accept an event proposed from the news",
        request=None,
        responses={200: serializers.CaseEventProposalSerializer},
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def accept(self, request, pk=None):
        return self._decide(request, case_event_proposal_accept)

    @extend_schema(
        summary="Reject an event proposed from the news",
        request=None,
        responses={200: serializers.CaseEventProposalSerializer},
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def reject(self, request, pk=None):
        return self._decide(request, case_event_proposal_reject)


@described(
    list="A case's internal notes, the newest first: staff's own dated notes, apart from the "
    "timeline and never in digests or anything else that leaves Vigil. Filter by `person`, "
    "`author` and `written_after`/`written_before` (YYYY-MM-DD). Viewers do not read notes.",
    create="Write a note on a case; its `author` is the user who sends it.",
    retrieve="One internal note.",
    update="Change a note, sending every required field; PATCH sends only what changes. A note "
    "stays with its person; its author does not change.",
    partial_update="Change only the fields sent.",
    destroy="Delete a note.",
)
class CaseNoteViewSet(ApiViewMixin, viewsets.ModelViewSet):
    queryset = CaseNote.objects.order_by("-written_on", "-pk")
    serializer_class = serializers.CaseNoteSerializer
    filterset_class = filters.CaseNoteFilter

    def perform_create(self, serializer):
        note = CaseNote(**serializer.validated_data)
        serializer.instance = case_note_save(note=note, user=self.request.user)

    def perform_update(self, serializer):
        note = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(note, name, value)
        serializer.instance = case_note_save(note=note, user=self.request.user)


@described(
    list="A case's documents (verdicts, official notices, family letters), the newest first. "
    "Read only: they are uploaded in the admin, on the case's page. `file` links to the "
    "admin's download, served to staff signed in to the admin who may view documents, each "
    "download recorded in the access log. Filter by `person` and `kind`. Viewers do not read "
    "documents.",
    retrieve="One document's record, with the link to its file.",
)
class CaseDocumentViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    queryset = CaseDocument.objects.order_by("-created_at", "-pk")
    serializer_class = serializers.CaseDocumentSerializer
    filterset_class = filters.CaseDocumentFilter
