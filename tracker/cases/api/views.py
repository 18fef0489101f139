"""The REST API of cases: detained persons, case events, and the events proposed from the
news."""

from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from config.api.schema import described
from config.api.viewsets import ApiViewMixin, ServiceModelViewSet
from tracker.accesslog.services import record_restricted_view
from tracker.cases.api import filters, serializers
from tracker.cases.models import (
    CaseDocument,
    CaseEvent,
    CaseEventProposal,
    CaseNote,
    DetainedPerson,
)
from tracker.cases.restricted import restricted_fields_shown
from tracker.cases.services import (
    case_event_delete,
    case_event_proposal_accept,
    case_event_proposal_reject,
    case_event_save,
    case_note_save,
    detained_person_save,
)


@described(
    list="Detained persons, by name (or `ordering`: `name`, `detained_on`, `updated_at`, `-` "
    "for descending). Filter by `status` (one or a comma-separated list), `country` (ISO "
    "code), `campaign` (id or slug), `gender`, `detained_after`/`detained_before` "
    "(YYYY-MM-DD), `watch_enabled` and `publicity`; `search` finds any name form (name, "
    "native name, aliases) whatever its case or accents: `doan trang` finds Phạm Đoan "
    "Trang, `刘霞` finds Liu Xia.",
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

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "list":
            # A list page is read as plain rows, its campaign ids in one more query
            # (DetainedPersonListSerializer): half the time of building 200 model instances.
            queryset = queryset.values(*self.serializer_class.Meta.columns)
        return queryset


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
