import math
import re
import unicodedata
from urllib.parse import urlsplit

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AdminDateWidget
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import mark_safe

from config.admin import HistoryImportExportAdmin
from config.admin_filters import CountryInUseFilter
from config.history import HistoryAdmin
from tracker.digests.email import render_digest_email
from tracker.digests.sending import deliveries_resend, digest_preview
from tracker.forms import StringListField
from tracker.models import (
    CaseEvent,
    DetainedPerson,
    DigestDelivery,
    Mention,
    NewsItem,
    NewsSource,
    Subscription,
)
from tracker.newswatch.rematch import rematch_people
from tracker.newswatch.rotation import search_coverage
from tracker.proposal_admin import ProposalsOnPageMixin
from tracker.resources import DetainedPersonResource
from tracker.services import (
    case_event_delete,
    case_event_save,
    detained_person_save,
    detained_person_status_event,
    mention_review,
    news_source_check_url,
    news_source_save,
    subscription_save,
)
from tracker.tasks import poll_source as poll_source_task
from tracker.tasks import send_digest as send_digest_task
from tracker.text import fold, fold_with_origins, is_whole_word


class DetainedPersonForm(forms.ModelForm):
    aliases = StringListField(required=False, help_text="One per line.")
    context_terms = StringListField(
        required=False,
        help_text="One per line. For common names: a news item mentions this person only "
        "if it also contains one of these terms.",
    )
    status_date = forms.DateField(
        label="Status since",
        required=False,
        widget=AdminDateWidget,
        help_text="A new status is recorded on the timeline as an event of that date (blank: "
        "today; for a new person, the detention date if given). It cannot be after today, "
        "nor before the latest status event.",
    )

    class Meta:
        model = DetainedPerson
        fields = [
            "name",
            "native_name",
            "aliases",
            "status",
            "watch_enabled",
            "gender",
            "birth_year",
            "country",
            "occupation",
            "affiliation",
            "detained_on",
            "place_of_detention",
            "charges",
            "sentence",
            "summary",
            "context_terms",
        ]

    def _post_clean(self):
        super()._post_clean()  # the instance now holds the form's values
        if "status" in self._errors or "status_date" in self._errors:
            return
        try:
            detained_person_status_event(
                person=self.instance, status_date=self.cleaned_data.get("status_date")
            )
        except ValidationError as exc:
            self._update_errors(exc)


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    extra = 1
    fields = ["date", "kind", "description", "source_url"]
    ordering = ["-date", "-id"]


