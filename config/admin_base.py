"""The base of every Vigil admin: the theme's (django-unfold's) ModelAdmin, whose lists count
up to a cap (config/admin_counts.py). config.admin_theme mixes it into the other libraries'
admins it registers again; tests/test_admin_counts.py checks that every registered admin has
it. (Not in config/admin_counts.py, a template library the theme's admin module loads while
it is itself being imported.)"""

from unfold.admin import ModelAdmin as ThemeModelAdmin

from config.admin_counts import BoundedCountMixin


class ModelAdmin(BoundedCountMixin, ThemeModelAdmin):
    pass
