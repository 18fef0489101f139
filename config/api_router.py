"""The one router of the REST API (mounted at /api/), and the search, which lists no model of
its own."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from campaigns.api.views import (
    CampaignViewSet,
    LetterResponseViewSet,
    LetterViewSet,
    OrganizationViewSet,
    PersonViewSet,
    SignatureViewSet,
)
from config.api.deletions import DeletionViewSet
from tracker.accesslog.api.views import AccessRecordViewSet
from tracker.cases.api.views import (
    CaseDocumentViewSet,
    CaseEventProposalViewSet,
    CaseEventViewSet,
    CaseNoteViewSet,
    DetainedPersonViewSet,
)
from tracker.digests.api.views import (
    DigestDeliveryViewSet,
    SubscriptionViewSet,
    SuppressedAddressViewSet,
)
from tracker.newswatch.api.views import MentionViewSet, NewsItemViewSet, NewsSourceViewSet
from tracker.workspace.api.search import SearchView
from tracker.workspace.api.views import TaskViewSet

router = DefaultRouter()
router.register("campaigns", CampaignViewSet, basename="campaign")
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("people", PersonViewSet, basename="person")
router.register("letters", LetterViewSet, basename="letter")
router.register("letter-responses", LetterResponseViewSet, basename="letterresponse")
router.register("signatures", SignatureViewSet, basename="signature")
router.register("detained-persons", DetainedPersonViewSet, basename="detainedperson")
router.register("case-events", CaseEventViewSet, basename="caseevent")
router.register("case-notes", CaseNoteViewSet, basename="casenote")
router.register("case-documents", CaseDocumentViewSet, basename="casedocument")
router.register("news-sources", NewsSourceViewSet, basename="newssource")
router.register("news-items", NewsItemViewSet, basename="newsitem")
router.register("mentions", MentionViewSet, basename="mention")
router.register("case-event-proposals", CaseEventProposalViewSet, basename="caseeventproposal")
router.register("subscriptions", SubscriptionViewSet, basename="subscription")
router.register("digest-deliveries", DigestDeliveryViewSet, basename="digestdelivery")
router.register("suppressed-addresses", SuppressedAddressViewSet, basename="suppressedaddress")
router.register("tasks", TaskViewSet, basename="task")
router.register("access-records", AccessRecordViewSet, basename="accessrecord")
# Last: it lists the deletions of the endpoints registered above that keep a history.
router.register("deletions", DeletionViewSet.for_router(router), basename="deletion")

urlpatterns = [
    # Not in the router: it is no list of records (no paging, no updated_since).
    path("search/", SearchView.as_view(), name="search"),
    *router.urls,
]
