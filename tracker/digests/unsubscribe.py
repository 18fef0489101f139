"""Unsubscribing from the digest by the link in its email, without logging in.

The token in the link is the credential: it is signed with SECRET_KEY under a salt of its own
(so no other signed value of this site can stand in for it) and names the subscription and,
through a keyed hash, its address. Changing a subscription's address therefore voids the links
sent to the old one, and the address is not readable in the URL (it ends up in access logs).
Tokens do not expire: a digest read weeks later must still unsubscribe.

GET only asks (mail scanners follow links); POST unsubscribes. POST needs no CSRF token: the
token in the URL is the credential, and RFC 8058 one-click requests come from mail providers,
which have no cookie to present.
"""

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.crypto import constant_time_compare, salted_hmac
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from tracker.digests.models import Subscription

SALT = "vigil.digests.unsubscribe"


class BadToken(Exception):
    """The token is malformed, tampered with, made for another subscription, or its
    subscription no longer exists."""


def _email_key(email: str, secret: str | None = None) -> str:
    # Keyed, so that a token does not let anyone confirm a guessed address.
    return salted_hmac(f"{SALT}.email", email, secret=secret).hexdigest()[:16]


def _email_matches(email_key: object, email: str) -> bool:
    # Links made before a SECRET_KEY rotation keep working while the old key is a fallback,
    # as their signature does.
    secrets = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    return isinstance(email_key, str) and any(
        constant_time_compare(email_key, _email_key(email, secret)) for secret in secrets
    )


def _signer() -> signing.Signer:
    return signing.Signer(salt=SALT)


def make_token(subscription: Subscription) -> str:
    """The same token every time for the same subscription and address."""
    return _signer().sign_object([subscription.pk, _email_key(subscription.email)])


def read_token(token: str) -> Subscription:
    """The subscription the token was made for; BadToken if there is none."""
    try:
        pk, email_key = _signer().unsign_object(token)
        subscription = Subscription.objects.get(pk=int(pk))
    except (signing.BadSignature, Subscription.DoesNotExist, TypeError, ValueError) as exc:
        raise BadToken(str(exc)) from exc
    if not _email_matches(email_key, subscription.email):
        raise BadToken("The token was made for another address.")
    return subscription


@transaction.atomic
def subscription_unsubscribe(*, subscription: Subscription) -> Subscription:
    """Stop the subscription's digests. Safe to call twice: an inactive subscription is left
    alone, so history records one change. Only `active` changes, which cannot make the record
    invalid, so there is nothing to validate (and an unsubscribe must never fail on account of
    some other field)."""
    locked = Subscription.objects.select_for_update().get(pk=subscription.pk)
    if locked.active:
        locked.active = False
        locked._change_reason = "Unsubscribed by the link in a digest"
        locked.save(update_fields=["active", "updated_at"])
    subscription.active = locked.active
    subscription.updated_at = locked.updated_at
    return subscription


@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    template = "tracker/unsubscribe.html"
    try:
        subscription = read_token(token)
    except BadToken:
        return render(request, template, {"state": "invalid"}, status=400)
    if request.method == "POST":
        subscription_unsubscribe(subscription=subscription)
        state = "done"
    else:
        state = "confirm" if subscription.active else "already"
    # Only the subscription's own address and frequency: nothing else about it or its cases.
    context = {
        "state": state,
        "email": subscription.email,
        "frequency": subscription.frequency,
    }
    return render(request, template, context)
