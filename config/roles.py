"""The two roles every installation has, kept in step by data migrations.

- Viewer: view every campaign and tracker record (history included).
- Editor: view, add, change and delete every campaign and tracker record; history stays
  read-only for everyone but superusers.

A migration that adds models calls `sync_roles` again so the roles cover them.
"""

from django.contrib.auth.management import create_permissions

ROLE_APPS = ("campaigns", "tracker")
VIEWER, EDITOR = "Viewer", "Editor"


def sync_roles(apps, schema_editor=None) -> None:
    # Permissions are normally created after migrate; create them now so they can be granted.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ours = Permission.objects.filter(content_type__app_label__in=ROLE_APPS)
    views = ours.filter(codename__startswith="view_")
    records = ours.exclude(content_type__model__startswith="historical")
    viewer, _ = Group.objects.get_or_create(name=VIEWER)
    viewer.permissions.set(views)
    editor, _ = Group.objects.get_or_create(name=EDITOR)
    editor.permissions.set(views | records.filter(codename__regex=r"^(add|change|delete)_"))
