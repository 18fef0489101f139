from django.apps import AppConfig


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = "Case tracker"

    def ready(self):
        # Sign-ins reach the access log only through Django's auth signals (see the module).
        from tracker.accesslog import signin

        signin.connect()
