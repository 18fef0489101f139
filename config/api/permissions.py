from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import DjangoModelPermissions


class ModelPermissions(DjangoModelPermissions):
    """Django's model permissions for every method, reads included: a user without
    `view_<model>` gets 403 on GET, not the data."""

    perms_map = {
        **DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
    }


def require_permissions(request, names, why: str) -> None:
    """A 403 saying `why` unless the user has every one of `names`: for actions whose model
    permission would be the wrong one (a POST that adds no record, such as a bulk change)."""
    if not request.user.has_perms(names):
        raise PermissionDenied(why)
