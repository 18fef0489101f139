"""Staff pages of the news watch: sources, articles and the review queue of mentions."""

import math
import re
import unicodedata
from urllib.parse import urlsplit

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape, format_html, format_html_join
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import ngettext
from unfold.contrib.filters.admin import (
    AutocompleteSelectFilter,
    BooleanRadioFilter,
    ChoicesDropdownFilter,
    RelatedDropdownFilter,
)

from config.admin_base import ModelAdmin
from config.admin_bulk import confirm_then_apply
from config.admin_filters import staff_owner_filter
from config.formats import staff_date
from config.history import HistoryAdmin
from tracker.cases.admin import ProposalsOnPageMixin
from tracker.cases.models import CaseEventProposal
from tracker.names import all_name_keys
from tracker.newswatch.models import MENTION_REVIEW_ORDER, Mention, NewsItem, NewsSource
from tracker.newswatch.rotation import search_coverage
from tracker.newswatch.services import (
    mention_review,
    mentions_review,
    news_source_check_url,
    news_source_save,
)
from tracker.tasks import poll_source as poll_source_task
from tracker.text import fold_with_origins, is_whole_word


def _term_spans(text: str, terms: list[str]) -> list[tuple[int, int]]:
    """Where in `text` the matched terms are, as (start, end) indexes of the text as written.

    Terms are found as the matcher finds them: folded (case, accents, hyphens and spacing do
    not matter, so `Nguyen Van Minh` is found in `NGUYỄN VĂN MINH`; nor do traditional or
    simplified characters and a name's dots), under the forms the matcher finds a name in
    (`Tang Wen-bo` for `Tang Wenbo`: tracker.names) and as whole words (`Li Wei` is not found
    at the start of `Li Weiming`)."""
    keys = sorted(all_name_keys(terms), key=len, reverse=True)
    if not text or not keys:
        return []
    folded, origins = fold_with_origins(text)
    pattern = re.compile("|".join(map(re.escape, keys)))
    spans, position = [], 0
    while match := pattern.search(folded, position):
        start = match.start()
        position = start + 1
        # The longest key found here may not be a whole word while a shorter one is ("Anna"
        # in "Anna Bella", with "Anna Bell" a term too): take the longest one that is.
        end = next(
            (
                start + len(key)
                for key in keys
                if folded.startswith(key, start) and is_whole_word(folded, start, start + len(key))
            ),
            None,
        )
        if end is None:
            continue
        begin, finish = origins[start], origins[end - 1] + 1
        while finish < len(text) and unicodedata.combining(text[finish]):
            finish += 1  # a written accent after the last letter belongs to it
        spans.append((begin, finish))
        position = end
    return spans


def _marked(text: str, spans: list[tuple[int, int]], start: int = 0, end: int | None = None):
    """`text[start:end]` escaped, with the spans in it wrapped in <mark>."""
    end = len(text) if end is None else end
    parts, last = [], start
    for begin, finish in spans:
        if begin < start or finish > end:
            continue
        parts.append(escape(text[last:begin]))
        parts.append(format_html("<mark>{}</mark>", text[begin:finish]))
        last = finish
    parts.append(escape(text[last:end]))
    return mark_safe("".join(str(p) for p in parts))  # noqa: S308 (every part is escaped)


def highlight(text: str, terms: list[str]) -> str:
    """`text` escaped, with each matched term wrapped in <mark> (see _term_spans)."""
    return _marked(text, _term_spans(text, terms)) if text else ""


# How much of a long text the excerpt looks through for a match (the matcher read all of it).
EXCERPT_SEARCHED = 5000


