"""The load test's users: people of the regions working in the portal at the same time.

Each simulated user logs in through the login form (CSRF token from the page), then loops over
a realistic mix: the home page, a plan's page, a page of the items API and, now and then, an edit
of an item through the API (read it, PATCH its title with the lock_version just read). Accounts,
plans and items come from the fixture file bench/load.py writes (LOAD_FIXTURES); every simulated
user edits items of its own slice, so two of them never race for one item.

Only for 127.0.0.1: bench/load.py refuses any other host, and so does this file.
"""

import itertools
import json
import os
import random
import re
import time
from urllib.parse import urlsplit

from locust import FastHttpUser, between, events, task

with open(os.environ["LOAD_FIXTURES"], encoding="utf-8") as _file:
    FIXTURES = json.load(_file)
PASSWORD = FIXTURES["password"]
ACCOUNTS = FIXTURES["accounts"]
SLICES = 50  # at most this many simulated users share one account's items
_numbers = itertools.count()
_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@events.test_start.add_listener
def _loopback_only(environment, **kwargs):
    host = urlsplit(environment.host or "").hostname
    if host != "127.0.0.1":
        raise SystemExit(f"the load test only runs against 127.0.0.1, not {host!r}")


# The steady state: once every user has been spawned and without the logins. A login hashes a
# password (deliberately slow, ~0.3 s of CPU) and happens once per user, so the logins and the
# requests made while they were going on are reported in locust's table, not in the target.
_steady: list[tuple[float, float, bool]] = []  # (finished at, response ms, failed)
_spawned = False


@events.spawning_complete.add_listener
def _all_spawned(user_count, **kwargs):
    global _spawned
    _spawned = True


@events.request.add_listener
def _record(name, response_time, exception, **kwargs):
    if _spawned and not name.startswith("вход"):
        _steady.append((time.monotonic(), response_time, exception is not None))


@events.quitting.add_listener
def _write_steady(environment, **kwargs):
    path = os.environ.get("LOAD_STEADY")
    if not path or not _steady:
        return
    times = sorted(ms for _, ms, _ in _steady)
    span = max(_steady[-1][0] - _steady[0][0], 1e-9)

    def pct(p):
        return times[min(len(times) - 1, round(p / 100 * (len(times) - 1)))]

    with open(path, "w", encoding="utf-8") as handle:
        json.dump(
            {
                "requests": len(times),
                "failures": sum(1 for *_, failed in _steady if failed),
                "rps": len(times) / span,
                "p50": pct(50),
                "p95": pct(95),
                "p99": pct(99),
            },
            handle,
        )


class PortalUser(FastHttpUser):
    wait_time = between(0.2, 0.6)

    def on_start(self):
        number = next(_numbers)
        self.account = ACCOUNTS[number % len(ACCOUNTS)]
        share = number // len(ACCOUNTS)
        items = self.account["items"]
        self.items = items[share % SLICES :: SLICES] or items
        self.rng = random.Random(number)
        page = self.client.get("/accounts/login/", name="вход: форма")
        token = _TOKEN.search(page.text).group(1)
        with self.client.post(
            "/accounts/login/",
            data={
                "username": self.account["username"],
                "password": PASSWORD,
                "csrfmiddlewaretoken": token,
            },
            headers={"Referer": f"{self.host}/accounts/login/"},
            name="вход: отправка",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"login of {self.account['username']}: {response.status_code}")

    def _csrf(self) -> str:
        for cookie in self.client.cookiejar:
            if cookie.name == "csrftoken":
                return cookie.value
        return ""

    @task(3)
    def home(self):
        self.client.get("/", name="главная")

    @task(3)
    def plan_page(self):
        plan = self.rng.choice(self.account["plans"])
        self.client.get(f"/roadmaps/{plan}/", name="страница плана")

    @task(3)
    def api_items(self):
        plan = self.rng.choice(self.account["plans"])
        self.client.get(f"/api/v1/items/?roadmap={plan}", name="API: мероприятия плана")

    @task(1)
    def edit_item(self):
        if not self.items:
            return
        plan, item = self.rng.choice(self.items)
        url = f"/api/v1/roadmaps/{plan}/items/{item}/"
        current = self.client.get(url, name="API: мероприятие").json()
        title = current["title"].split(" (правка")[0] + f" (правка {self.rng.randint(1, 999)})"
        self.client.request(
            "PATCH",
            url,
            json={"title": title, "lock_version": current["lock_version"]},
            headers={"X-CSRFToken": self._csrf(), "Referer": f"{self.host}/"},
            name="API: правка мероприятия",
        )
