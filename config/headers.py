"""The Permissions-Policy header, which Django has no setting for (README "Security")."""

from django.conf import settings


class PermissionsPolicyMiddleware:
    """Adds settings.PERMISSIONS_POLICY (feature: allowed origins, empty for none) to every
    answer: Vigil uses no camera, microphone, location or payment, so no page, and nothing
    injected into one, may ask the browser for them."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=({' '.join(origins)})"
            for feature, origins in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", self.header)
        return response