def excerpt_around_match(text: str, terms: list[str], *, width: int = 180) -> str:
    """About `width` characters of `text` around the first matched term, escaped, the terms
    marked, cut between words with an ellipsis where the text goes on; the start of the text
    when no term is in it (the match was in the title)."""
    if not text:
        return ""
    spans = _term_spans(text[:EXCERPT_SEARCHED], terms)
    if spans:
        begin, finish = spans[0]
        start = max(0, begin - (width - (finish - begin)) * 2 // 5)
    else:
        begin = finish = start = 0
    end = min(len(text), max(start + width, finish))
    start = max(0, min(start, end - width))
    # Cut at a space, when there is one close by (texts in Chinese have none: cut anywhere).
    if start > 0:
        space = text.find(" ", start, begin)
        if 0 <= space < start + 30:
            start = space + 1
    if end < len(text):
        space = text.rfind(" ", finish, end)
        if space > end - 30:
            end = space
    return format_html(
        "{}{}{}",
        "… " if start > 0 else "",
        _marked(text, spans, start, end),
        " …" if end < len(text) else "",
    )


class NewsSourceForm(forms.ModelForm):
    class Meta:
        model = NewsSource
        fields = [
            "name",
            "kind",
            "url",
            "active",
            "poll_interval_minutes",
            "min_interval_seconds",
            "max_query_chars",
            "max_people_per_query",
            "next_poll_at",
        ]

    def clean_url(self):
        """A private or loopback address is an error on the field, as the API's 400 is, not a
        failed save (news_source_save checks again)."""
        url = self.cleaned_data["url"]
        kind = self.cleaned_data.get("kind")
        if url and kind:
            news_source_check_url(url=url, kind=kind)
        return url


@admin.register(NewsSource)
class NewsSourceAdmin(HistoryAdmin):
    form = NewsSourceForm
    list_display = [
        "name",
        "kind",
        "active",
        "health",
        "last_polled_at",
        "next_poll_at",
        "consecutive_failures",
    ]
    list_filter = [
        ("kind", ChoicesDropdownFilter),
        ("active", BooleanRadioFilter),
        ("last_status", ChoicesDropdownFilter),
    ]
    search_fields = ["name", "url"]
    readonly_fields = [
        "last_status",
        "last_error",
        "last_polled_at",
        "consecutive_failures",
        "etag",
        "last_modified",
        "search_coverage",
    ]
    fieldsets = [
        (None, {"fields": ["name", "kind", "url", "active"]}),
        (
            "Pace",
            {
                "classes": ["tab"],
                "fields": [
                    "poll_interval_minutes",
                    "min_interval_seconds",
                    "max_query_chars",
                    "max_people_per_query",
                    "next_poll_at",
                ],
            },
        ),
        (
            "Health",
            {
                "classes": ["tab"],
                "fields": [
                    "last_status",
                    "last_error",
                    "last_polled_at",
                    "consecutive_failures",
                    "etag",
                    "last_modified",
                ],
            },
        ),
        ("Search coverage", {"classes": ["tab"], "fields": ["search_coverage"]}),
    ]
    actions = ["poll_now"]

    @admin.display(description="search coverage")
    def search_coverage(self, obj):
        """Search sources: who was searched lately, and whether a round fits the interval."""
        if obj.pk is None or not obj.is_search:
            return "-"
        c = search_coverage(sources=[obj])[obj.pk]
        oldest = (
            f"never ({c.never_searched} not searched yet)"
            if c.oldest_search_at is None
            else date_format(timezone.localtime(c.oldest_search_at), "DATETIME_FORMAT")
        )
        lines = [
            f"{c.searched_last_24h} of {c.watched} watched people searched in the last 24 hours.",
            f"Oldest last search: {oldest}.",
            f"A full round: {c.round_requests} requests, about "
            f"{math.ceil(c.round_seconds / 60)} minutes at this source's pace.",
        ]
        text = format_html_join("", "<p>{}</p>", ((line,) for line in lines))
        if c.warning:
            text += format_html('<p style="color:#b00">{}</p>', c.warning)
        return text

    @admin.display(description="health", ordering="last_status")
    def health(self, obj):
        if obj.last_status == NewsSource.LastStatus.FAILED:
            return format_html('<span style="color:#b00">failed: {}</span>', obj.last_error[:120])
        return obj.get_last_status_display()

    def save_model(self, request, obj, form, change):
        news_source_save(source=obj)

    @admin.action(description="Poll now", permissions=["change"])
    def poll_now(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True))
        for pk in ids:
            transaction.on_commit(lambda pk=pk: poll_source_task.delay(pk))
        queued = ngettext("Queued a poll of %d source.", "Queued a poll of %d sources.", len(ids))
        self.message_user(request, queued % len(ids), messages.SUCCESS)


