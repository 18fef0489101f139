import logging
import time

from django.conf import settings
from redis.exceptions import RedisError
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

logger = logging.getLogger(__name__)
_WARN_EVERY = 60.0  # seconds between two warnings while the cache stays down
_last_warning = 0.0


class _SettingsRate:
    """Reads the rate from settings.API_THROTTLE_RATES at request time (configurable per
    deployment and in tests), instead of once at import as DRF does.

    Fails open: when the cache that keeps the counts is unreachable, the request is let through
    and a warning logged (at most once a minute), so that an outage of the cache does not take
    the whole API down with it. Authentication and permissions do not depend on the cache."""

    def get_rate(self):
        return settings.API_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view) -> bool:
        global _last_warning
        try:
            return super().allow_request(request, view)
        except (RedisError, OSError) as exc:
            now = time.monotonic()
            if not _last_warning or now - _last_warning >= _WARN_EVERY:
                _last_warning = now
                logger.warning(
                    "API throttling is off until the cache answers again: %s: %s",
                    type(exc).__name__,
                    exc,
                )
            return True


class AnonThrottle(_SettingsRate, AnonRateThrottle):
    pass


class UserThrottle(_SettingsRate, UserRateThrottle):
    pass
