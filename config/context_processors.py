from django.conf import settings


def staff_site(request) -> dict:
    """The admin's names for the pages that are not its own views (two-factor login and setup,
    the lockout page), and whether every staff member must have 2FA (REQUIRE_2FA).

    The two-factor pages, and the lockout page (django-axes renders it in answer to a login),
    also get the admin's whole context: the theme (django-unfold) draws its look from it (colours,
    the stylesheet, the icon) and, on the account page, its header and sidebar. The admin's own
    views pass that context themselves."""
    from django.contrib import admin

    context = {
        "site_header": admin.site.site_header,
        "site_title": admin.site.site_title,
        "require_2fa": settings.REQUIRE_2FA,
    }
    match = getattr(request, "resolver_match", None)
    if match is not None and (
        match.namespace == "two_factor"
        or (match.namespace == admin.site.name and match.url_name == "login")
    ):
        context = {**admin.site.each_context(request), **context}
    return context
