from django.contrib.auth import get_user_model
from rest_framework import serializers

from config.api.serializers import StrictModelSerializer
from tracker.workspace.models import Task


class TaskSerializer(StrictModelSerializer):
    """A task. `done` is writable: true marks it done by the user who sends it (now), false
    opens it again; `done_at` and `done_by` say when and by whom."""

    done = serializers.BooleanField(required=False)
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(is_staff=True),
        allow_null=True,
        required=False,
        help_text="The staff member's user id; null: nobody yet.",
    )

    class Meta:
        model = Task
        fields = [
            "id",
            "title",
            "notes",
            "due_on",
            "assignee",
            "done",
            "done_at",
            "done_by",
            "person",
            "letter",
            "campaign",
            "origin",
            "follow_up_key",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "done_at",
            "done_by",
            "origin",
            "follow_up_key",
            "created_by",
            "created_at",
            "updated_at",
        ]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["done"] = instance.done_at is not None
        return data

    def validate(self, attrs):
        links = ("person", "letter", "campaign")
        merged = {name: getattr(self.instance, name, None) for name in links}
        merged.update({name: attrs[name] for name in links if name in attrs})
        if sum(value is not None for value in merged.values()) > 1:
            raise serializers.ValidationError(
                {"non_field_errors": ["Link a task to one case, letter or campaign at most."]}
            )
        return attrs


class TasksBulkDoneSerializer(serializers.Serializer):
    tasks = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        allow_empty=False,
        max_length=1000,
        help_text="The ids of the tasks to mark done (at most 1000).",
    )


class TasksBulkDoneResultSerializer(serializers.Serializer):
    done = serializers.ListField(
        child=serializers.IntegerField(), help_text="The tasks marked done now."
    )
    already_done = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="The tasks that were done already, left as they were.",
    )
