from django.apps import AppConfig
from django.db.models.signals import post_migrate


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = "Case tracker"

    def ready(self):
        # Sign-ins reach the access log only through Django's auth signals (see the module).
        from tracker.accesslog import signin

        signin.connect()
        # The mail provider's bounce and complaint reports (django-anymail's webhooks): thin
        # glue to tracker.digests.feedback's service.
        from anymail.signals import tracking

        from tracker.digests.feedback import on_tracking

        tracking.connect(on_tracking, dispatch_uid="tracker.digests.feedback")
        post_migrate.connect(keep_case_summaries, sender=self)


def keep_case_summaries(*, using, **kwargs) -> None:
    """After every migrate: the triggers of CaseCount and CaseDates (tracker/cases/summaries.py)
    as the code writes them, reinstalled (the tables rebuilt from the cases) when they are not.
    On SQLite a later migration that rebuilds a table of cases, events or limits (adding a
    field with a default does) drops its triggers with the old table; this puts them back
    before anyone reads the dashboard."""
    from django.db import connections

    from tracker.cases import summaries

    connection = connections[using]
    if "tracker_casecount" not in connection.introspection.table_names():
        return  # migrated to before the summaries existed
    if summaries.installed(connection) != summaries.expected(connection.vendor):
        with connection.schema_editor() as editor:
            summaries.install(editor)
