"""Accessibility measured by axe-core (ГОСТ Р 52872-2019 = WCAG 2.1 AA): every main page, for each
role that sees it, has no serious or critical violation; the editor and the questionnaire are
worked with the keyboard alone, and the focus is visible on every control passed through.

axe's minor and moderate findings (its best practices included) are collected too: those about
the page's structure (KEPT: landmarks, one main, a heading order without skipped levels, …) are
fixed and asserted to stay at 0 — item-reports skipped from h1 to h3 before.

axe-core is vendored in tests/vendor/axe-core/ (see its README): no network, no node.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from roadmaps.models import Item
from tests.factories import make_round, make_small_plan, make_submission
from tests.test_selfdiag_views import ALL_FULL

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}
# Minor and moderate findings kept at 0: the page's structure for a screen reader.
KEPT = {
    "heading-order",
    "empty-heading",
    "page-has-heading-one",
    "region",
    "landmark-one-main",
    "landmark-unique",
    "landmark-main-is-top-level",
    "landmark-complementary-is-top-level",
    "landmark-banner-is-top-level",
    "landmark-contentinfo-is-top-level",
    "landmark-no-duplicate-banner",
    "landmark-no-duplicate-contentinfo",
    "landmark-no-duplicate-main",
    "empty-table-header",
    "aria-allowed-role",
    "label-title-only",
    "tabindex",
}


@pytest.fixture
def page(chromium, live_server):
    """The conftest's tab, but one that lets Playwright inject axe past the portal's
    Content-Security-Policy (script-src 'self'); the pages themselves are unchanged."""
    context = chromium.new_context(
        locale="ru-RU", viewport={"width": 1366, "height": 900}, bypass_csp=True
    )
    context.set_default_timeout(10_000)
    tab = context.new_page()
    tab.base_url = live_server.url
    yield tab
    context.close()


def sign_in(page, user):
    """A session cookie for the user, as the login form would set it: the login form itself is
    measured once (as anonymous) and need not be walked before every page."""
    if user is None:
        return
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": page.base_url}])


def axe_violations(page):
    """Serious and critical WCAG 2.1 A/AA violations of the page as it is now, and the minor or
    moderate findings of the KEPT rules (WCAG and axe's best practices)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    results = page.evaluate(
        """tags => axe.run(document, {runOnly: {type: 'tag', values: tags},
                                      resultTypes: ['violations']})""",
        [*WCAG_AA, "best-practice"],
    )
    return [v for v in results["violations"] if v["impact"] in BLOCKING or v["id"] in KEPT]


