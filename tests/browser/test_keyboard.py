"""A caseworker who uses only the keyboard (issue 24): from sign-in, reach and fill every field of
a new case, the tabbed ones too, save it, open it, delete a row of its timeline, confirm a mention
in the review queue, filter a list and log out, with Tab, Shift+Tab, Enter, Space and the arrow
keys alone. At every step the focus is visible, and never under the sticky Save bar; every page
starts with a skip link to its one <main>, and names its navigation landmarks."""

from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from tracker.models import CaseEvent, DetainedPerson, Mention
from tracker.workspace.demo import seed_demo

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery staple"
MOST_PRESSES = 400  # Tab presses to reach any one control on the busiest page

# What the focused element is, whether its focus can be seen, and whether the sticky Save bar
# covers it.
FOCUS = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const style = getComputedStyle(el);
    let shown = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0
        || style.boxShadow !== 'none';
    // A control drawn by another (the delete checkbox under its trash icon) shows the focus there.
    const label = el.closest('label') || (el.id && document.querySelector(`label[for="${el.id}"]`));
    if (!shown && label) {
        const ls = getComputedStyle(label);
        shown = ls.outlineStyle !== 'none' && parseFloat(ls.outlineWidth) > 0;
    }
    const box = (label && el.offsetWidth <= 1 ? label : el).getBoundingClientRect();
    const bar = document.querySelector('#submit-row');
    let covered = false;
    if (bar && !bar.contains(el)) {
        const b = bar.getBoundingClientRect();
        covered = b.height > 0 && box.bottom > b.top + 1 && box.top < b.bottom
            && box.right > b.left && box.left < b.right;
    }
    return {
        tag: el.tagName.toLowerCase(), id: el.id, name: el.getAttribute('name') || '',
        text: (el.getAttribute('aria-label') || el.innerText || el.value || '').trim().slice(0, 80),
        value: typeof el.value === 'string' ? el.value : '',
        shown: shown, covered: covered,
    };
}"""


def _focused(page) -> dict | None:
    return page.evaluate(FOCUS)


def tab_to(page, matches, *, backwards: bool = False) -> dict:
    """Press Tab (Shift+Tab backwards) until the focused element satisfies `matches`, checking
    at every stop that the focus is visible and not covered by the Save bar."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(MOST_PRESSES):
        page.keyboard.press(key)
        focus = _focused(page)
        if focus is None:
            continue
        assert focus["shown"], f"focus not visible on {focus}"
        assert not focus["covered"], f"focus hidden under the Save bar: {focus}"
        if matches(focus):
            return focus
    raise AssertionError(f"Tab never reached the control ({'backwards' if backwards else ''})")


def field(name: str):
    return lambda focus: focus["name"] == name


def text(words: str):
    return lambda focus: words.lower() in focus["text"].lower()


def press_enter_and_wait(page) -> None:
    with page.expect_navigation():
        page.keyboard.press("Enter")


def check_skip_link_and_landmarks(page) -> None:
    """The first Tab on the page reaches the skip link; it leads to the one <main>; every
    navigation landmark has a name."""
    # As the page opens (the skip link's own #fragment, followed earlier, would start the
    # keyboard inside <main>).
    page.goto(page.url.split("#")[0])
    page.keyboard.press("Tab")
    first = _focused(page)
    assert first and first["text"] == "Skip to main content", first
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.tagName") == "MAIN"
    assert page.locator("main").count() == 1
    unnamed = page.evaluate(
        """() => [...document.querySelectorAll('nav, [role=navigation]')]
            .filter(n => n.offsetParent !== null || n.closest('#nav-sidebar'))
            .filter(n => !n.getAttribute('aria-label') && !n.getAttribute('aria-labelledby'))
            .map(n => n.id || n.className.slice(0, 40))"""
    )
    assert unnamed == []