@admin.register(NewsItem)
class NewsItemAdmin(ModelAdmin):
    list_display = ["title", "publisher", "published_at", "first_seen_at", "link"]
    list_filter = [("sources", RelatedDropdownFilter), "language"]
    list_filter_submit = True
    search_fields = ["title", "url", "publisher"]
    date_hierarchy = "published_at"
    readonly_fields = [f.name for f in NewsItem._meta.fields if f.name != "id"] + ["sources"]

    @admin.display(description="URL")
    def link(self, obj):
        return format_html(
            '<a href="{}" rel="noopener noreferrer" target="_blank">open</a>', obj.url
        )

    def has_add_permission(self, request):
        return False


class MentionStatusFilter(admin.SimpleListFilter):
    """Status, with "New" chosen when none is: the review queue opens on what is left to review.
    `?status__exact=confirmed` (the field filter's own parameter) still works, and "All" is
    `?status__exact=all`."""

    title = "status"
    parameter_name = "status__exact"
    template = "admin/tracker/mention/status_filter.html"
    ALL = "all"

    def lookups(self, request, model_admin):
        return Mention.Status.choices

    def chosen(self) -> str:
        return self.value() or Mention.Status.NEW

    def queryset(self, request, queryset):
        if self.chosen() == self.ALL:
            return queryset
        return queryset.filter(status=self.chosen())

    def choices(self, changelist):
        """As the field filter's (with counts when asked), but "All" is a choice of its own."""
        everything, *statuses = super().choices(changelist)
        yield {
            **everything,
            "selected": self.chosen() == self.ALL,
            "query_string": changelist.get_query_string({self.parameter_name: self.ALL}),
        }
        for (value, _label), choice in zip(self.lookup_choices, statuses, strict=True):
            yield {**choice, "selected": self.chosen() == value}


