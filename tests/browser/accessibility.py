"""axe-core (Deque's accessibility rules, WCAG 2.2 A and AA) run in the browser tests' Chromium,
through axe-playwright-python, which bundles it."""

from axe_playwright_python.sync_playwright import Axe

# WCAG 2.0, 2.1 and 2.2, levels A and AA, and axe's best practices for landmarks and skip links.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
BLOCKING = {"critical", "serious"}

# Moderate findings we cannot fix from our side, each with its reason (README: Accessibility).
# {rule id: why}. Kept empty unless a finding really is out of our hands.
KNOWN_MODERATE: dict[str, str] = {}

_axe = Axe()


def audit(page) -> list[dict]:
    """axe-core's violations on `page` as it is now."""
    results = _axe.run(page, options={"runOnly": {"type": "tag", "values": TAGS}})
    return results.response["violations"]


def blocking(violations: list[dict]) -> list[str]:
    """Each critical or serious violation, with where it is, as a readable line."""
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + "; ".join(" ".join(node["target"]) for node in v["nodes"][:4])
        + (f" and {len(v['nodes']) - 4} more" if len(v["nodes"]) > 4 else "")
        for v in violations
        if v["impact"] in BLOCKING
    ]


def problems(violations: list[dict]) -> list[str]:
    """Every violation but the moderate and minor ones KNOWN_MODERATE explains: critical and
    serious ones fail (the issue's bar), and so does any new moderate one, until fixed or
    listed there with its reason."""
    return blocking(violations) + [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + "; ".join(" ".join(node["target"]) for node in v["nodes"][:4])
        for v in violations
        if v["impact"] not in BLOCKING and v["id"] not in KNOWN_MODERATE
    ]
