from django.conf import settings


def staff_site(request) -> dict:
    """The admin's names for the pages that are not its own views (two-factor login and setup,
    the lockout page), and whether every staff member must have 2FA (REQUIRE_2FA)."""
    from django.contrib import admin

    return {
        "site_header": admin.site.site_header,
        "site_title": admin.site.site_title,
        "require_2fa": settings.REQUIRE_2FA,
    }
