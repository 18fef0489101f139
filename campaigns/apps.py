from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = "Campaigns and letters"

    def ready(self) -> None:
        from django.db.models import CharField
        from django.db.models.functions import Lower

        # `name__lower="église"`: the same case folding as the Lower("name") constraints.
        CharField.register_lookup(Lower)
