"""Who may read which records, asked the one way everywhere a page shows records of a model
other than its own (the dashboard's panels, a case's summary)."""

from django.db.models import Model


def may_view(user, model: type[Model]) -> bool:
    """The admin's rule for a model's list: its view permission, or its change permission,
    which includes viewing (ModelAdmin.has_view_permission)."""
    opts = model._meta
    return user.has_perm(f"{opts.app_label}.view_{opts.model_name}") or user.has_perm(
        f"{opts.app_label}.change_{opts.model_name}"
    )