@admin.register(Mention)
class MentionAdmin(ProposalsOnPageMixin, HistoryAdmin):
    """The review queue: new mentions, matched terms highlighted in the title and an excerpt."""

    list_display = [
        "person",
        "article",
        "text_excerpt",
        "matched",
        "status",
        "created_at",
        "reviewed_by",
    ]
    list_filter = [
        MentionStatusFilter,
        ("person", AutocompleteSelectFilter),
        ("person__campaigns", RelatedDropdownFilter),
        ("news_item__sources", RelatedDropdownFilter),
        staff_owner_filter(
            title="case officer", parameter="officer", user_path="person__officer_links__user"
        ),
    ]
    list_select_related = ["person", "news_item", "reviewed_by"]
    search_fields = ["person__name", "person__native_name", "news_item__title"]
    date_hierarchy = "created_at"
    ordering = ["status", "-created_at"]
    readonly_fields = [
        "news_item",
        "person",
        "matched",
        "excerpt",
        "reviewed_by",
        "reviewed_at",
    ]
    fields = [
        "person",
        "news_item",
        "excerpt",
        "matched",
        "status",
        "reviewed_by",
        "reviewed_at",
    ]
    actions = ["confirm", "dismiss"]

    @admin.display(description="article", ordering="news_item__published_at")
    def article(self, obj):
        item = obj.news_item
        return format_html(
            '{}<br><a href="{}" rel="noopener noreferrer" target="_blank">{}</a> {}',
            highlight(item.title, obj.matched_terms),
            item.url,
            item.publisher or urlsplit(item.url).netloc,
            staff_date(item.published_at.date()) if item.published_at else "",
        )

    @admin.display(description="excerpt")
    def text_excerpt(self, obj):
        return (
            excerpt_around_match(obj.news_item.summary, obj.matched_terms)
            or self.get_empty_value_display()
        )

    @admin.display(description="matched terms")
    def matched(self, obj):
        return ", ".join(obj.matched_terms) or self.get_empty_value_display()

    @admin.display(description="text")
    def excerpt(self, obj):
        item = obj.news_item
        return format_html(
            "<strong>{}</strong><br>{}",
            highlight(item.title, obj.matched_terms),
            highlight(item.summary[:2000], obj.matched_terms),
        )

    def has_add_permission(self, request):
        return False

    def get_ordering(self, request):
        # The new mentions (the queue, which the list opens on) oldest article first; the
        # other statuses as they were, latest found first.
        if request.GET.get(MentionStatusFilter.parameter_name, "new") == Mention.Status.NEW:
            return MENTION_REVIEW_ORDER
        return super().get_ordering(request)

    def page_proposals(self, obj):
        # The proposals it made, and those it is another source of.
        return (
            CaseEventProposal.objects.filter(Q(mention=obj) | Q(other_sources__mention=obj))
            .distinct()
            .order_by("kind", "pk")
        )

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        return [*fields, self._proposals_field(request)] if obj is not None else fields

    def save_model(self, request, obj, form, change):
        mention_review(mention=obj, status=obj.status, user=request.user)
        self._say_what_was_proposed(request, [obj.pk])

    def _say_what_was_proposed(self, request, mention_ids) -> None:
        """Point to the case events that confirming these mentions proposed, if any."""
        pending = (
            CaseEventProposal.objects.filter(
                Q(mention__in=mention_ids) | Q(other_sources__mention__in=mention_ids),
                status=CaseEventProposal.Status.PROPOSED,
            )
            .distinct()
            .count()
        )
        if pending:
            url = reverse("admin:tracker_caseeventproposal_changelist")
            self.message_user(
                request,
                format_html(
                    ngettext(
                        '{} event proposed from these articles: <a href="{}?{}">accept or '
                        "reject it</a>.",
                        '{} events proposed from these articles: <a href="{}?{}">accept or '
                        "reject them</a>.",
                        pending,
                    ),
                    pending,
                    url,
                    urlencode({"status__exact": "proposed"}),
                ),
                messages.INFO,
            )

    def _review(self, request, queryset, status):
        """Confirm or dismiss the selection after a confirmation page, in one call of
        mentions_review (the API's bulk review): each mention as if reviewed alone."""
        label = Mention.Status(status).label.lower()

        def apply(mentions, data):
            reviewed = mentions_review(mentions=mentions, status=status, user=request.user)
            for mention in reviewed:
                self.log_change(request, mention, f"Marked {label}.")
            gone = len(mentions) - len(reviewed)
            note = f" {gone} had been deleted meanwhile." if gone else ""
            if status == Mention.Status.CONFIRMED:
                self._say_what_was_proposed(request, [m.pk for m in reviewed])
            words = ngettext("%d mention marked %s.", "%d mentions marked %s.", len(reviewed))
            return words % (len(reviewed), label) + note

        what = (
            "Confirm that each article is about its person: the case events the articles "
            "report are proposed for review, as when one mention is confirmed."
            if status == Mention.Status.CONFIRMED
            else "Dismiss these mentions (someone else, or not relevant): case events their "
            "articles proposed and nobody has decided yet are withdrawn."
        )
        return confirm_then_apply(
            self,
            request,
            queryset.select_related(None).select_related("person", "news_item"),
            title=f"Mark mentions {label}",
            intro=what,
            button=f"Mark them {label}",
            apply=apply,
        )

    @admin.action(description="Confirm: the article is about this person", permissions=["change"])
    def confirm(self, request, queryset):
        return self._review(request, queryset, Mention.Status.CONFIRMED)

    @admin.action(description="Dismiss: someone else, or not relevant", permissions=["change"])
    def dismiss(self, request, queryset):
        return self._review(request, queryset, Mention.Status.DISMISSED)


# --- Email digests ------------------------------------------------------------------------------
