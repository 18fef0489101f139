"""Logging filters (settings LOGGING)."""

import logging

from django.core.exceptions import PermissionDenied


class RefusalWithoutTraceback(logging.Filter):
    """django.request logs a refused request (PermissionDenied, a 403) as a warning with the
    exception's traceback: for an ordinary refusal (a Viewer opening an "add" page) that is a
    screenful of stack in the console for each click. The one-line warning stays; the
    traceback goes."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], PermissionDenied):
            record.exc_info = None
            record.exc_text = None
        return True