def describe(violations):
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            lines.append(f"    {' '.join(map(str, node['target']))}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"      {summary[:300]}")
    return "\n".join(lines)


@pytest.fixture
def scene(world):
    """What the main pages show: a district's draft plan, the school's open questionnaire and a
    finished round with results of two schools (for results, the deficit map and dynamics)."""
    plan = make_small_plan(world.omsu)
    finished = make_round(world.region, [world.school, world.sibling_school], name="Весна 2025")
    make_submission(
        finished, world.school, {**ALL_FULL, "Z1": "no", "S2": "no"}, status="submitted"
    )
    make_submission(finished, world.sibling_school, ALL_FULL, status="accepted")
    finished.status = "closed"
    finished.save(update_fields=["status"])
    open_round = make_round(world.region, [world.school], name="Осень 2025")
    make_submission(open_round, world.school, {"Z1": "yes"})
    return {
        "plan": plan.pk,
        "item": Item.objects.get(roadmap=plan).pk,
        "finished": finished.pk,
        "open": open_round.pk,
        "school": world.school.pk,
    }


def item_form(page, scene):
    page.locator(f"#item-{scene['item']}-edit").click()
    expect(page.locator(f"#item-{scene['item']}-title")).to_be_focused()


# (name, path, roles, what to do on the page before measuring)
PAGES = [
    ("home", "/", ["operator", "municipal", "school", "viewer"], None),
    ("plans", "/roadmaps/", ["operator", "municipal", "school", "viewer"], None),
    ("plan-new", "/roadmaps/new/", ["operator", "municipal", "school"], None),
    ("plan-view", "/roadmaps/{plan}/", ["operator", "viewer"], None),
    ("plan-edit", "/roadmaps/{plan}/", ["municipal"], None),
    ("plan-header", "/roadmaps/{plan}/edit/", ["municipal"], None),
    ("item-form", "/roadmaps/{plan}/", ["municipal"], item_form),
    ("item-reports", "/roadmaps/items/{item}/reports/", ["municipal", "viewer"], None),
    ("glossary", "/roadmaps/{plan}/glossary/", ["municipal", "viewer"], None),
    ("history", "/roadmaps/{plan}/history/", ["municipal", "operator"], None),
    ("import", "/roadmaps/import/", ["operator", "municipal", "school"], None),
    ("paste-rows", "/roadmaps/{plan}/paste/", ["municipal"], None),
    ("compare", "/roadmaps/{plan}/compare/", ["municipal"], None),
    ("monitoring", "/roadmaps/monitoring/", ["operator", "municipal", "viewer"], None),
    ("inbox", "/inbox/", ["operator", "municipal", "school", "viewer"], None),
    ("notifications", "/notifications/", ["operator", "school"], None),
    ("notification-settings", "/notifications/settings/", ["school"], None),
    ("rounds", "/selfdiag/", ["operator", "school", "viewer"], None),
    ("questionnaire", "/selfdiag/rounds/{open}/schools/{school}/", ["school"], None),
    ("round-results", "/selfdiag/rounds/{finished}/", ["operator", "municipal", "viewer"], None),
    (
        "result",
        "/selfdiag/rounds/{finished}/schools/{school}/result/",
        ["school", "operator"],
        None,
    ),
    ("plan-from-deficits", "/selfdiag/rounds/{finished}/schools/{school}/plan/", ["school"], None),
    ("deficit-map", "/reports/deficit-map/", ["operator", "municipal", "viewer"], None),
    ("dynamics", "/reports/dynamics/", ["operator", "school"], None),
    ("calendar", "/reports/calendar/", ["municipal"], None),
    ("login", "/accounts/login/", ["anonymous"], None),
]

CASES = [
    pytest.param(name, path, role, prepare, id=f"{name}-{role}")
    for name, path, roles, prepare in PAGES
    for role in roles
]


@pytest.mark.parametrize(("name", "path", "role", "prepare"), CASES)
def test_no_serious_or_critical_wcag_violations(world, scene, page, name, path, role, prepare):
    users = {
        "operator": world.operator,
        "municipal": world.municipal,
        "school": world.school_user,
        "viewer": world.viewer,
        "anonymous": None,
    }
    sign_in(page, users[role])
    response = page.goto(page.base_url + path.format(**scene))
    assert response.ok, f"{path} answered {response.status} to {role}"
    page.wait_for_load_state("load")
    if role != "anonymous":
        assert "/accounts/login/" not in page.url
    if prepare:
        prepare(page, scene)
    violations = axe_violations(page)
    assert not violations, f"{name} as {role}:\n{describe(violations)}"


# Keyboard only ------------------------------------------------------------------------------


def focus_ring(page):
    """The outline or box-shadow the focused element draws, or None when it draws neither."""
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            if (!el || el === document.body) return null;
            const style = getComputedStyle(el);
            const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
            const shadow = style.boxShadow && style.boxShadow !== 'none';
            return outline || shadow ? (el.id || el.name || el.tagName) : null;
        }"""
    )


def tab_to(page, matches, limit=80, back=False):
    """Press Tab (Shift+Tab) until the focused element matches; every control passed through must
    show its focus. Returns the element."""
    key = "Shift+Tab" if back else "Tab"
    passed = []
    for _ in range(limit):
        page.keyboard.press(key)
        focused = page.evaluate_handle("document.activeElement")
        described = page.evaluate(
            "el => [el.tagName, el.id, el.getAttribute('name'), el.textContent.trim()"
            ".slice(0, 60), el.getAttribute('aria-label'),"
            " el.closest('[id^=\"q-\"]') ? el.closest('[id^=\"q-\"]').id : null]",
            focused,
        )
        passed.append(described)
        if described[0] == "BODY":
            continue  # Focus between the page and the browser's own controls.
        assert focus_ring(page), f"no visible focus on {described}"
        if matches(described):
            return focused
    raise AssertionError(f"{limit} presses of {key} did not reach the control: {passed}")


def by_text(text):
    return lambda d: d[3] == text or d[4] == text


def test_the_editor_and_the_questionnaire_with_the_keyboard_alone(world, scene, page, login):
    section = Item.objects.get(pk=scene["item"]).section
    login(world.municipal)
    page.goto(f"{page.base_url}/roadmaps/{scene['plan']}/")
    page.wait_for_load_state("load")

    # «+ мероприятие в раздел 1.», reached by Tab, opened by Enter.
    tab_to(page, lambda d: d[3].startswith("+ мероприятие"))
    page.keyboard.press("Enter")
    title = page.locator("tr.edit-row").get_by_label(re.compile(r"^Мероприятие"))
    expect(title).to_be_visible()
    if not title.evaluate("el => el === document.activeElement"):
        tab_to(page, lambda d: d[2] == "title")
    page.keyboard.type("Семинар для заместителей директоров", delay=5)
    tab_to(page, lambda d: d[2] == "deadline_text")
    page.keyboard.type("Март 2024", delay=5)
    expect(page.get_by_text("01.03.2024–31.03.2024")).to_be_visible()
    tab_to(page, by_text("Сохранить"))
    page.keyboard.press("Enter")
    added = Item.objects.filter(section=section, title="Семинар для заместителей директоров")
    expect(page.locator("#plan-table, table").first).to_contain_text(
        "Семинар для заместителей директоров"
    )
    assert added.get().deadline_text == "Март 2024"
    assert str(added.get().deadline_end) == "2024-03-31"

    # The questionnaire: answer one question with Space and the arrows, move on by Tab.
    page.get_by_role("button", name="Выйти").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/accounts/login/"))
    login(world.school_user)
    page.goto(f"{page.base_url}/selfdiag/rounds/{scene['open']}/schools/{scene['school']}/")
    page.wait_for_load_state("load")
    tab_to(page, lambda d: d[0] == "INPUT" and d[5] == "q-2")
    page.keyboard.press("Space")
    expect(page.locator("#q-2-status")).to_contain_text("Сохранено")
    tab_to(page, lambda d: d[0] == "INPUT" and d[5] == "q-3")
    assert page.locator("#q-2 input:checked").count() == 1
