"""The cast every test can call on.

Ленинградская область (47) has a regional operator at the institute and a read-only viewer at
the committee; its district has a municipal coordinator; a school there has a school
coordinator. The outsider works at a school of another region.
"""

from dataclasses import dataclass

import pytest
from django.core.cache import cache

from orgs.models import Membership, Organization
from tests.factories import (
    make_api_client,
    make_member,
    make_municipality,
    make_organization,
    make_region,
    make_school,
    make_user,
)


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    # The local memory cache outlives a test; ids are reused by the next test's rows.
    cache.clear()
    # Query counts compare two requests: the menu's inbox count is counted on both.
    settings.INBOX_COUNT_SECONDS = 0
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@dataclass
class World:
    region: object
    municipality: object
    other_municipality: object
    ministry: object
    institute: object
    omsu: object
    school: object
    sibling_school: object
    other_school: object
    foreign_region: object
    foreign_school: object
    operator: object
    municipal: object
    school_user: object
    viewer: object
    outsider: object


@pytest.fixture
def world(db):
    region = make_region("47", name="Ленинградская область")
    municipality = make_municipality(region, name="Гатчинский муниципальный округ")
    other_municipality = make_municipality(region, name="Лужский муниципальный район")
    ministry = make_organization(
        region=region, kind=Organization.Kind.REGIONAL_AUTHORITY, short_name="КОиПО ЛО"
    )
    institute = make_organization(
        region=region, kind=Organization.Kind.REGIONAL_OPERATOR, short_name="ГАОУ ДПО «ЛОИРО»"
    )
    omsu = make_organization(
        region=region,
        municipality=municipality,
        kind=Organization.Kind.MUNICIPAL_AUTHORITY,
        short_name="Комитет образования Гатчинского МО",
    )
    school = make_school(municipality, short_name="МБОУ «Гатчинская СОШ № 1»")
    sibling_school = make_school(municipality, short_name="МБОУ «Гатчинская СОШ № 2»")
    other_school = make_school(other_municipality, short_name="МОУ «Лужская СОШ № 3»")
    foreign_region = make_region("72", name="Тюменская область")
    foreign_school = make_school(
        make_municipality(foreign_region, name="Тобольский район"), short_name="МАОУ СОШ № 9"
    )
    Role = Membership.Role
    return World(
        region=region,
        municipality=municipality,
        other_municipality=other_municipality,
        ministry=ministry,
        institute=institute,
        omsu=omsu,
        school=school,
        sibling_school=sibling_school,
        other_school=other_school,
        foreign_region=foreign_region,
        foreign_school=foreign_school,
        operator=make_member(institute, Role.REGIONAL_OPERATOR, "operator"),
        municipal=make_member(omsu, Role.MUNICIPAL_COORDINATOR, "municipal"),
        school_user=make_member(school, Role.SCHOOL_COORDINATOR, "school"),
        viewer=make_member(ministry, Role.VIEWER, "viewer"),
        outsider=make_member(foreign_school, Role.SCHOOL_COORDINATOR, "outsider"),
    )


@pytest.fixture
def superuser(db):
    return make_user("root", is_superuser=True, is_staff=True)


@pytest.fixture
def client_for(client):
    """Log a user in on the test client: `client_for(world.operator)`."""

    def login(user):
        client.force_login(user)
        return client

    return login


# The API cast: a client per role, "anonymous" for none (tests list the roles as ROLES).
@pytest.fixture
def api(world, superuser):
    """An API client logged in as a role of the cast: `api("viewer")`."""
    users = {
        "operator": world.operator,
        "municipal": world.municipal,
        "school": world.school_user,
        "viewer": world.viewer,
        "outsider": world.outsider,
        "superuser": superuser,
    }
    return lambda role: make_api_client(users.get(role))


# Mail: a real SMTP server (tests/smtp.py) and tasks that run at once.


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on 127.0.0.1 that Django's mail is pointed at for this test; the
    letters it received are `smtp_server.messages`."""
    from tests.smtp import SmtpServer, use_smtp

    server = SmtpServer()
    server.start()
    use_smtp(settings, server)
    yield server
    server.stop()


@pytest.fixture
def immediate_tasks(settings):
    """Background tasks run where they are enqueued (letters go out before the call returns)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


# Browser tests: Playwright driving Debian's Chromium against the live test server.

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium():
    import os
    from pathlib import Path

    if not Path(CHROMIUM).exists():
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls in the test
    # body are still plain synchronous calls, so the async-safety guard does not apply.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, live_server):
    """A fresh browser tab; `page.base_url` is the live server."""
    context = chromium.new_context(locale="ru-RU", viewport={"width": 1366, "height": 900})
    context.set_default_timeout(10_000)
    tab = context.new_page()
    tab.base_url = live_server.url
    yield tab
    context.close()


@pytest.fixture
def login(page):
    """Log in through the real login form: `login(world.operator)`."""

    def do_login(user, password="pass-for-tests"):
        page.goto(f"{page.base_url}/accounts/login/")
        page.get_by_label("Имя пользователя").fill(user.username)
        page.get_by_label("Пароль").fill(password)
        page.get_by_role("button", name="Войти").click()
        page.wait_for_url(f"{page.base_url}/")
        return page

    return do_login