def test_a_caseworker_does_the_days_work_by_keyboard_alone(anon_page, django_user_model):
    seed_demo()
    django_user_model.objects.create_superuser("keys", "keys@example.org", PASSWORD)
    page = anon_page
    base = page.base_url

    # Sign in.
    page.goto(base + reverse("admin:login"))
    check_skip_link_and_landmarks(page)
    tab_to(page, field("auth-username"))
    page.keyboard.type("keys")
    tab_to(page, field("auth-password"))
    page.keyboard.type(PASSWORD)
    press_enter_and_wait(page)
    assert urlsplit(page.url).path == reverse("admin:index")
    check_skip_link_and_landmarks(page)

    # A new case: every field, the tabbed ones too, reached by Tab.
    page.goto(base + reverse("admin:tracker_detainedperson_add"))
    check_skip_link_and_landmarks(page)
    tab_to(page, field("name"))
    page.keyboard.type("Keyboard Case")
    tab_to(page, field("native_name"))
    page.keyboard.type("键盘")
    tab_to(page, field("aliases"))
    page.keyboard.type("K. Case")
    tab_to(page, field("status"))
    page.keyboard.press("ArrowDown")
    tab_to(page, field("status_date"))
    page.keyboard.type("2026-01-10")
    tab_to(page, field("publicity"))
    page.keyboard.press("ArrowDown")
    tab_to(page, field("watch_enabled"))
    page.keyboard.press("Space")
    tabs = {
        "Person": [("gender", "ArrowDown"), ("birth_year", "1980"), ("country", "China"),
                   ("occupation", "Lawyer"), ("affiliation", "Fengrui")],
        "Detention": [("detained_on", "2026-01-09"), ("place_of_detention", "Tianjin"),
                      ("charges", "Subversion"), ("sentence", "None yet"),
                      ("summary", "Held for defending clients.")],
        "News watch": [("context_terms", "lawyer")],
    }  # fmt: skip
    for tab, fields in tabs.items():
        # The tab buttons come before their panels: back up to them from a panel's fields.
        try:
            tab_to(page, lambda f, tab=tab: f["tag"] == "button" and f["text"].startswith(tab))
        except AssertionError:
            tab_to(page, lambda f, tab=tab: f["tag"] == "button" and f["text"].startswith(tab),
                   backwards=True)  # fmt: skip
        page.keyboard.press("Enter")
        for name, value in fields:
            tab_to(page, field(name))
            if value == "ArrowDown":
                page.keyboard.press("ArrowDown")
            else:
                page.keyboard.type(value)
    # One row of the timeline, so that there is one to delete.
    tab_to(page, field("events-0-date"))
    page.keyboard.type("2026-01-09")
    tab_to(page, field("events-0-kind"))
    page.keyboard.press("ArrowDown")
    tab_to(page, field("events-0-description"))
    page.keyboard.type("Taken from home.")
    tab_to(page, field("_continue"))
    press_enter_and_wait(page)

    case = DetainedPerson.objects.get(name="Keyboard Case")
    assert case.native_name == "键盘"
    assert case.birth_year == 1980
    assert case.country == "CN"
    assert case.place_of_detention == "Tianjin"
    assert case.summary == "Held for defending clients."
    assert case.context_terms == ["lawyer"]
    assert case.events.filter(description="Taken from home.").count() == 1

    # Open the case from the list, then delete its timeline row.
    page.goto(base + reverse("admin:tracker_detainedperson_changelist"))
    tab_to(page, text("Keyboard Case"))
    press_enter_and_wait(page)
    assert urlsplit(page.url).path == reverse("admin:tracker_detainedperson_change", args=[case.pk])
    row = tab_to(page, lambda f: f["value"] == "Taken from home.")["name"].rsplit("-", 1)[0]
    tab_to(page, field(f"{row}-DELETE"))
    page.keyboard.press("Space")
    tab_to(page, field("_continue"))
    press_enter_and_wait(page)
    assert not CaseEvent.objects.filter(person=case, description="Taken from home.").exists()

    # Confirm a mention from the review queue.
    mention = Mention.objects.filter(status=Mention.Status.NEW).order_by("pk").first()
    page.goto(base + reverse("admin:tracker_mention_change", args=[mention.pk]))
    check_skip_link_and_landmarks(page)
    tab_to(page, field("status"))
    page.keyboard.press("ArrowDown")
    tab_to(page, field("_save"))
    press_enter_and_wait(page)
    mention.refresh_from_db()
    assert mention.status == Mention.Status.CONFIRMED

    # Filter the list of cases by status.
    page.goto(base + reverse("admin:tracker_detainedperson_changelist"))
    tab_to(page, text("Filters"))
    page.keyboard.press("Enter")
    status = tab_to(
        page, lambda f: f["name"] == "status__exact" or "by status" in f["text"].lower()
    )
    if status["tag"] == "select":  # a plain select: the arrows choose
        page.keyboard.press("ArrowDown")
        page.keyboard.press("ArrowDown")
    else:  # an autocomplete: Enter opens it, the arrows move, Enter chooses
        page.keyboard.press("Enter")
        page.keyboard.press("ArrowDown")
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
    tab_to(page, text("Apply filters"))
    press_enter_and_wait(page)
    assert "status__exact=" in urlsplit(page.url).query

    # Log out, from the account menu.
    tab_to(page, text("Account menu"))
    page.keyboard.press("Enter")
    tab_to(page, text("Log out"))
    press_enter_and_wait(page)
    assert "logout" in page.url or "login" in page.url
    assert "Log in" in page.content() or "logged out" in page.content().lower()
