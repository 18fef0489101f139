from django.contrib import admin
from django.urls import path

from config.health import health

admin.site.site_header = "Vigil"
admin.site.site_title = "Vigil staff"
admin.site.index_title = "Campaigns and cases"

urlpatterns = [
    path("health/", health, name="health"),
    path("admin/", admin.site.urls),
]
