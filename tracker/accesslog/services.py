"""Writes to the access log: one INSERT per access, and the retention prune (the only path
that deletes records).

Every function takes the request the access came with: the user is its user (unless given)
and the address is read as the login lockout and the API throttle read it
(config.client_ip). A record that cannot be written raises: an export or a download whose
record failed is not served."""

import datetime
import ipaddress
from typing import Any

from django.conf import settings
from django.db import models
from django.http import HttpRequest
from django.utils import timezone

from config.client_ip import client_ip
from tracker.accesslog.models import AccessRecord

Interface = AccessRecord.Interface


def _fit(text: str, field: str) -> str:
    """`text` cut to the length the field holds (a name typed at sign-in can be anything)."""
    limit = AccessRecord._meta.get_field(field).max_length
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _address(request: HttpRequest | None) -> str | None:
    address = client_ip(request) if request is not None else None
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:  # REMOTE_ADDR is not always an address (a unix socket, a test client)
        return None


def access_record(
    *,
    request: HttpRequest | None,
    action: str,
    interface: str,
    model: type[models.Model] | None = None,
    obj: models.Model | None = None,
    details: dict[str, Any] | None = None,
    user=None,
    username: str | None = None,
) -> AccessRecord:
    """Record one access. `user` defaults to the request's user when signed in; `username`
    to that user's name. `model` defaults to `obj`'s."""
    if user is None and request is not None:
        request_user = getattr(request, "user", None)
        if request_user is not None and request_user.is_authenticated:
            user = request_user
    if username is None:
        username = user.get_username() if user is not None else ""
    if model is None and obj is not None:
        model = type(obj)
    record = AccessRecord(
        user=user,
        username=_fit(username, "username"),
        action=action,
        interface=interface,
        ip_address=_address(request),
        model=model._meta.label_lower if model is not None else "",
        object_id=_fit(str(obj.pk), "object_id") if obj is not None else "",
        object_repr=_fit(str(obj), "object_repr") if obj is not None else "",
        details=details or {},
    )
    # The user is a stored account (the request's, or the caller's): checking that it exists
    # would cost each access a query more.
    record.full_clean(exclude=["user"])
    record.save(force_insert=True)
    return record


def record_export(
    *,
    request: HttpRequest,
    interface: str,
    model: type[models.Model],
    filters: dict[str, Any],
    search: str,
    columns: list[str],
    rows: int,
    file_format: str,
) -> AccessRecord:
    """An export of `rows` records of `model`, with the filters and search that chose them and
    the columns written."""
    return access_record(
        request=request,
        action=AccessRecord.Action.EXPORT,
        interface=interface,
        model=model,
        details={
            "format": file_format,
            "filters": filters,
            "search": search,
            "columns": list(columns),
            "rows": rows,
        },
    )


def record_restricted_view(
    *, request: HttpRequest, interface: str, obj: models.Model, fields: list[str]
) -> AccessRecord:
    """A page or an API answer that showed `obj`'s restricted `fields`."""
    return access_record(
        request=request,
        action=AccessRecord.Action.RESTRICTED_VIEW,
        interface=interface,
        obj=obj,
        details={"fields": list(fields)},
    )


def record_download(
    *,
    request: HttpRequest,
    obj: models.Model,
    file_name: str,
    interface: str = Interface.ADMIN,
) -> AccessRecord:
    """A file of `obj` (a letter response's scan, a case file) handed to the user."""
    return access_record(
        request=request,
        action=AccessRecord.Action.DOWNLOAD,
        interface=interface,
        obj=obj,
        details={"file": file_name},
    )


def access_records_prune(*, now: datetime.datetime | None = None) -> int:
    """Delete the records older than ACCESS_LOG_RETENTION_DAYS; how many were deleted. The
    only way a record leaves the log. Run twice, the second run finds nothing left to do."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.ACCESS_LOG_RETENTION_DAYS)
    deleted, _by_model = AccessRecord.objects.filter(at__lt=cutoff).delete()
    return deleted
