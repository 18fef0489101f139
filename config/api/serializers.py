from rest_framework import serializers


class StrictModelSerializer(serializers.ModelSerializer):
    """Rejects fields the resource does not have (a typo is an error, not a silent no-op)
    and read-only fields sent as if they could be written."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            unknown = sorted(set(data) - writable)
            if unknown:
                raise serializers.ValidationError(
                    {name: ["Unknown or read-only field."] for name in unknown}
                )
        return super().to_internal_value(data)


class StringListField(serializers.ListField):
    """A JSON list of non-blank strings (aliases, context terms)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("child", serializers.CharField(max_length=200, allow_blank=False))
        kwargs.setdefault("max_length", 100)
        super().__init__(**kwargs)
