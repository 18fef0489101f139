"""The REST API of tasks."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from config.api.schema import described
from config.api.viewsets import ServiceModelViewSet
from tracker.workspace.api import filters, serializers
from tracker.workspace.models import Task
from tracker.workspace.services import task_save, tasks_mark_done


@described(
    list="Tasks, the soonest due first (or `ordering`: `due_on`, `created_at`, `updated_at`, "
    "`done_at`, `-` for descending). Filter by `assignee` (a user id, or `me`), `done` "
    "(true/false), `due_after`/`due_before` (YYYY-MM-DD), `person`, `letter`, `campaign` (id "
    "or slug) and `origin` (`manual`, or the follow-ups Vigil makes: `chase`, `legal_limit`, "
    "`hearing`).",
    create="Add a task: `title` and `due_on` are required; link it to at most one of "
    "`person` (a case), `letter` or `campaign`. `done: true` adds it done.",
    retrieve="One task, with who made it and, once done, who did it and when.",
    update="Change a task, sending every required field; PATCH sends only what changes. "
    "`done: true` marks it done by you now (a task done already keeps who did it); `done: "
    "false` opens it again.",
    partial_update="Change only the fields sent; `done: true` marks the task done by you now.",
    destroy="Delete a task.",
    bulk_done="Mark many tasks done by you, now, in one call (the admin's \"Mark the selected "
    'tasks done" runs the same service): `{"tasks": [ids]}`. Tasks done already are left '
    "as they were and listed under `already_done`; an unknown id is a 400 naming it. Each task "
    "marked gets a History row naming you.\n\nPermission: `tracker.change_task`.",
)
class TaskViewSet(ServiceModelViewSet):
    queryset = Task.objects.select_related("assignee", "done_by", "created_by").order_by(
        "due_on", "pk"
    )
    serializer_class = serializers.TaskSerializer
    filterset_class = filters.TaskFilter
    save_service = staticmethod(task_save)
    instance_kwarg = "task"

    def perform_create(self, serializer):
        serializer.instance = task_save(user=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = task_save(
            task=serializer.instance, user=self.request.user, **serializer.validated_data
        )

    @extend_schema(
        summary="Mark tasks done",
        request=serializers.TasksBulkDoneSerializer,
        responses={200: serializers.TasksBulkDoneResultSerializer},
    )
    @action(detail=False, methods=["post"], url_path="bulk/done", filterset_class=None)
    def bulk_done(self, request):
        # Model permissions would ask for add_task (a POST); marking done changes tasks.
        if not request.user.has_perm("tracker.change_task"):
            raise PermissionDenied("Marking tasks done needs permission to change tasks.")
        given = serializers.TasksBulkDoneSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        ids = set(given.validated_data["tasks"])
        unknown = sorted(ids - set(Task.objects.filter(pk__in=ids).values_list("pk", flat=True)))
        if unknown:
            raise ValidationError({"tasks": [f"No task has the id {pk}." for pk in unknown]})
        outcome = tasks_mark_done(tasks=ids, user=request.user)
        return Response(
            {"done": outcome.done, "already_done": outcome.already_done}, status=status.HTTP_200_OK
        )
