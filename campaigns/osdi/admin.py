"""A letter's page in the admin: "Pull signatures from Action Network" and its latest pulls
(LetterAdmin takes this mixin)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from campaigns.models import Letter, Signature, SignaturePull
from campaigns.osdi.pull import PullRefused, signature_pull_request
from campaigns.signature_import import IMPORT_PERMISSIONS
from campaigns.tasks import pull_osdi_signatures
from config.permissions import may_view

PULLS_SHOWN = 5  # the latest pulls on a letter's page
ROW_ERRORS_SHOWN = 50  # of each pull


def letter_signature_pulls(*, letter_id: int, limit: int = PULLS_SHOWN) -> list[SignaturePull]:
    """The letter's latest pulls, newest first."""
    pulls = SignaturePull.objects.filter(letter_id=letter_id).select_related("requested_by")
    return list(pulls[:limit])


class SignaturePullAdminMixin:
    """The button queues a pull (POST only, CSRF-checked) for those who may import signatures
    (the CSV import's permissions: a pull may create the people who signed) and change the
    letter; the panel shows the latest pulls, their progress and row errors, to those who may
    view signatures."""

    def has_pull_signatures_permission(self, request, letter: Letter | None = None) -> bool:
        return request.user.has_perms(IMPORT_PERMISSIONS) and self.has_change_permission(
            request, letter
        )

    def pull_signatures_urls(self) -> list:
        return [
            path(
                "<path:object_id>/pull-signatures/",
                self.admin_site.admin_view(require_POST(self.pull_signatures_view)),
                name="campaigns_letter_pull_signatures",
            )
        ]

    def pull_signatures_context(self, request, letter_id: int | None) -> dict:
        if letter_id is None or not may_view(request.user, Signature):
            return {"signature_pulls": None}
        pulls = letter_signature_pulls(letter_id=letter_id)
        return {
            "signature_pulls": pulls,
            "signature_pull_active": next(
                (p for p in pulls if p.status in SignaturePull.ACTIVE), None
            ),
            "can_pull_signatures": self.has_pull_signatures_permission(request),
            "action_network_key_set": bool(settings.ACTION_NETWORK_API_KEY),
            "row_errors_shown": ROW_ERRORS_SHOWN,
        }

    def pull_signatures_view(self, request, object_id):
        letter = self.get_object(request, unquote(object_id))
        if letter is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_pull_signatures_permission(request, letter):
            raise PermissionDenied
        change_url = reverse("admin:campaigns_letter_change", args=[letter.pk])
        try:
            pull, new = signature_pull_request(letter=letter, requested_by=request.user)
        except PullRefused as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(change_url)
        # Queued once the pull is saved; a pull still under way is queued again, which resumes
        # it where it stopped (a worker that died, a task lost).
        transaction.on_commit(lambda pk=pull.pk: pull_osdi_signatures.delay(pk))
        if new:
            self.log_change(request, letter, "Queued a pull of signatures from Action Network.")
            message = (
                "Queued a pull of signatures from Action Network. A worker reads the petition "
                "a page at a time: reload this page to follow its progress below."
            )
        else:
            message = (
                "A pull of this letter's signatures is already under way (queued again, in "
                "case its worker stopped): reload this page to follow its progress below."
            )
        self.message_user(request, message, messages.SUCCESS)
        return HttpResponseRedirect(change_url + "#signature-pulls")
