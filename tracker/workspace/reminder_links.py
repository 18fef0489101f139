"""Turning the morning email of tasks off (or on again) by the link in it, without logging in.

As the digests' unsubscribe link (tracker/digests/unsubscribe.py): the token is signed with
SECRET_KEY under a salt of its own and names the user; GET only asks (mail scanners follow
links), POST changes the preference, without a CSRF token (RFC 8058 one-click requests come
from mail providers, which have no cookie). In the admin, each staff member changes their own
from the account menu (StaffPreferenceAdmin.mine_view).
"""

from django.contrib.auth import get_user_model
from django.core import signing
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from tracker.workspace.models import StaffPreference

SALT = "vigil.workspace.task_reminders"


class BadToken(Exception):
    """Malformed, tampered with, or its user is gone."""


def make_token(user) -> str:
    return signing.Signer(salt=SALT).sign_object([user.pk])


def read_token(token: str):
    try:
        (pk,) = signing.Signer(salt=SALT).unsign_object(token)
        return get_user_model().objects.get(pk=int(pk))
    except (signing.BadSignature, get_user_model().DoesNotExist, TypeError, ValueError) as exc:
        raise BadToken(str(exc)) from exc


def reminders_wanted(user) -> bool:
    preference = StaffPreference.objects.filter(user=user).first()
    return preference is None or preference.task_reminders


@transaction.atomic
def staff_preference_set(*, user, task_reminders: bool, reason: str = "") -> StaffPreference:
    """Turn `user`'s morning email of tasks on or off. Safe to repeat: an unchanged preference
    is not saved again (no History row)."""
    preference, _ = StaffPreference.objects.select_for_update().get_or_create(user=user)
    if preference.task_reminders != task_reminders:
        preference.task_reminders = task_reminders
        preference._history_user = user
        if reason:
            preference._change_reason = reason
        preference.save(update_fields=["task_reminders", "updated_at"])
    return preference


@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def task_reminders(request: HttpRequest, token: str) -> HttpResponse:
    template = "tracker/task_reminders.html"
    try:
        user = read_token(token)
    except BadToken:
        return render(request, template, {"state": "invalid"}, status=400)
    if request.method == "POST":
        # The page's "Send them again" button posts reminders=on; anything else (the one-click
        # body, the "Stop" button) turns them off.
        wanted = request.POST.get("reminders") == "on"
        staff_preference_set(
            user=user, task_reminders=wanted, reason="By the link in a task reminder"
        )
    # Only whether the email is on: nothing about the user's tasks.
    return render(
        request, template, {"state": "on" if reminders_wanted(user) else "off", "email": user.email}
    )