@admin.register(DetainedPerson)
class DetainedPersonAdmin(ProposalsOnPageMixin, HistoryImportExportAdmin):
    form = DetainedPersonForm
    resource_classes = [DetainedPersonResource]
    list_display = [
        "name",
        "native_name",
        "status",
        "country",
        "detained_on",
        "watch_enabled",
        "updated_at",
    ]
    list_filter = [
        "status",
        ("country", CountryInUseFilter),
        "campaigns",
        "gender",
        "watch_enabled",
    ]
    # search_names holds every name form folded (case and accents removed); see get_search_results.
    search_fields = ["name", "native_name", "search_names"]
    date_hierarchy = "detained_on"
    inlines = [CaseEventInline]
    readonly_fields = ["news_mentions"]
    actions = ["rematch_news"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "native_name",
                    "aliases",
                    ("status", "status_date"),
                    "watch_enabled",
                ]
            },
        ),
        (
            "Person",
            {
                "fields": [
                    "gender",
                    "birth_year",
                    "country",
                    "occupation",
                    "affiliation",
                ]
            },
        ),
        (
            "Detention",
            {
                "fields": [
                    "detained_on",
                    "place_of_detention",
                    "charges",
                    "sentence",
                    "summary",
                ]
            },
        ),
        ("News watch", {"fields": ["context_terms", "news_mentions"]}),
    ]

    proposals_show_article = True

    def page_proposals(self, obj):
        return obj.event_proposals.filter(status="proposed").order_by("date", "pk")

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        shown = (self.proposals_fieldset_title, {"fields": [self._proposals_field(request)]})
        return [fieldsets[0], shown, *fieldsets[1:]]

    @admin.display(description="news mentions")
    def news_mentions(self, obj):
        """The latest 50 mentions, newest first; review them under Case tracker > Mentions."""
        if obj.pk is None:
            return "-"
        mentions = obj.mentions.select_related("news_item").order_by("-created_at")[:50]
        rows = format_html_join(
            "",
            '<tr><td><a href="{}" rel="noopener noreferrer" target="_blank">{}</a></td>'
            '<td>{}</td><td><a href="{}">{}</a></td><td>{}</td></tr>',
            (
                (
                    m.news_item.url,
                    m.news_item.title,
                    ", ".join(m.matched_terms),
                    reverse("admin:tracker_mention_change", args=[m.pk]),
                    m.get_status_display(),
                    m.created_at.date(),
                )
                for m in mentions
            ),
        )
        if not rows:
            return "None yet."
        return format_html(
            "<table><tr><th>article</th><th>matched</th><th>status</th><th>found</th></tr>{}"
            "</table>",
            rows,
        )

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        folded = fold(search_term)
        if folded and folded != search_term:
            results |= queryset.search(search_term)
        return results, may_have_duplicates

    @admin.action(description="Re-scan the last 30 days of news for them", permissions=["change"])
    def rematch_news(self, request, queryset):
        total = rematch_people(people=queryset, days=30)
        self.message_user(request, f"{total} new mention(s) found.", messages.SUCCESS)

    def save_model(self, request, obj, form, change):
        # The form checked the status against the timeline (DetainedPersonForm._post_clean);
        # the service records it, checking again under the person's row lock.
        detained_person_save(
            person=obj, status=obj.status, status_date=form.cleaned_data.get("status_date")
        )

    def save_formset(self, request, form, formset, change):
        if formset.model is not CaseEvent:
            return super().save_formset(request, form, formset, change)
        # Timeline edits go through the service so that the status rule applies.
        events = formset.save(commit=False)
        for event in formset.deleted_objects:
            case_event_delete(event=event)
        for event in events:
            case_event_save(event=event)
        formset.save_m2m()


@admin.register(CaseEvent)
class CaseEventAdmin(HistoryAdmin):
    list_display = ["date", "person", "kind", "short_description"]
    list_filter = ["kind", ("person__country", CountryInUseFilter), "person__campaigns"]
    list_select_related = ["person"]
    search_fields = ["person__name", "person__native_name", "description"]
    autocomplete_fields = ["person"]
    date_hierarchy = "date"

    @admin.display(description="description")
    def short_description(self, obj):
        return obj.description[:80]

    def save_model(self, request, obj, form, change):
        case_event_save(event=obj)

    def delete_model(self, request, obj):
        case_event_delete(event=obj)

    def delete_queryset(self, request, queryset):
        for event in queryset:
            case_event_delete(event=event)


# --- News watch ---------------------------------------------------------------------------------


def _term_spans(text: str, terms: list[str]) -> list[tuple[int, int]]:
    """Where in `text` the matched terms are, as (start, end) indexes of the text as written.

    Terms are found as the matcher finds them: folded (case, accents, hyphens and spacing do
    not matter, so `Nguyen Van Minh` is found in `NGUYỄN VĂN MINH`) and as whole words (`Li Wei`
    is not found at the start of `Li Weiming`)."""
    keys = sorted({fold(t) for t in terms} - {""}, key=len, reverse=True)
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
    list_filter = ["kind", "active", "last_status"]
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
    fields = [*NewsSourceForm.Meta.fields, *readonly_fields]
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
        self.message_user(request, f"Queued a poll of {len(ids)} source(s).", messages.SUCCESS)


