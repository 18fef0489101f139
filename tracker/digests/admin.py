"""Staff pages of the email digests: subscriptions and each digest sent."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import ngettext
from unfold.contrib.filters.admin import (
    BooleanRadioFilter,
    ChoicesDropdownFilter,
    RelatedDropdownFilter,
)

from config.admin_base import ModelAdmin
from config.formats import staff_datetime
from config.history import HistoryAdmin
from tracker.digests.email import render_digest_email
from tracker.digests.models import DigestDelivery, Subscription, SuppressedAddress
from tracker.digests.sending import deliveries_resend, digest_preview, digests_send_now
from tracker.digests.services import subscription_save
from tracker.digests.suppression import suppression_lift
from tracker.tasks import queue_digest_batches


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
    list_filter = [
        ("frequency", ChoicesDropdownFilter),
        ("active", BooleanRadioFilter),
        ("include_unreviewed", BooleanRadioFilter),
        ("campaigns", RelatedDropdownFilter),
    ]
    search_fields = ["email"]
    autocomplete_fields = ["user", "campaigns", "persons"]
    readonly_fields = ["next_digest"]
    fieldsets = [
        (None, {"fields": ["email", "user", "frequency", "active"]}),
        (
            "What it covers",
            {"classes": ["tab"], "fields": ["campaigns", "persons", "include_unreviewed"]},
        ),
        ("Next digest", {"classes": ["tab"], "fields": ["next_digest"]}),
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

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or not self.has_preview_permission(request, obj):
            fieldsets = [(name, o) for name, o in fieldsets if "next_digest" not in o["fields"]]
        return fieldsets

    def _preview_url(self, obj) -> str:
        return reverse("admin:tracker_subscription_preview", args=[obj.pk])

    @admin.display(description="next digest")
    def preview_link(self, obj):
        return format_html('<a href="{}">preview</a>', self._preview_url(obj))

    @admin.display(description="next digest")
    def next_digest(self, obj):  # (get_fields leaves it out of the add form)
        return format_html(
            '<a href="{}">Preview the digest this address would get if it were sent now, '
            "and send it now from there</a>",
            self._preview_url(obj),
        )

    def get_urls(self):
        preview = path(
            "<path:object_id>/preview/",
            self.admin_site.admin_view(self.preview_view),
            name="tracker_subscription_preview",
        )
        send = path(
            "<path:object_id>/send/",
            self.admin_site.admin_view(self.send_now_view),
            name="tracker_subscription_send",
        )
        return [preview, send, *super().get_urls()]

    def send_now_view(self, request, object_id):
        """ "Send now" (a POST from the preview page): the subscription's digest, through the
        same service as `manage.py send_digests`, then back to the preview with what happened.
        Sending twice sends the second time only what is new since the first."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        subscription = self.get_object(request, unquote(object_id))
        if subscription is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_preview_permission(request, subscription):
            raise PermissionDenied
        back = HttpResponseRedirect(self._preview_url(subscription))
        if not subscription.active:
            self.message_user(
                request,
                "Nothing was sent: this subscription is inactive (unsubscribed).",
                messages.WARNING,
            )
            return back
        suppression = SuppressedAddress.objects.in_force().filter(email=subscription.email).first()
        if suppression is not None:
            self.message_user(
                request,
                f"Nothing was sent: this address is suppressed ({suppression.get_reason_display()}"
                f" reported {suppression.created_at:%Y-%m-%d}). Lift it in the list of "
                "suppressed addresses to send to it again.",
                messages.WARNING,
            )
            return back
        outcomes = digests_send_now(frequency=subscription.frequency, email=subscription.email)
        if not outcomes:
            self.message_user(request, "Nothing was due: nothing was sent.", messages.WARNING)
        for outcome in outcomes:
            level, text = self._send_outcome_message(subscription, outcome)
            self.message_user(request, text, level)
        return back

    def _send_outcome_message(self, subscription, outcome) -> tuple[int, str]:
        delivery = reverse("admin:tracker_digestdelivery_change", args=[outcome.delivery_id])
        status = outcome.status
        if status == DigestDelivery.Status.SENT:
            return messages.SUCCESS, format_html(
                'Sent the digest to {} (<a href="{}">delivery</a>).', subscription.email, delivery
            )
        if status == DigestDelivery.Status.EMPTY:
            return messages.INFO, format_html(
                'Nothing new since the last digest: no email was sent (<a href="{}">recorded '
                "as empty</a>).",
                delivery,
            )
        if status == DigestDelivery.Status.FAILED:
            return messages.ERROR, format_html(
                'Sending failed: {}. It is recorded on <a href="{}">the delivery</a>, which '
                "is tried again later.",
                outcome.error,
                delivery,
            )
        if status == "held":
            return messages.WARNING, format_html(
                'This digest is being sent right now by another worker (<a href="{}">'
                "delivery</a>): nothing more was sent.",
                delivery,
            )
        return messages.WARNING, format_html(
            'Nothing was sent: <a href="{}">this digest</a> is done already.', delivery
        )

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
            "send_url": reverse("admin:tracker_subscription_send", args=[subscription.pk]),
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
class DigestDeliveryAdmin(ModelAdmin):
    """What went to whom, for which period, and what failed. Deliveries are made and sent by
    the digest tasks; staff can only look, and queue failed ones again."""

    list_display = [
        "subscription",
        "period_start",
        "period_end",
        "status",
        "attempts",
        "sent_at",
        "feedback",
        "error",
    ]
    list_filter = [
        ("status", ChoicesDropdownFilter),
        ("feedback", ChoicesDropdownFilter),
        ("subscription__frequency", ChoicesDropdownFilter),
    ]
    list_filter_submit = True
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
        "feedback",
        "feedback_at",
        "feedback_detail",
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
        if outcome.queued:
            transaction.on_commit(lambda ids=outcome.queued: queue_digest_batches(ids))
        ids = outcome.queued
        message = ngettext(
            "Queued %d delivery to send again.", "Queued %d deliveries to send again.", len(ids)
        ) % len(ids)
        if outcome.unsubscribed:
            message += (
                f" {outcome.unsubscribed} of unsubscribed (inactive) or suppressed addresses "
                "left alone."
            )
        if outcome.done:
            message += (
                ngettext(
                    " %d sent or empty one left alone: a digest is never sent twice.",
                    " %d sent or empty ones left alone: a digest is never sent twice.",
                    outcome.done,
                )
                % outcome.done
            )
        if outcome.sending:
            message += f" {outcome.sending} being sent right now, left to the worker sending it."
        self.message_user(request, message, messages.SUCCESS if ids else messages.WARNING)


