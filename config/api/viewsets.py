from collections.abc import Callable
from typing import Any

from rest_framework import exceptions, viewsets


class ApiViewMixin:
    """What every API viewset shares: numeric ids in URLs, and throttling that counts refused
    requests too."""

    lookup_value_regex = "[0-9]+"

    def initial(self, request, *args, **kwargs):
        # DRF throttles only after authentication and permissions have passed, so refused
        # requests (no token, a guessed token, no permission) were never counted: a client
        # could guess tokens for ever. Count them as well; a request that passes is counted
        # once, inside super().initial().
        try:
            super().initial(request, *args, **kwargs)
        except (
            exceptions.NotAuthenticated,
            exceptions.AuthenticationFailed,
            exceptions.PermissionDenied,
        ):
            self.check_throttles(request)
            raise


class ServiceModelViewSet(ApiViewMixin, viewsets.ModelViewSet):
    """A model viewset whose writes go through the app's services (set them with
    `staticmethod(...)`).

    `save_service(**validated_data)` creates; `save_service(<instance_kwarg>=obj, **data)`
    updates; `delete_service(<instance_kwarg>=obj)` deletes (default: the model's delete, whose
    ProtectedError becomes a 409 in config.api.errors)."""

    save_service: Callable[..., Any]
    delete_service: Callable[..., Any] | None = None
    instance_kwarg: str

    def perform_create(self, serializer):
        serializer.instance = self.save_service(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = self.save_service(
            **{self.instance_kwarg: serializer.instance}, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        if self.delete_service is None:
            instance.delete()
        else:
            self.delete_service(**{self.instance_kwarg: instance})
