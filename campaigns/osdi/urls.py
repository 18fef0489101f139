"""/api/osdi/v1/: OSDI's addresses, with or without a trailing slash (OSDI clients write them
without, as Action Network does)."""

from django.urls import re_path

from campaigns.osdi import views

app_name = "osdi"

ID = r"(?P<pk>[0-9]+)"

urlpatterns = [
    re_path(r"^$", views.EntryPoint.as_view(), name="entry-point"),
    re_path(r"^people/?$", views.collection_view(views.PEOPLE), name="people"),
    re_path(rf"^people/{ID}/?$", views.item_view(views.PEOPLE), name="person"),
    re_path(
        rf"^people/{ID}/signatures/?$",
        views.collection_view(views.SIGNATURES, parent="person"),
        name="person-signatures",
    ),
    re_path(r"^petitions/?$", views.collection_view(views.PETITIONS), name="petitions"),
    re_path(rf"^petitions/{ID}/?$", views.item_view(views.PETITIONS), name="petition"),
    re_path(
        rf"^petitions/{ID}/signatures/?$",
        views.collection_view(views.SIGNATURES, parent="petition"),
        name="petition-signatures",
    ),
    re_path(
        rf"^petitions/{ID}/responses/?$",
        views.collection_view(views.RESPONSES, parent="petition"),
        name="petition-responses",
    ),
    re_path(r"^signatures/?$", views.collection_view(views.SIGNATURES), name="signatures"),
    re_path(rf"^signatures/{ID}/?$", views.item_view(views.SIGNATURES), name="signature"),
    re_path(rf"^responses/{ID}/?$", views.item_view(views.RESPONSES), name="response"),
    re_path(
        r"^advocacy_campaigns/?$",
        views.collection_view(views.ADVOCACY_CAMPAIGNS),
        name="advocacy_campaigns",
    ),
    re_path(
        rf"^advocacy_campaigns/{ID}/?$",
        views.item_view(views.ADVOCACY_CAMPAIGNS),
        name="advocacy-campaign",
    ),
    re_path(
        rf"^advocacy_campaigns/{ID}/outreaches/?$",
        views.collection_view(views.OUTREACHES, parent="advocacy_campaign"),
        name="advocacy-campaign-outreaches",
    ),
    re_path(r"^outreaches/?$", views.collection_view(views.OUTREACHES), name="outreaches"),
    re_path(rf"^outreaches/{ID}/?$", views.item_view(views.OUTREACHES), name="outreach"),
]