@admin.register(NewsItem)
class NewsItemAdmin(admin.ModelAdmin):
    list_display = ["title", "publisher", "published_at", "first_seen_at", "link"]
    list_filter = ["sources", "language"]
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
        ("person", admin.RelatedOnlyFieldListFilter),
        "person__campaigns",
        "news_item__sources",
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
            item.published_at.date() if item.published_at else "",
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

    def page_proposals(self, obj):
        return obj.proposals.order_by("kind")

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        return [*fields, self._proposals_field(request)] if obj is not None else fields

    def save_model(self, request, obj, form, change):
        mention_review(mention=obj, status=obj.status, user=request.user)

    def _review(self, request, queryset, status):
        mentions = list(queryset.select_related(None).only("pk"))  # mention_review reads each
        gone = 0
        for mention in mentions:
            try:
                mention_review(mention=mention, status=status, user=request.user)
            except Mention.DoesNotExist:  # deleted since the list was read
                gone += 1
        note = f" {gone} had been deleted meanwhile." if gone else ""
        self.message_user(
            request, f"{len(mentions) - gone} mention(s) marked {status}.{note}", messages.SUCCESS
        )

    @admin.action(description="Confirm: the article is about this person", permissions=["change"])
    def confirm(self, request, queryset):
        self._review(request, queryset, Mention.Status.CONFIRMED)

    @admin.action(description="Dismiss: someone else, or not relevant", permissions=["change"])
    def dismiss(self, request, queryset):
        self._review(request, queryset, Mention.Status.DISMISSED)


# --- Email digests ------------------------------------------------------------------------------


def _links(relation) -> Subquery:
    """How many rows of a many-to-many `relation` (e.g. Subscription.campaigns) the outer row
    has, as a subquery."""
    through = relation.through
    own = relation.field.m2m_field_name()
    counted = through.objects.filter(**{own: OuterRef("pk")}).values(own).annotate(n=Count("*"))
    return Coalesce(Subquery(counted.values("n")), 0)


@admin.register(Subscription)
class SubscriptionAdmin(HistoryAdmin):
    list_display = [
        "email",
        "frequency",
        "active",
        "include_unreviewed",
        "created_at",
        "n_campaigns",
        "n_persons",
    ]
    list_filter = ["frequency", "active", "include_unreviewed", "campaigns"]
    search_fields = ["email"]
    autocomplete_fields = ["user", "campaigns", "persons"]
    readonly_fields = ["next_digest"]
    fields = [
        "email",
        "user",
        "frequency",
        "campaigns",
        "persons",
        "include_unreviewed",
        "active",
        "next_digest",
    ]
    preview_template = "admin/tracker/subscription/preview.html"

    def get_queryset(self, request):
        # One counting subquery per link table: joining both would multiply each
        # subscription's rows (campaigns x cases) before counting them.
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_campaigns=_links(Subscription.campaigns), n_persons=_links(Subscription.persons)
            )
        )

    @admin.display(description="campaigns", ordering="n_campaigns")
    def n_campaigns(self, obj):
        return obj.n_campaigns

    @admin.display(description="cases", ordering="n_persons")
    def n_persons(self, obj):
        return obj.n_persons

    # The preview carries the subscriber's working unsubscribe link, so it is for those who
    # may change the subscription anyway.
    def has_preview_permission(self, request, obj=None) -> bool:
        return self.has_change_permission(request, obj)

    def get_list_display(self, request):
        columns = super().get_list_display(request)
        return [*columns, "preview_link"] if self.has_preview_permission(request) else columns

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is None or not self.has_preview_permission(request, obj):
            fields = [f for f in fields if f != "next_digest"]
        return fields

    def _preview_url(self, obj) -> str:
        return reverse("admin:tracker_subscription_preview", args=[obj.pk])

    @admin.display(description="next digest")
    def preview_link(self, obj):
        return format_html('<a href="{}">preview</a>', self._preview_url(obj))

    @admin.display(description="next digest")
    def next_digest(self, obj):  # (get_fields leaves it out of the add form)
        return format_html(
            '<a href="{}">Preview the digest this address would get if it were sent now</a>',
            self._preview_url(obj),
        )

    def get_urls(self):
        preview = path(
            "<path:object_id>/preview/",
            self.admin_site.admin_view(self.preview_view),
            name="tracker_subscription_preview",
        )
        return [preview, *super().get_urls()]

    def preview_view(self, request, object_id):
        """The next digest as its subscriber would get it now; nothing is written or sent.
        The email's HTML is shown in a sandboxed iframe (escaped into its srcdoc attribute):
        it holds news titles from the web, so it never becomes part of this page."""
        subscription = self.get_object(request, unquote(object_id))
        if subscription is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_preview_permission(request, subscription):
            raise PermissionDenied
        digest = digest_preview(subscription=subscription)
        message = render_digest_email(digest)
        html, _mimetype = message.alternatives[0]
        context = {
            **self.admin_site.each_context(request),
            "title": f"Next digest for {subscription}",
            "opts": self.opts,
            "original": subscription,
            "digest": digest,
            "subject": message.subject,
            "recipients": ", ".join(message.to),
            "html": html,
            "text": message.body,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.preview_template, context)

    def save_model(self, request, obj, form, change):
        subscription_save(
            subscription=obj,
            campaigns=form.cleaned_data.get("campaigns"),
            persons=form.cleaned_data.get("persons"),
        )

    def save_related(self, request, form, formsets, change):
        # The service has set campaigns and persons (save_model): no form.save_m2m() here.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


