"""No button leads to a refusal: walking the site as the viewer and as the school coordinator,
every link answers (no 403, no 404) and the viewer is offered no form that changes data."""

import re
from collections import Counter
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from tests.factories import (
    make_party,
    make_report,
    make_round,
    make_small_plan,
    make_submission,
)
from tests.test_selfdiag_views import ALL_FULL

SKIP = re.compile(r"^/(static|admin|api)/|/accounts/logout/|/(pdf|xlsx|docx|ics|download)/?$")
# Forms a read-only user may well post: their own session, password, calendar link and
# notifications; nothing of a plan or a questionnaire.
VIEWER_FORMS = re.compile(
    r"^(|/accounts/logout/|/accounts/password/|/reports/calendar/reset/|/notifications/.*)$"
)


class Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.posts = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and (attrs.get("href") or "").startswith("/"):
            self.links.append(attrs["href"].split("#")[0])
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self.posts.append(attrs.get("action") or "")
        for name in ("hx-post", "hx-delete", "hx-put"):
            if attrs.get(name):
                self.posts.append(attrs[name])


def walk(client, limit=250):
    """Pages reached from the home page (at most a few of each URL shape), with the page each
    link was found on; returns ({url: status}, {url: referrer}, {form action: page})."""
    statuses, found_on, posts = {}, {"/": None}, {}
    queue, shapes = ["/"], Counter()
    while queue and len(statuses) < limit:
        path = queue.pop(0)
        if path in statuses:
            continue
        response = client.get(path)
        statuses[path] = response.status_code
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        page = Page()
        page.feed(response.content.decode())
        for action in page.posts:
            posts.setdefault(action, path)
        for link in page.links:
            shape = re.sub(r"\d+", "N", link.split("?")[0])
            if link in found_on or SKIP.search(link.split("?")[0]):
                continue
            shapes[shape] += 1
            if shapes[shape] <= 4:
                found_on[link] = path
                queue.append(link)
    return statuses, found_on, posts


@pytest.fixture
def site(world):
    """Plans of every level in every state, a report, a round with a sent questionnaire."""
    regional = make_small_plan(world.institute, status="approved", title="Региональный план")
    make_party(regional, "ЛОИРО", organization=world.institute)  # a school may not open it
    district = make_small_plan(world.omsu, status="approved", title="План Гатчинского МО")
    make_report(district.items.get())
    make_small_plan(world.omsu, status="review", title="План МО на согласовании")
    make_small_plan(world.school, status="approved", title="План школы")
    make_small_plan(world.school, status="returned", title="Возвращённый план школы")
    make_small_plan(world.sibling_school, title="Черновик соседней школы")
    round_ = make_round(world.region, [world.school, world.sibling_school])
    make_submission(round_, world.school, {**ALL_FULL, "Z1": "no"}, status="submitted")
    return world


@pytest.mark.parametrize("role", ["viewer", "school_user"])
def test_every_link_a_role_is_shown_answers(site, client_for, role):
    statuses, found_on, _ = walk(client_for(getattr(site, role)))
    assert len(statuses) > 30
    refused = {
        path: (status, found_on[path]) for path, status in statuses.items() if status in (403, 404)
    }
    assert refused == {}


def test_the_viewer_is_offered_no_form_that_changes_data(site, client_for):
    _, _, posts = walk(client_for(site.viewer))
    changing = {action: page for action, page in posts.items() if not VIEWER_FORMS.match(action)}
    assert changing == {}


def test_the_walk_would_see_a_refused_button(site, client_for):
    # The check itself: the from-template page refuses a viewer, so a link to it would show.
    response = client_for(site.viewer).get(reverse("roadmaps:roadmap-from-template"))
    assert response.status_code == 403
