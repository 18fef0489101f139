"""Restricted case fields and a case's publicity: the one place that says who may see what.

Some facts about a case endanger people if they leak: how to reach the family, the lawyer,
health, where the information came from, staff's own assessment. They are seen, changed,
filtered and exported only by users holding `tracker.access_restricted_fields` (the "Case
officer" role; superusers hold every permission). Every path asks here:

- the admin (`tracker.cases.admin`): the fields show as "Withheld", the form has no input for
  them, the list filter and search leave them out, the History page says a field changed
  without its values;
- the API (`tracker.cases.api`): the detail leaves them out, a write naming one is a 403;
- exports and imports (`tracker.cases.resources`): the columns are left out, an import with
  them is refused.

Each read of a case's restricted fields by someone who may see them (its admin page, its
History, an API detail) is recorded in the access log (tracker.accesslog).

Publicity is the family's wish: a case in quiet advocacy is named only to staff. What leaves
Vigil for anyone else asks here: a digest to an address outside the staff `may_name_case`, the
OSDI API (campaigns.osdi) `cases_named_only_to_staff`; both read NAMED_OUTSIDE_STAFF.
"""

from tracker.cases.models import DetainedPerson

RESTRICTED_PERMISSION = "tracker.access_restricted_fields"

# In the order the case page shows them.
RESTRICTED_FIELDS: tuple[str, ...] = (
    "family_contact",
    "lawyer",
    "lawyer_contact",
    "health",
    "information_sources",
    "internal_assessment",
)

WITHHELD = "Withheld"
WITHHELD_HELP = (
    "Withheld: restricted fields are shown only to case officers (the permission "
    '"Can see and change restricted case fields").'
)


def may_access_restricted(user) -> bool:
    """May `user` see and change the restricted fields of every case?"""
    return bool(user and user.is_active and user.has_perm(RESTRICTED_PERMISSION))


def withheld_fields(user) -> tuple[str, ...]:
    """The restricted fields `user` may not see (none for a case officer)."""
    return () if may_access_restricted(user) else RESTRICTED_FIELDS


def restricted_fields_shown(user, person: DetainedPerson) -> list[str]:
    """The restricted fields of `person` that `user` is shown (those with a value): what the
    access log records of a case officer's read."""
    if withheld_fields(user):
        return []
    return [name for name in RESTRICTED_FIELDS if getattr(person, name)]


# The one publicity under which a case may be named outside the staff: the family consents.
NAMED_OUTSIDE_STAFF = DetainedPerson.Publicity.PUBLIC


def may_name_case(person: DetainedPerson, *, to_staff: bool) -> bool:
    """May `person`'s case be named to this audience? Staff see every case; anyone else only
    cases whose family consents (publicity "public")."""
    return to_staff or person.publicity == NAMED_OUTSIDE_STAFF


def cases_named_only_to_staff():
    """The cases `may_name_case` names to staff alone, as a queryset: what leaves Vigil in bulk
    (the OSDI API, campaigns.osdi) leaves out every record that concerns one of them."""
    return DetainedPerson.objects.exclude(publicity=NAMED_OUTSIDE_STAFF)
