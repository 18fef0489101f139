"""The roles every installation has, kept in step by data migrations.

- Viewer: view every campaign and tracker record (history included) but a case's internal
  notes and documents; no exports, no restricted case fields.
- Editor: view, add, change and delete every campaign and tracker record, and export them;
  history stays read-only for everyone but superusers. No restricted case fields.
- Case officer: everything an Editor may do, and the restricted fields of every case (family
  contact, lawyer, health, sources, internal assessment; tracker.cases.restricted).

Exporting a whole table is a permission of its own (`export_<model>`), apart from viewing.
A migration that adds models calls `sync_roles` again so the roles cover them. The access log
(tracker.AccessRecord) is left out of every role: only superusers read it (README "Security").
"""

from django.contrib.auth.management import create_permissions

ROLE_APPS = ("campaigns", "tracker")
VIEWER, EDITOR, CASE_OFFICER = "Viewer", "Editor", "Case officer"
RESTRICTED_CODENAME = "access_restricted_fields"
# Models of ROLE_APPS whose permissions no role gets: who read and exported what is for
# administrators, not for everyone who may view records.
NOT_FOR_ROLES = ("accessrecord",)
# Models the Viewer does not read: a case's internal notes and documents (family letters,
# verdicts) are for the staff who work the case, Editors and Case officers.
NOT_FOR_VIEWERS = ("casenote", "casedocument", "historicalcasenote", "historicalcasedocument")


def sync_roles(apps, schema_editor=None) -> None:
    # Permissions are normally created after migrate; create them now so they can be granted.
    for app_config in apps.get_app_configs():
        # create_permissions skips an app whose models_module is unset, as it is in a
        # migration's state; put back what was there (the live registry's is a module).
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ours = Permission.objects.filter(content_type__app_label__in=ROLE_APPS).exclude(
        content_type__model__in=NOT_FOR_ROLES
    )
    views = ours.filter(codename__startswith="view_")
    records = ours.exclude(content_type__model__startswith="historical")
    edits = records.filter(codename__regex=r"^(add|change|delete|export)_")
    viewer, _ = Group.objects.get_or_create(name=VIEWER)
    viewer.permissions.set(views.exclude(content_type__model__in=NOT_FOR_VIEWERS))
    editor, _ = Group.objects.get_or_create(name=EDITOR)
    editor.permissions.set(views | edits)
    case_officer, _ = Group.objects.get_or_create(name=CASE_OFFICER)
    case_officer.permissions.set(views | edits | ours.filter(codename=RESTRICTED_CODENAME))
