"""How the REST API shows the access log (read-only)."""

from config.api.serializers import StrictModelSerializer
from tracker.accesslog.models import AccessRecord


class AccessRecordSerializer(StrictModelSerializer):
    """One sign-in, failed sign-in, export, download or view of restricted fields."""

    class Meta:
        model = AccessRecord
        fields = [
            "id",
            "at",
            "user",
            "username",
            "action",
            "interface",
            "ip_address",
            "model",
            "object_id",
            "object_repr",
            "details",
        ]
        read_only_fields = fields
