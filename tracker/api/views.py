from django.db.models import Prefetch

from campaigns.models import Campaign
from config.api.viewsets import ServiceModelViewSet
from tracker.api import filters, serializers
from tracker.models import CaseEvent, DetainedPerson
from tracker.services import case_event_delete, case_event_save, detained_person_save


class DetainedPersonViewSet(ServiceModelViewSet):
    queryset = DetainedPerson.objects.order_by("name", "pk").prefetch_related(
        Prefetch("campaigns", queryset=Campaign.objects.only("pk"))
    )
    serializer_class = serializers.DetainedPersonSerializer
    filterset_class = filters.DetainedPersonFilter
    save_service = staticmethod(detained_person_save)
    instance_kwarg = "person"


class CaseEventViewSet(ServiceModelViewSet):
    queryset = CaseEvent.objects.order_by("-date", "-pk")
    serializer_class = serializers.CaseEventSerializer
    filterset_class = filters.CaseEventFilter
    save_service = staticmethod(case_event_save)
    delete_service = staticmethod(case_event_delete)
    instance_kwarg = "event"
