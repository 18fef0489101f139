"""Vigil's admin site: Django's, with a two-factor login and 2FA required where set.

Staff sign in at /admin/login/ with django-two-factor-auth's login: user name and password
(checked against the lockout by django-axes), then a token from their authenticator app or a
recovery code when their account has two-factor authentication on. Sessions that did not give
that token do not reach the admin, and with REQUIRE_2FA (production) no staff account reaches
it before setting 2FA up.
"""

from functools import partial

from django.conf import settings
from django.contrib.admin.apps import AdminConfig
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.functional import SimpleLazyObject
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from unfold.sites import UnfoldAdminSite


class VigilAdminSite(UnfoldAdminSite):
    """django-unfold's site (its sidebar, settings UNFOLD) with Vigil's login."""

    site_header = "Vigil"
    site_title = "Vigil"
    index_title = "Campaigns and cases"
    # Vigil has no public site: no "View site" link in the admin's header. (`/` leads to the
    # admin.)
    site_url = None

    def index(self, request, extra_context=None):
        """The home page: the dashboard (tracker/workspace/dashboard.py) above the list of
        records, for staff who may read cases."""
        from tracker.workspace.dashboard import dashboard

        context = dict(extra_context or {})
        if request.user.has_perm("tracker.view_detainedperson"):
            context.setdefault("dashboard", dashboard(user=request.user))
        return super().index(request, context)

    def get_app_list(self, request, app_label=None):
        """Every registered list the user may see, built when a page reads it: the index
        and an app's page do, but the pages with the sidebar (every other page; Django
        puts this in each page's context as `available_apps`) do not, and building it
        reverses every admin URL and checks every permission."""
        return SimpleLazyObject(partial(super().get_app_list, request, app_label))

    def each_context(self, request):
        from tracker.workspace.search import searchable_kinds

        context = super().each_context(request)
        # The search box in every admin page's header (templates/admin/base_site.html).
        context["may_search"] = bool(searchable_kinds(request.user))
        return context

    def search(self, request, extra_context=None):
        """/admin/search/: the search for everything (tracker/workspace/views.py), or, asked
        with `s`, the theme's filter of the sidebar's menu (which it fetches from here)."""
        if "s" in request.GET:
            return super().search(request, extra_context)
        from tracker.workspace.views import search_page

        return search_page(request, admin_site=self)

    def has_permission(self, request) -> bool:
        if not super().has_permission(request):
            return False
        return not second_factor_missing(request)

    @method_decorator(never_cache)
    def login(self, request, extra_context=None):
        """The two-factor login; a staff member signed in without the second factor it needs
        is sent on to give it (or, with REQUIRE_2FA, to set 2FA up first)."""
        # django-two-factor-auth's login, which also records a wrong token in the access log.
        from tracker.accesslog.signin import LoginView

        next_url = request.POST.get(REDIRECT_FIELD_NAME, request.GET.get(REDIRECT_FIELD_NAME))
        if not next_url or not url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            next_url = reverse("admin:index", current_app=self.name)
        if request.method == "GET" and self.has_permission(request):
            return HttpResponseRedirect(next_url)
        if needs_2fa_setup(request.user):
            return redirect("two_factor:setup")
        request.current_app = self.name
        context = {**self.each_context(request), "title": "Log in", **(extra_context or {})}
        return LoginView.as_view(extra_context=context)(request)


def needs_2fa_setup(user) -> bool:
    """A staff member who must set 2FA up before using the admin."""
    from two_factor.utils import default_device

    return bool(
        settings.REQUIRE_2FA
        and user.is_authenticated
        and user.is_active
        and user.is_staff
        and not default_device(user)
    )


def second_factor_missing(request) -> bool:
    """Signed in without the token that the account (or REQUIRE_2FA) asks for. The one rule:
    the admin site (every admin page), the API's session authentication
    (config/api/authentication.py) and the enrolment check (config/enrolment.py) call it.

    An admin page asks several times (the view's guard, the page's context, the sidebar);
    the user's devices are read once a request."""
    from two_factor.utils import default_device

    user = request.user
    if user.is_verified():
        return False
    if settings.REQUIRE_2FA:
        return True
    known = getattr(request, "_vigil_device_known", None)
    if known is None or known[0] != user.pk:
        known = (user.pk, default_device(user) is not None)
        request._vigil_device_known = known
    return known[1]


class VigilAdminConfig(AdminConfig):
    default_site = "config.admin_site.VigilAdminSite"

    def ready(self):
        super().ready()
        # After every app's admin module: the login attempts, with an "Unlock" action, and the
        # other libraries' pages (users, groups, devices, tokens) in the theme's classes.
        from config import admin_theme, lockout

        lockout.register()
        admin_theme.register()
