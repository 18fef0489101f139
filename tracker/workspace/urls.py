"""Public pages of the workspace, mounted at /tasks/ (config/urls.py): the link in the morning
email of tasks that turns it off or on."""

from django.urls import path

from tracker.workspace.reminder_links import task_reminders

app_name = "workspace"

urlpatterns = [
    path("reminders/<str:token>/", task_reminders, name="task_reminders"),
]
