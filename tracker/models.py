"""The tracker app's models, kept in the rooms of the subsystem that owns them:

- cases (detained persons and the timeline of each case): tracker/cases/models.py
- the news watch (sources, articles, mentions, search coverage): tracker/newswatch/models.py
- email digests (subscriptions and deliveries): tracker/digests/models.py
- the access log (sign-ins, exports, downloads, views of restricted fields):
  tracker/accesslog/models.py
- the staff's workspace (tasks, their morning reminders, staff preferences):
  tracker/workspace/models.py

All of them keep the app label `tracker` (their tables and migrations stay where they were).
Django loads an app's models from this module, so each room is imported here. Migrations name
validators and encoders by their old address (tracker.models.<name>), so those stay importable here.
"""

from tracker.accesslog.models import AccessRecord
from tracker.cases.models import (
    BIRTH_YEAR_MAX,
    BIRTH_YEAR_MIN,
    CaseCount,
    CaseDates,
    CaseDocument,
    CaseEvent,
    CaseEventProposal,
    CaseEventProposalSource,
    CaseNote,
    CaseOfficer,
    CaseStatus,
    DetainedPerson,
    LegalLimit,
    UnicodeJSONEncoder,
    name_forms,
    validate_string_list,
)
from tracker.digests.models import DigestDelivery, Subscription, SuppressedAddress
from tracker.newswatch.models import (
    Mention,
    NewsItem,
    NewsItemSource,
    NewsSource,
    SearchCoverage,
    _validate_source_url,
)
from tracker.workspace.models import StaffPreference, Task, TaskReminder

__all__ = [
    "BIRTH_YEAR_MAX",
    "BIRTH_YEAR_MIN",
    "AccessRecord",
    "CaseCount",
    "CaseDates",
    "CaseDocument",
    "CaseEvent",
    "CaseEventProposal",
    "CaseEventProposalSource",
    "CaseNote",
    "CaseOfficer",
    "CaseStatus",
    "DetainedPerson",
    "DigestDelivery",
    "LegalLimit",
    "Mention",
    "NewsItem",
    "NewsItemSource",
    "NewsSource",
    "SearchCoverage",
    "StaffPreference",
    "Subscription",
    "SuppressedAddress",
    "Task",
    "TaskReminder",
    "UnicodeJSONEncoder",
    "_validate_source_url",
    "name_forms",
    "validate_string_list",
]
