"""Staff pages for tasks: their list (filters: mine, due, done), a task's page, the tasks of a
case, letter or campaign on its page (TaskInline), "Mark done" for the selected tasks (with a
confirmation page), the morning reminders sent, and each staff member's preferences."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html
from unfold.admin import TabularInline
from unfold.contrib.filters.admin import ChoicesDropdownFilter, RelatedDropdownFilter

from config.admin_base import ModelAdmin
from config.formats import staff_date
from config.history import HistoryAdmin
from tracker.admin_widgets import (
    OneEmptyFormMixin,
    PreloadedChoicesFormSetMixin,
    QuickTabularInline,
    preloaded_autocomplete,
)
from tracker.workspace.models import StaffPreference, Task, TaskReminder
from tracker.workspace.reminder_links import reminders_wanted, staff_preference_set
from tracker.workspace.services import task_save, tasks_mark_done


class TaskForm(forms.ModelForm):
    """A task's fields, and "done": ticked, the task is marked done by whoever saves it (now);
    cleared, it is open again."""

    done = forms.BooleanField(required=False)

    class Meta:
        model = Task
        fields = ["title", "due_on", "assignee", "person", "letter", "campaign", "notes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["done"].initial = self.instance.is_done


class MineFilter(admin.SimpleListFilter):
    title = "assigned to"
    parameter_name = "mine"

    def lookups(self, request, model_admin):
        return [("yes", "Me"), ("unassigned", "Nobody")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(assignee=request.user)
        if self.value() == "unassigned":
            return queryset.filter(assignee__isnull=True)
        return queryset


class DoneFilter(admin.SimpleListFilter):
    """Open tasks by default: a list of work to do, not of work done."""

    title = "state"
    parameter_name = "done"

    def lookups(self, request, model_admin):
        return [
            ("open", "Open"),
            ("due", "Due today or overdue"),
            ("overdue", "Overdue"),
            ("done", "Done"),
            ("all", "All"),
        ]

    def choices(self, changelist):
        value = self.value() or "open"
        for lookup, title in self.lookup_choices:
            yield {
                "selected": value == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        today = timezone.localdate()
        value = self.value() or "open"
        if value == "open":
            return queryset.open()
        if value == "due":
            return queryset.due_by(today)
        if value == "overdue":
            return queryset.open().filter(due_on__lt=today)
        if value == "done":
            return queryset.done()
        return queryset


@admin.register(Task)
class TaskAdmin(HistoryAdmin):
    form = TaskForm
    list_display = ["title", "due_on", "assignee", "about", "state", "origin"]
    list_filter = [
        MineFilter,
        DoneFilter,
        ("assignee", RelatedDropdownFilter),
        ("origin", ChoicesDropdownFilter),
    ]
    list_select_related = ["assignee", "done_by", "person", "letter", "campaign"]
    search_fields = ["title", "notes", "person__name", "letter__title", "campaign__name"]
    autocomplete_fields = ["assignee", "person", "letter", "campaign"]
    date_hierarchy = "due_on"
    ordering = ["due_on", "id"]
    actions = ["mark_done"]
    fields = [
        "title",
        "due_on",
        "assignee",
        "done",
        "person",
        "letter",
        "campaign",
        "notes",
        "origin",
        "created_by",
        "done_at",
        "done_by",
    ]
    readonly_fields = ["origin", "created_by", "done_at", "done_by"]

    @admin.display(description="about")
    def about(self, obj):
        return obj.linked or "—"

    @admin.display(description="state")
    def state(self, obj):
        if obj.is_done:
            return f"Done {staff_date(obj.done_at.date())} by {obj.done_by or '—'}"
        if obj.due_on < timezone.localdate():
            return format_html('<strong class="text-red-600">{}</strong>', "Overdue")
        return "Open"

    def get_changeform_initial_data(self, request):
        # A new task is the author's own unless they give it to someone else.
        return {"assignee": request.user.pk, **super().get_changeform_initial_data(request)}

    def save_model(self, request, obj, form, change):
        if "done" in form.changed_data:
            # "done" is the form's, not a model field: HistoryAdmin would take a save that
            # changes only it for one that changes nothing, and record no version.
            obj.__dict__.pop("skip_history_when_saving", None)
        task_save(task=obj, user=request.user, done=form.cleaned_data.get("done"))

    @admin.action(description="Mark the selected tasks done", permissions=["change"])
    def mark_done(self, request, queryset):
        if request.POST.get("post") == "yes":
            outcome = tasks_mark_done(tasks=queryset, user=request.user)
            already = len(outcome.already_done)
            note = f"; {already} were done already." if already else "."
            self.message_user(
                request, f"{len(outcome.done)} task(s) marked done{note}", messages.SUCCESS
            )
            return None
        tasks = list(queryset.select_related("assignee", "done_by").order_by("due_on", "pk"))
        context = {
            **self.admin_site.each_context(request),
            "title": "Mark these tasks done?",
            "opts": self.model._meta,
            "to_mark": [task for task in tasks if not task.is_done],
            "already_done": [task for task in tasks if task.is_done],
            "tasks": tasks,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/tracker/task/mark_done_confirmation.html", context)


class TaskInlineFormSet(OneEmptyFormMixin, PreloadedChoicesFormSetMixin, BaseInlineFormSet):
    """Saves each task through task_save, as the user who saves the page.

    A page posted without its Tasks block (opened before tasks existed, or posted by a script
    that knows only the record's own fields) saves the rest and changes no task, rather than
    failing on the block's missing management form."""

    user = None
    preloaded_fields = ("assignee",)

    def full_clean(self):
        if self.is_bound and f"{self.prefix}-TOTAL_FORMS" not in self.data:
            self._errors = []
            self._non_form_errors = self.error_class(error_class="nonform", renderer=self.renderer)
            return
        super().full_clean()

    def save_new(self, form, commit=True):
        task = form.save(commit=False)
        setattr(task, self.fk.name, self.instance)
        return task_save(task=task, user=self.user, done=form.cleaned_data.get("done"))

    def save_existing(self, form, obj, commit=True):
        return task_save(
            task=form.save(commit=False), user=self.user, done=form.cleaned_data.get("done")
        )


class TaskInlineForm(TaskForm):
    class Meta(TaskForm.Meta):
        fields = ["title", "due_on", "assignee"]


class TaskInline(QuickTabularInline, TabularInline):
    """The tasks of a case, a letter or a campaign, on its page: open ones first."""

    model = Task
    form = TaskInlineForm
    formset = TaskInlineFormSet
    fields = ["title", "due_on", "assignee", "done"]
    autocomplete_fields = ["assignee"]
    extra = 0
    ordering = ["done_at", "due_on", "id"]
    tab = True

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.user = request.user
        return formset

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("assignee")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs = preloaded_autocomplete(self, db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(TaskReminder)
class TaskReminderAdmin(ModelAdmin):
    """The morning emails of tasks: who, which day, and what became of each. Read only."""

    list_display = ["day", "user", "status", "attempts", "sent_at", "last_error"]
    list_filter = [("status", ChoicesDropdownFilter)]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__email"]
    date_hierarchy = "day"
    fields = ["user", "day", "status", "attempts", "sent_at", "message_id", "last_error"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(StaffPreference)
class StaffPreferenceAdmin(HistoryAdmin):
    """Each staff member's choices (the morning email of tasks). Every staff member turns their
    own email off or on from the account menu ("My morning email": `mine_view`) or by the link
    in the email (tracker.workspace.reminder_links); this list is for those with the
    permission to change anyone's."""

    list_display = ["user", "task_reminders"]
    list_filter = ["task_reminders"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__email"]
    autocomplete_fields = ["user"]
    fields = ["user", "task_reminders"]

    def get_readonly_fields(self, request, obj=None):
        return ["user"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        if change:
            staff_preference_set(
                user=obj.user, task_reminders=obj.task_reminders, reason="Changed in the admin"
            )
        else:
            super().save_model(request, obj, form, change)

    def get_urls(self):
        mine = path(
            "mine/",
            self.admin_site.admin_view(self.mine_view),
            name="tracker_staffpreference_mine",
        )
        return [mine, *super().get_urls()]

    def mine_view(self, request):
        """The signed-in staff member's own morning email of tasks: on or off (a POST)."""
        if request.method == "POST":
            wanted = request.POST.get("reminders") == "on"
            staff_preference_set(
                user=request.user, task_reminders=wanted, reason="Changed by its owner"
            )
            state = "on" if wanted else "off"
            self.message_user(request, f"Your morning email of tasks is {state}.", messages.SUCCESS)
            return HttpResponseRedirect(request.path)
        context = {
            **self.admin_site.each_context(request),
            "title": "My morning email of tasks",
            "opts": self.opts,
            "wanted": reminders_wanted(request.user),
            "email": request.user.email,
        }
        return TemplateResponse(request, "admin/tracker/staffpreference/mine.html", context)
