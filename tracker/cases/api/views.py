"""The REST API of cases: detained persons and case events."""

from config.api.schema import described
from config.api.viewsets import ServiceModelViewSet
from tracker.cases.api import filters, serializers
from tracker.cases.models import CaseEvent, DetainedPerson
from tracker.cases.services import case_event_delete, case_event_save, detained_person_save


@described(
    list="Detained persons, by name (or `ordering`: `name`, `detained_on`, `updated_at`, `-` "
    "for descending). Filter by `status` (one or a comma-separated list), `country` (ISO "
    "code), `campaign` (id or slug), `gender`, `detained_after`/`detained_before` "
    "(YYYY-MM-DD) and `watch_enabled`; `search` finds any name form (name, native name, "
    "aliases) whatever its case or accents: `doan trang` finds Phạm Đoan Trang, `刘霞` finds "
    "Liu Xia.",
    create="Open a case file. Only `name` is required. Record the steps of the case (detention, "
    "arrest, sentence, release) as case events: the latest dated status event sets "
    "`status`.",
    retrieve="One detained person's case file, with the ids of their campaigns. Their "
    "timeline is at case-events `?person={id}`.",
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

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "list":
            # A list page is read as plain rows, its campaign ids in one more query
            # (DetainedPersonListSerializer): half the time of building 200 model instances.
            queryset = queryset.values(*self.serializer_class.Meta.columns)
        return queryset


@described(
    list="Case events, the most recent first. Filter by `person` (id), `kind` (one or a "
    "comma-separated list) and `after`/`before` (YYYY-MM-DD).",
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
