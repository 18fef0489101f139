"""Browser tests: Playwright for Python driving Debian's Chromium (`apt-get install chromium`;
launched by its path, no browser downloads), headless, against a live server. They skip when
Chromium is missing, unless VIGIL_REQUIRE_BROWSER=1 (as in .ci/run, which installs it)."""

import os
import re
import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("VIGIL_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "browser-failures"


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        if os.environ.get("VIGIL_REQUIRE_BROWSER") == "1":
            pytest.fail(f"no Chromium at {CHROMIUM}: apt-get install chromium")
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread, which Django takes for
    # async code and refuses the ORM in; the test's own database calls are synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def staff_page(browser, live_server, client, django_user_model, request):
    """A page at 1366 x 768, logged in to the admin as a superuser; a screenshot of it is kept
    in var/browser-failures/ when the test fails."""
    user = django_user_model.objects.create_superuser("admin", "admin@example.org", "x")
    client.force_login(user)
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    page.base_url = live_server.url
    yield page
    if getattr(request.node, "failed_call", False):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed:
        item.failed_call = True


@pytest.fixture
def anon_page(browser, live_server):
    """A page at 1366 x 768 on the live server, nobody logged in."""
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    # A step that waits longer than this has failed (the default, 30 s, only makes it slow).
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.base_url = live_server.url
    yield page
    context.close()


@pytest.fixture
def step(request):
    """`with step(page, "name"):` around each named step of a scenario: when the step fails,
    a screenshot of the page is left as var/browser-failures/<test>-<step>.png and the failure
    goes on."""

    @contextmanager
    def run(page, name: str):
        try:
            yield
        except BaseException:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", f"{request.node.name}-{name}")
            page.screenshot(path=str(SCREENSHOTS / f"{slug}.png"), full_page=True)
            raise

    return run