@admin.register(SuppressedAddress)
class SuppressedAddressAdmin(HistoryAdmin):
    """Addresses no digest goes to: the mail provider reported a hard bounce, a spam complaint
    or an unsubscribe (tracker/digests/feedback.py). Staff review them and, with the
    permission to change suppressed addresses, lift them; nobody edits one."""

    list_display = ["email", "reason", "created_at", "provider", "delivery_link", "lifted"]
    list_filter = [("reason", ChoicesDropdownFilter), ("lifted_at", admin.EmptyFieldListFilter)]
    list_select_related = ["lifted_by"]
    search_fields = ["email"]
    fields = [
        "email",
        "reason",
        "detail",
        "provider",
        "delivery_link",
        "created_at",
        "lifted_at",
        "lifted_by",
    ]
    readonly_fields = fields
    actions = ["lift"]

    @admin.display(description="digest")
    def delivery_link(self, obj):
        if obj.delivery_id is None:
            return "-"
        url = reverse("admin:tracker_digestdelivery_change", args=[obj.delivery_id])
        return format_html('<a href="{}">the digest reported</a>', url)

    @admin.display(description="lifted", ordering="lifted_at")
    def lifted(self, obj):
        if obj.lifted_at is None:
            return "-"
        return f"{staff_datetime(obj.lifted_at)} by {obj.lifted_by or 'someone since deleted'}"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # A suppression is lifted (recorded: who, when), never deleted: it is the record of a
        # bounce or a complaint.
        return False

    def has_lift_permission(self, request) -> bool:
        return request.user.has_perm(f"{self.opts.app_label}.change_{self.opts.model_name}")

    @admin.action(description="Lift: send digests to these addresses again", permissions=["lift"])
    def lift(self, request, queryset):
        lifted = 0
        for suppression in queryset.filter(lifted_at__isnull=True):
            suppression_lift(suppression=suppression, user=request.user)
            lifted += 1
        message = (
            ngettext(
                "Lifted %d suppression: the address gets digests again from the next run.",
                "Lifted %d suppressions: the addresses get digests again from the next run.",
                lifted,
            )
            % lifted
        )
        self.message_user(request, message, messages.SUCCESS if lifted else messages.WARNING)
