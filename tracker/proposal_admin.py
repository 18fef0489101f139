"""Case events proposed from the news, in the admin: their own list, and the pending ones on a
mention's page and on a case's page, each with Accept and Reject buttons.

The buttons are submit buttons of the page's own form (the change form, or the change list's
form) with `formaction` set to the proposal's accept or reject URL: they post that form's CSRF
token there, and no form is nested in another. The views check the permission again: only
someone who may add case events (and change proposals) decides.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from config.history import HistoryAdmin
from tracker.models import CaseEventProposal
from tracker.services import case_event_proposal_accept, case_event_proposal_reject


def can_decide(user) -> bool:
    return user.has_perms(CaseEventProposal.DECIDE_PERMISSIONS)


def decide_buttons(proposal: CaseEventProposal, next_url: str) -> str:
    """Accept and Reject, as buttons of the form they are in (see the module docstring)."""
    query = urlencode({"next": next_url})
    return format_html(
        '<button type="submit" class="button default" formmethod="post" formnovalidate '
        'formaction="{}?{}">Accept</button> '
        '<button type="submit" class="button" formmethod="post" formnovalidate '
        'formaction="{}?{}">Reject</button>',
        reverse("admin:tracker_caseeventproposal_accept", args=[proposal.pk]),
        query,
        reverse("admin:tracker_caseeventproposal_reject", args=[proposal.pk]),
        query,
    )


def proposals_table(proposals, *, buttons: bool, next_url: str, article: bool) -> str:
    rows = []
    for p in proposals:
        if p.status == CaseEventProposal.Status.PROPOSED:
            decision = decide_buttons(p, next_url) if buttons else p.get_status_display()
        else:
            decision = format_html(
                "{} by {}", p.get_status_display(), p.decided_by or "someone since removed"
            )
        source = (
            format_html(
                '<br><a href="{}" rel="noopener noreferrer" target="_blank">{}</a>',
                p.source_url,
                p.mention.news_item.title,
            )
            if article
            else ""
        )
        rows.append((p.get_kind_display(), p.date, p.evidence, source, decision))
    if not rows:
        return "None."
    return format_html(
        "<table><tr><th>event</th><th>date</th><th>the article says</th><th></th></tr>{}</table>",
        format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}{}</td><td>{}</td></tr>", rows),
    )


class ProposalsOnPageMixin:
    """Adds the proposals of the record shown (a mention's, a case's pending ones) to its change
    page, with buttons for those who may decide. Subclasses say which with `page_proposals`."""

    proposals_fieldset_title = "Events proposed from the news"

    def page_proposals(self, obj):  # pragma: no cover - each admin defines it
        raise NotImplementedError

    def _proposals_field(self, request) -> str:
        return "proposed_events_to_decide" if can_decide(request.user) else "proposed_events"

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), self._proposals_field(request)]

    def _table(self, obj, *, buttons: bool) -> str:
        if obj is None or obj.pk is None:
            return "-"
        next_url = reverse(
            f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk]
        )
        proposals = self.page_proposals(obj).select_related("mention__news_item", "decided_by")
        return proposals_table(
            proposals, buttons=buttons, next_url=next_url, article=self.proposals_show_article
        )

    proposals_show_article = False

    @admin.display(description="proposed events")
    def proposed_events(self, obj):
        return self._table(obj, buttons=False)

    @admin.display(description="proposed events")
    def proposed_events_to_decide(self, obj):
        return self._table(obj, buttons=True)


@admin.register(CaseEventProposal)
class CaseEventProposalAdmin(HistoryAdmin):
    list_display = ["person", "kind", "date", "status", "evidence", "article", "decision"]
    list_filter = ["status", "kind"]
    list_select_related = ["person", "mention__news_item", "decided_by"]
    search_fields = ["person__name", "person__native_name", "evidence"]
    date_hierarchy = "date"
    ordering = ["status", "-created_at"]
    fields = [
        "person",
        "kind",
        "date",
        "evidence",
        "article",
        "mention",
        "status",
        "decided_by",
        "decided_at",
        "event",
    ]
    readonly_fields = fields
    actions = ["accept_selected", "reject_selected"]

    def has_add_permission(self, request):
        return False  # the news watch proposes; staff decide

    def has_change_permission(self, request, obj=None):
        return False  # decided with the buttons, never edited

    def has_decide_permission(self, request) -> bool:
        return can_decide(request.user)

    @admin.display(description="article")
    def article(self, obj):
        return format_html(
            '<a href="{}" rel="noopener noreferrer" target="_blank">{}</a>',
            obj.source_url,
            obj.mention.news_item.title,
        )

    def get_list_display(self, request):
        # Django calls a column with the row only: the column with buttons is another column.
        if can_decide(request.user):
            return [*self.list_display[:-1], "decision_to_make"]
        return self.list_display

    @admin.display(description="decision")
    def decision(self, obj):
        if obj.status == CaseEventProposal.Status.PROPOSED:
            return obj.get_status_display()
        return format_html(
            "{} by {}", obj.get_status_display(), obj.decided_by or "someone since removed"
        )

    @admin.display(description="decision")
    def decision_to_make(self, obj):
        if obj.status == CaseEventProposal.Status.PROPOSED:
            return decide_buttons(obj, reverse("admin:tracker_caseeventproposal_changelist"))
        return self.decision(obj)

    def get_urls(self):
        def decide(service, name):
            def view(request, object_id):
                return self.decide_view(request, object_id, service)

            return path(
                f"<path:object_id>/{name}/",
                self.admin_site.admin_view(view),
                name=f"tracker_caseeventproposal_{name}",
            )

        return [
            decide(case_event_proposal_accept, "accept"),
            decide(case_event_proposal_reject, "reject"),
            *super().get_urls(),
        ]

    def decide_view(self, request, object_id, service):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_decide_permission(request):
            raise PermissionDenied
        proposal = self.get_object(request, unquote(object_id))
        if proposal is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        self._decide(request, [proposal], service)
        next_url = request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            next_url = reverse("admin:tracker_caseeventproposal_changelist")
        return HttpResponseRedirect(next_url)

    def _decide(self, request, proposals, service) -> None:
        for proposal in proposals:
            try:
                decided = service(proposal=proposal, user=request.user)
            except ValidationError as exc:
                self.message_user(request, f"{proposal}: {' '.join(exc.messages)}", messages.ERROR)
            except CaseEventProposal.DoesNotExist:
                self.message_user(request, "That proposal has just been deleted.", messages.ERROR)
            else:
                done = decided.get_status_display().lower()
                self.message_user(
                    request,
                    f"{decided.get_kind_display()} on {decided.date} for {decided.person}: {done}.",
                    messages.SUCCESS,
                )

    @admin.action(description="Accept: put these events on the timelines", permissions=["decide"])
    def accept_selected(self, request, queryset):
        self._decide(request, list(queryset), case_event_proposal_accept)

    @admin.action(description="Reject: the articles do not say this", permissions=["decide"])
    def reject_selected(self, request, queryset):
        self._decide(request, list(queryset), case_event_proposal_reject)