@admin.register(DigestDelivery)
class DigestDeliveryAdmin(admin.ModelAdmin):
    """What went to whom, for which period, and what failed. Deliveries are made and sent by
    the digest tasks; staff can only look, and queue failed ones again."""

    list_display = [
        "subscription",
        "period_start",
        "period_end",
        "status",
        "attempts",
        "sent_at",
        "error",
    ]
    list_filter = ["status", "subscription__frequency"]
    list_select_related = ["subscription"]
    search_fields = ["subscription__email"]
    date_hierarchy = "period_end"
    fields = [
        "subscription",
        "period_start",
        "period_end",
        "status",
        "attempts",
        "sent_at",
        "message_id",
        "last_error",
        "claimed_until",
        "created_at",
        "mentions_listed",
        "events_listed",
    ]
    readonly_fields = fields
    actions = ["resend"]

    @admin.display(description="last error", ordering="last_error")
    def error(self, obj):
        return obj.last_error[:120]

    @admin.display(description="mentions")
    def mentions_listed(self, obj):
        mentions = obj.mentions.select_related("person", "news_item").order_by("-created_at")
        rows = format_html_join(
            "",
            '<li><a href="{}">{}</a>: {}</li>',
            (
                (reverse("admin:tracker_mention_change", args=[m.pk]), m.person, m.news_item)
                for m in mentions
            ),
        )
        return format_html("<ul>{}</ul>", rows) if rows else "-"

    @admin.display(description="case events")
    def events_listed(self, obj):
        events = obj.events.select_related("person").order_by("date", "id")
        rows = format_html_join(
            "",
            '<li><a href="{}">{}</a>: {}</li>',
            ((reverse("admin:tracker_caseevent_change", args=[e.pk]), e.person, e) for e in events),
        )
        return format_html("<ul>{}</ul>", rows) if rows else "-"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_resend_permission(self, request) -> bool:
        return request.user.has_perm(f"{self.opts.app_label}.change_{self.opts.model_name}")

    @admin.action(
        description="Resend: queue the failed or stuck deliveries again", permissions=["resend"]
    )
    def resend(self, request, queryset):
        outcome = deliveries_resend(deliveries=queryset)
        for pk in outcome.queued:
            transaction.on_commit(lambda pk=pk: send_digest_task.delay(pk))
        ids = outcome.queued
        message = f"Queued {len(ids)} deliver{'y' if len(ids) == 1 else 'ies'} to send again."
        if outcome.unsubscribed:
            message += f" {outcome.unsubscribed} of unsubscribed (inactive) addresses left alone."
        if outcome.done:
            message += (
                f" {outcome.done} sent or empty one(s) left alone: a digest is never sent twice."
            )
        if outcome.sending:
            message += f" {outcome.sending} being sent right now, left to the worker sending it."
        self.message_user(request, message, messages.SUCCESS if ids else messages.WARNING)
