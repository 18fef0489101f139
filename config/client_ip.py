"""The address a request came from, as the login lockout (django-axes) records it."""

from ipware import get_client_ip
from rest_framework.settings import api_settings


def client_ip(request) -> str | None:
    """The client's address, found as the API throttle finds it: with API_NUM_PROXIES = N
    proxies in front, the Nth X-Forwarded-For entry from the right, the one the nearest proxy
    wrote. Whatever a client forges to the left of it is ignored, so a forged header cannot
    dodge a lockout; with no proxy the header is not read at all.

    django-ipware parses and validates the header; it counts the proxies *after* the client
    within it, hence N - 1, and reads a longer chain (the client's own proxy, or a forgery)
    from the right instead of falling back to REMOTE_ADDR, the proxy's address."""
    num_proxies = api_settings.NUM_PROXIES or 0
    if num_proxies == 0:
        return request.META.get("REMOTE_ADDR")
    address, _routable = get_client_ip(
        request,
        proxy_count=num_proxies - 1,
        request_header_order=["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"],
        strict=False,
    )
    return address
