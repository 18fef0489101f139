"""The case file and the campaign file: one document to print or hand over, as a page for the
browser's print and as a PDF rendered by WeasyPrint from the same HTML.

A case's file: its names in every script, status and days held, the legal limit, the timeline
with sources, the letters about the person with their answers and the confirmed news, built
from the case page's own permission-filtered selector (tracker.cases.selectors.case_summary),
so that a part the user may not view is left out here too. Internal notes and documents only
when asked for (`include_internal`) and when the user may view them. Restricted case fields
are never in it: a file is made to be handed on, and the restricted fields stay in Vigil.

A campaign's file: its cases with status and days held, its letters with the number of
signatures and the answers (campaigns.selectors.campaign_summary, same rule).

A case in quiet advocacy carries a "QUIET ADVOCACY: do not publish" banner wherever it is
named. Every file served is recorded in the access log by the admin views that serve it
(DetainedPersonAdmin.case_file_view, CampaignAdmin.campaign_file_view).

The PDF embeds its fonts: names in Chinese script need a CJK font installed where the server
runs (Debian: fonts-noto-cjk), which WeasyPrint finds through fontconfig (README "The case
file"). WeasyPrint fetches nothing: the HTML carries its styles, and any URL it would load
(an image, a stylesheet) is refused.
"""

from datetime import date

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from campaigns.models import Campaign, LetterResponse
from campaigns.selectors import campaign_summary
from config.permissions import may_view
from tracker.accesslog.services import record_download
from tracker.cases.limits import with_clock
from tracker.cases.models import CaseDocument, CaseNote, DetainedPerson
from tracker.cases.selectors import case_internal_records, case_summary

CASE_TEMPLATE = "tracker/casefile/case.html"
CAMPAIGN_TEMPLATE = "tracker/casefile/campaign.html"


def may_include_internal(user) -> bool:
    """May `user` have a case's internal notes and documents in its file?"""
    return may_view(user, CaseNote) or may_view(user, CaseDocument)


def wants_internal(request: HttpRequest) -> bool:
    """Internal notes and documents are in a case's file only when asked for (`?include=notes`)
    and allowed."""
    return request.GET.get("include") == "notes" and may_include_internal(request.user)


def case_file_context(
    *, person: DetainedPerson, user, include_internal: bool, today: date | None = None
) -> dict:
    """Everything a case's file shows, each part only if `user` may view its records."""
    today = today or timezone.localdate()
    summary = case_summary(person=person, user=user, today=today)
    notes = documents = None
    if include_internal:
        internal = case_internal_records(person=person, user=user)
        notes, documents = internal["notes"], internal["documents"]
    return {
        "person": person,
        "s": summary,
        "clock": summary["clock"],
        "notes": notes,
        "documents": documents,
        "internal": notes is not None or documents is not None,
        "quiet": person.publicity == DetainedPerson.Publicity.QUIET,
        "made_on": today,
        "made_by": user,
    }


def campaign_file_context(*, campaign: Campaign, user, today: date | None = None) -> dict:
    """A campaign's cases with days held, its letters with signatures and answers."""
    today = today or timezone.localdate()
    summary = campaign_summary(campaign=campaign, user=user, today=today)
    cases = None
    if summary.cases is not None:
        held = with_clock(DetainedPerson.objects.filter(campaigns=campaign)).order_by("name", "pk")
        cases = [
            {
                "person": p,
                "days_held": (today - p.held_since).days if p.held_since else None,
                "quiet": p.publicity == DetainedPerson.Publicity.QUIET,
            }
            for p in held
        ]
    answers: dict[int, list[LetterResponse]] = {}
    if summary.letters is not None and summary.responses:
        responses = (
            LetterResponse.objects.filter(letter__campaign=campaign)
            .select_related("person", "organization")
            .order_by("received_on", "id")
        )
        for response in responses:
            answers.setdefault(response.letter_id, []).append(response)
    letters = None
    if summary.letters is not None:
        letters = [{"letter": x, "answers": answers.get(x.pk, [])} for x in summary.letters]
    return {
        "campaign": campaign,
        "cases": cases,
        "any_quiet": any(c["quiet"] for c in cases or []),
        "letters": letters,
        "signatures": summary.signatures,
        "responses": summary.responses,
        "made_on": today,
        "made_by": user,
    }


def render_html(template: str, context: dict, *, pdf: bool) -> str:
    return render_to_string(template, {**context, "for_pdf": pdf})


def _refuse_fetch(url: str, *args, **kwargs):
    raise ValueError(f"The case file loads nothing from outside its HTML ({url}).")


def render_pdf(html: str) -> bytes:
    """The PDF of `html`, fonts embedded. WeasyPrint is imported here: it loads pango through
    cffi, which only the pages that make a PDF need."""
    from weasyprint import HTML

    return HTML(string=html, url_fetcher=_refuse_fetch).write_pdf()


def file_name(subject: str, made_on: date, *, pdf: bool) -> str:
    """`case-file-lin-qiuyue-2026-12-06.pdf`: ASCII, from the romanised name."""
    slug = slugify(subject)[:60] or "record"
    return f"case-file-{slug}-{made_on.isoformat()}.{'pdf' if pdf else 'html'}"


def serve_file(
    *,
    request: HttpRequest,
    obj,
    template: str,
    context: dict,
    subject: str,
    pdf: bool,
    interface: str = "admin",
) -> HttpResponse:
    """The file of `obj` (a case, a campaign), as the print view's page or as a PDF download;
    either way recorded in the access log as a download (the record first: a file whose record
    failed is not served)."""
    html = render_html(template, context, pdf=pdf)
    name = file_name(subject, context["made_on"], pdf=pdf)
    body = render_pdf(html) if pdf else html
    record_download(request=request, obj=obj, file_name=name, interface=interface)
    if not pdf:
        return HttpResponse(body, content_type="text/html; charset=utf-8")
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
