"""The load test's people: the last week of a self-diagnosis round, by role.

School coordinators (the most of any crowd: 40,000 schools against 2,400 municipalities and 89
regions) open their questionnaire and save answers one per request, as the page's htmx autosave
does, look at the home page and at their result of the last round; municipal coordinators watch
the round page, monitoring and plans; regional operators the deficit map, plans, the items API and
the PDF of an approved plan. Every account is signed in already (bench/load.py puts a session
for it in the database and its key in the fixture file, LOAD_FIXTURES), and every simulated
school coordinator has a school of its own, so two of them never answer the same questionnaire.

Only for 127.0.0.1: bench/load.py refuses any other host, and so does this file.
"""

import http.cookiejar
import itertools
import json
import os
import random
import time
from urllib.parse import urlsplit

# bench/figures.py: locust puts this directory on sys.path.
from figures import Steady, steady_figures
from locust import FastHttpUser, between, events, task

with open(os.environ["LOAD_FIXTURES"], encoding="utf-8") as _file:
    FIXTURES = json.load(_file)
_numbers = {role: itertools.count() for role in ("schools", "municipals", "regionals")}
ANSWER = "анкета: сохранение ответа"
# With `bench/load.py --answer-workers N` the autosave has its own gunicorn pool, as a proxy
# routing …/answer/ to it would give it: its address, else "" (the one pool).
ANSWER_HOST = os.environ.get("LOAD_ANSWER_HOST", "")
READ_BLOCK = 256 * 1024


@events.test_start.add_listener
def _loopback_only(environment, **kwargs):
    for url in (environment.host or "", ANSWER_HOST or "http://127.0.0.1"):
        host = urlsplit(url).hostname
        if host != "127.0.0.1":
            raise SystemExit(f"the load test only runs against 127.0.0.1, not {host!r}")


# The steady state (figures.Steady): the requests started once every user has been spawned and
# has made its opening request: the last users spawned open their questionnaire (on_start) at
# the very moment spawning completes, a burst no real week has, so the window opens SETTLE
# seconds later (the longest pause between two tasks). The ramp's requests are in locust's own
# table, not in the figures bench/load.py reports.
SETTLE = 3.0
_steady = Steady()


@events.spawning_complete.add_listener
def _all_spawned(user_count, **kwargs):
    _steady.begin(time.time() + SETTLE)


@events.request.add_listener
def _record(name, response_time, exception, start_time=None, **kwargs):
    _steady.record(name, response_time, exception is not None, start_time, time.monotonic())


@events.quitting.add_listener
def _write_steady(environment, **kwargs):
    path = os.environ.get("LOAD_STEADY")
    if path and _steady.records:
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(steady_figures(_steady.records), handle, ensure_ascii=False)


class SignedIn(FastHttpUser):
    abstract = True
    wait_time = between(1, 3)
    role = ""

    def on_start(self):
        # Read responses in large blocks, as a browser does (geventhttpclient reads 4 KB at a
        # time: the 160 KB questionnaire would be 40 reads of the generator's one core).
        self.client.client.clientpool.client_args["block_size"] = READ_BLOCK
        accounts = FIXTURES[self.role]
        number = next(_numbers[self.role])
        self.account = accounts[number % len(accounts)]
        self.rng = random.Random(number)
        host = urlsplit(self.host).hostname
        self.client.cookiejar.set_cookie(
            http.cookiejar.Cookie(
                0, "sessionid", self.account["session"], None, False, host, False, False,
                "/", True, False, None, True, None, None, {},
            )
        )  # fmt: skip

    def csrf(self) -> str:
        for cookie in self.client.cookiejar:
            if cookie.name == "csrftoken":
                return cookie.value
        return ""

    def plan_page(self):
        plan = self.rng.choice(self.account["plans"])
        self.client.get(f"/roadmaps/{plan}/", name="страница плана")


class SchoolCoordinator(SignedIn):
    weight = 8
    role = "schools"

    def on_start(self):
        super().on_start()
        self.page = f"/selfdiag/rounds/{self.account['round']}/schools/{self.account['school']}/"
        self.indicators = itertools.cycle(self.account["indicators"])
        self.questionnaire()  # also gives the CSRF cookie the autosave sends back

    @task(2)
    def questionnaire(self):
        self.client.get(self.page, name="анкета")

    @task(10)
    def answer(self):
        code, options = next(self.indicators)
        self.client.post(
            ANSWER_HOST + self.page + "answer/",
            data={"indicator": code, "option": self.rng.choice(options)},
            headers={
                "HX-Request": "true",
                "X-CSRFToken": self.csrf(),
                "Referer": self.host + self.page,
            },
            name=ANSWER,
        )

    @task(1)
    def home(self):
        self.client.get("/", name="главная")

    @task(1)
    def result(self):
        if self.account.get("result_round"):
            self.client.get(
                f"/selfdiag/rounds/{self.account['result_round']}/schools/"
                f"{self.account['school']}/result/",
                name="результат анкеты",
            )


class MunicipalCoordinator(SignedIn):
    weight = 2
    role = "municipals"

    @task(2)
    def round_page(self):
        self.client.get(f"/selfdiag/rounds/{self.account['round']}/", name="страница раунда")

    @task(1)
    def monitoring(self):
        self.client.get("/roadmaps/monitoring/", name="мониторинг")

    @task(2)
    def plan(self):
        self.plan_page()


class RegionalOperator(SignedIn):
    weight = 1
    role = "regionals"

    @task(1)
    def deficit_map(self):
        self.client.get("/reports/deficit-map/", name="карта дефицитов")

    @task(2)
    def plan(self):
        self.plan_page()

    @task(2)
    def api_items(self):
        plan = self.rng.choice(self.account["plans"])
        self.client.get(f"/api/v1/items/?roadmap={plan}", name="API: мероприятия плана")

    @task(1)
    def pdf(self):
        if self.account["pdf"]:
            plan = self.rng.choice(self.account["pdf"])
            self.client.get(f"/reports/roadmaps/{plan}/pdf/", name="PDF утверждённого плана")
