"""Two nodes, one database, one Redis: the proof that the portal runs on several machines.

    python bench/cluster.py [--schools 8] [--no-results]

Starts Debian's redis-server (a free loopback port, no persistence), the throwaway PostgreSQL
cluster of bench/run.py with a fresh database (migrated, demo data), two gunicorn nodes on two
ports sharing REDIS_URL and DATABASE_URL, and a round-robin client (urllib with one cookie jar
per person) that checks:

1. a user logged in on node A is logged in on node B (sessions live in Redis and the database);
2. an item's title edited through the API on one node is seen on the other at once, in the API
   and on the plan page; a questionnaire answer saved on one node is on the other's page;
3. school coordinators keep saving answers round-robin while node B is killed (SIGKILL); a
   request to the dead node is retried on the other one on a connection error only, as a proxy
   would; at the end every answer acknowledged with a 2xx is in the database.

Prints each check, exits non-zero on any failure and writes the summary to bench/results.md
between its own markers (unless --no-results). Only 127.0.0.1.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import http.cookiejar
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import contextlib

from bench.load import BIN, HOST, Redis, answering_schools, free_port, wait_until_up
from bench.run import ROOT, VAR, Postgres, write_section

CLUSTER_START, CLUSTER_END = "<!-- cluster:start -->", "<!-- cluster:end -->"
DATABASE = "portal_cluster"
_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def binaries_present() -> bool:
    """redis-server and PostgreSQL's initdb, as Debian installs them."""
    return bool(shutil.which("redis-server")) and bool(
        list(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    )


# The parts: Redis, PostgreSQL, gunicorn nodes ----------------------------------------------------


def fresh_database(pg: Postgres) -> str:
    """A new database on the cluster (dropped first if an earlier run left it)."""
    import psycopg

    with psycopg.connect(
        f"postgresql://postgres@{HOST}:{pg.port}/postgres", autocommit=True
    ) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DATABASE}")
    return f"postgres://postgres@{HOST}:{pg.port}/{DATABASE}"


class Node:
    """One gunicorn with the production settings file (gunicorn.conf.py), DEBUG off."""

    def __init__(self, name: str, env: dict, workers: int = 2):
        self.name = name
        self.port = free_port()
        self.base = f"http://{HOST}:{self.port}"
        self.log = VAR / f"cluster-{name}.log"
        self.process = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "portal.wsgi",
                "--bind",
                f"{HOST}:{self.port}",
                "--workers",
                str(workers),
                "--access-logfile",
                "/dev/null",
                "--error-logfile",
                str(self.log),
            ],
            env=env,
            cwd=ROOT,
            start_new_session=True,
        )

    def kill(self) -> None:
        """SIGKILL to the master and every worker: a machine that went away."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


# The round-robin client --------------------------------------------------------------------------


class NodeDown(Exception):
    pass


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Person:
    """One browser: a cookie jar shared by every node (cookies do not depend on the port)."""

    def __init__(self, nodes: list[Node], username: str, password: str):
        self.nodes = nodes
        self.username = username
        self.password = password
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )
        self.turn = 0
        self.failovers = 0

    def request(self, node: Node, path: str, data: dict | None = None, *, method=None, headers=()):
        body = None
        all_headers = dict(headers)
        if data is not None and method != "PATCH":
            body = urllib.parse.urlencode(data).encode()
        elif data is not None:
            body = json.dumps(data).encode()
            all_headers["Content-Type"] = "application/json"
        if body is not None:
            all_headers["X-CSRFToken"] = self.csrf()
        request = urllib.request.Request(
            node.base + path, data=body, headers=all_headers, method=method
        )
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode(), response.headers
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace"), error.headers
        except (ConnectionError, TimeoutError, http.client.HTTPException) as error:
            # Refused, reset, or cut off in the middle of the response (IncompleteRead) when
            # the node is killed while answering: no confirmation, so the proxy retries.
            raise NodeDown(f"{node.name}: {error!r}") from error
        except urllib.error.URLError as error:
            if isinstance(error.reason, OSError):
                raise NodeDown(f"{node.name}: {error.reason}") from error
            raise

    def round_robin(self, path: str, data: dict | None = None, **kwargs):
        """The next node in turn; on a connection error (and only then) the other one, as a
        proxy in front of the nodes would do. Returns (node name, status, body)."""
        first = self.nodes[self.turn % len(self.nodes)]
        self.turn += 1
        order = [first, *[n for n in self.nodes if n is not first]]
        last = None
        for node in order:
            try:
                status, body, _ = self.request(node, path, data, **kwargs)
                return node.name, status, body
            except NodeDown as error:
                self.failovers += 1
                last = error
        raise last

    def csrf(self) -> str:
        return next((c.value for c in self.jar if c.name == "csrftoken"), "")

    def login(self, node: Node) -> None:
        status, page, _ = self.request(node, "/accounts/login/")
        token = _TOKEN.search(page).group(1)
        status, _, _headers = self.request(
            node,
            "/accounts/login/",
            {"username": self.username, "password": self.password, "csrfmiddlewaretoken": token},
        )
        if status != 302:
            raise Failure(f"вход {self.username} на узле {node.name}: ответ {status}")


class Failure(Exception):
    pass


# The run -----------------------------------------------------------------------------------------


def setup(out: Path, schools: int) -> None:
    """With Django set up on the cluster's database: a draft plan for the demo operator, school
    coordinators with questionnaires to fill, all written to `out`."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    django.setup()
    from django.contrib.auth import get_user_model

    from orgs.demo import DEMO_PASSWORD
    from roadmaps.models import Roadmap

    operator = get_user_model().objects.get(username="operator")
    draft = Roadmap.objects.writable_by(operator).filter(status="draft").first()
    if draft is None:
        draft = Roadmap.objects.writable_by(operator).approved().first()
        draft.revise(by=operator)
        draft = Roadmap.objects.writable_by(operator).filter(status="draft").first()
    item = draft.items.order_by("pk").first()
    out.write_text(
        json.dumps(
            {
                "password": DEMO_PASSWORD,
                "plan": draft.pk,
                "item": item.pk,
                "schools": answering_schools(schools),
            },
            ensure_ascii=False,
        )
    )


def stored_answers(url: str, pairs: list[tuple[int, int]]) -> dict:
    """(round, school, indicator code) -> option code, straight from the database."""
    import psycopg

    found = {}
    with psycopg.connect(url.replace("postgres://", "postgresql://", 1)) as conn:
        for round_id, school_id in pairs:
            rows = conn.execute(
                "SELECT i.code, o.code FROM selfdiag_answer a"
                " JOIN selfdiag_submission s ON s.id = a.submission_id"
                " JOIN selfdiag_indicator i ON i.id = a.indicator_id"
                " JOIN selfdiag_option o ON o.id = a.option_id"
                " WHERE s.round_id = %s AND s.school_id = %s",
                [round_id, school_id],
            ).fetchall()
            found.update({(round_id, school_id, code): option for code, option in rows})
    return found


def prove(nodes: list[Node], data: dict, url: str, say) -> dict:
    a, b = nodes
    password = data["password"]
    checks = []

    def check(ok: bool, text: str) -> None:
        checks.append((ok, text))
        say(("  ок  " if ok else "  СБОЙ ") + text)

    # 1. The session: logged in on A, known on B.
    operator = Person(nodes, "operator", password)
    operator.login(a)
    # A page only for signed-in users: a stranger is sent to the login form.
    stranger, _, _ = Person(nodes, "", "").request(b, "/roadmaps/monitoring/")
    status, _, _ = operator.request(b, "/roadmaps/monitoring/")
    check(
        stranger == 302 and status == 200,
        f"вошёл на узле A — узел B открывает ему страницу только для вошедших (ответ {status}, "
        f"без входа {stranger})",
    )

    # 2a. An item's title edited on A is read on B at once (API and plan page).
    plan, item = data["plan"], data["item"]
    item_url = f"/api/v1/roadmaps/{plan}/items/{item}/"
    status, body, _ = operator.request(b, item_url)
    current = json.loads(body)
    title = f"Проверка двух узлов {random.randint(1000, 9999)}"
    status, body, _ = operator.request(
        a, item_url, {"title": title, "lock_version": current["lock_version"]}, method="PATCH"
    )
    check(status == 200, f"правка названия мероприятия через API на узле A (ответ {status})")
    status, body, _ = operator.request(b, item_url)
    check(json.loads(body).get("title") == title, "узел B сразу отдаёт новое название в API")
    status, body, _ = operator.request(b, f"/roadmaps/{plan}/")
    check(status == 200 and title in body, "узел B сразу показывает его на странице плана")

    # 2b. An answer saved on B is on A's questionnaire page.
    first = data["schools"][0]
    school = Person(nodes, first["username"], password)
    school.login(b)
    page = f"/selfdiag/rounds/{first['round']}/schools/{first['school']}/"
    code, options = first["indicators"][0]
    status, body, _ = school.request(
        b,
        page + "answer/",
        {"indicator": code, "option": options[-1]},
        headers={"HX-Request": "true"},
    )
    check(status == 200, f"ответ анкеты сохранён на узле B (ответ {status})")
    stored = stored_answers(url, [(first["round"], first["school"])])
    status, body, _ = school.request(a, page)
    check(
        status == 200 and stored.get((first["round"], first["school"], code)) == options[-1],
        "узел A открывает ту же анкету, ответ в базе",
    )

    # 3. Schools answer round-robin; node B is killed in the middle.
    people = [Person(nodes, s["username"], password) for s in data["schools"]]
    for number, person in enumerate(people):
        person.login(nodes[number % 2])
    acknowledged: dict = {}
    errors: list[str] = []
    served = {"A": 0, "B": 0}
    lock = threading.Lock()
    total = sum(len(s["indicators"]) for s in data["schools"])
    progress = [0]

    def answer_all(person: Person, school: dict) -> None:
        rng = random.Random(school["school"])
        base = f"/selfdiag/rounds/{school['round']}/schools/{school['school']}/answer/"
        for code, options in school["indicators"]:
            option = rng.choice(options)
            try:
                node, status, _body = person.round_robin(
                    base, {"indicator": code, "option": option}, headers={"HX-Request": "true"}
                )
            except NodeDown as error:
                with lock:
                    errors.append(f"{person.username}: оба узла недоступны ({error})")
                continue
            except Exception as error:  # counted, not a thread that ends unseen
                with lock:
                    errors.append(f"{person.username} {code}: {error!r}")
                continue
            with lock:
                progress[0] += 1
                if 200 <= status < 300:
                    acknowledged[(school["round"], school["school"], code)] = option
                    served[node] += 1
                else:
                    errors.append(f"{person.username} {code} на узле {node}: ответ {status}")

    threads = [
        threading.Thread(target=answer_all, args=(person, school))
        for person, school in zip(people, data["schools"], strict=True)
    ]
    for thread in threads:
        thread.start()
    while progress[0] < total // 3 and any(t.is_alive() for t in threads):
        time.sleep(0.02)
    killed_after = progress[0]
    b.kill()
    say(f"  узел B убит (SIGKILL) после {killed_after} ответов из {total}")
    for thread in threads:
        thread.join()
    stored = stored_answers(url, [(s["round"], s["school"]) for s in data["schools"]])
    lost = [key for key, option in acknowledged.items() if stored.get(key) != option]
    failovers = sum(p.failovers for p in people)
    check(not errors, f"ошибок при сохранении ответов: {len(errors)}")
    for error in errors[:5]:
        say(f"      {error}")
    check(
        served["B"] > 0 and failovers > 0,
        f"узел B принял {served['B']} ответов до гибели, после — {failovers} запросов "
        "ушли на узел A",
    )
    check(
        not lost and len(acknowledged) == total,
        f"подтверждено ответов {len(acknowledged)} из {total}, в базе нет {len(lost)}",
    )
    return {
        "checks": checks,
        "answers": total,
        "acknowledged": len(acknowledged),
        "lost": len(lost),
        "errors": len(errors),
        "served": served,
        "failovers": failovers,
        "killed_after": killed_after,
        "schools": len(data["schools"]),
    }


def run(schools: int = 8, *, results: bool = True, say=print) -> dict:
    VAR.mkdir(parents=True, exist_ok=True)
    pg = Postgres("cluster", port=free_port())
    started = datetime.datetime.now()
    with pg, Redis() as redis:
        url = fresh_database(pg)
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "REDIS_URL": redis.url,
            "DEBUG": "0",
            "LOG_LEVEL": "WARNING",
            "DATABASE_CONN_MAX_AGE": "60",
        }
        python = sys.executable
        say(f"== база {url}, Redis {redis.url}")
        subprocess.run(
            [python, "manage.py", "migrate", "--noinput", "-v0"], env=env, cwd=ROOT, check=True
        )
        subprocess.run(
            [python, "manage.py", "seed_demo"],
            env=env,
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        subprocess.run(
            [python, "manage.py", "collectstatic", "--noinput", "-v0"],
            env=env,
            cwd=ROOT,
            check=True,
        )
        fixture = VAR / "cluster-fixtures.json"
        subprocess.run(
            [python, __file__, "--setup", str(fixture), "--schools", str(schools)],
            env=env,
            cwd=ROOT,
            check=True,
        )
        data = json.loads(fixture.read_text())
        nodes = [Node("A", env), Node("B", env)]
        try:
            for node in nodes:
                wait_until_up(node.port)
            say(f"== узлы: A {nodes[0].base}, B {nodes[1].base}")
            outcome = prove(nodes, data, url, say)
        finally:
            for node in nodes:
                node.stop()
    outcome["ok"] = all(ok for ok, _ in outcome["checks"])
    if results:
        write_section(summary(outcome, started), CLUSTER_START, CLUSTER_END)
    return outcome


def summary(outcome: dict, started: datetime.datetime) -> str:
    status = "PASS" if outcome["ok"] else "FAIL"
    lines = [
        CLUSTER_START,
        "## Два узла: общий PostgreSQL и Redis (`make cluster-test`)",
        "",
        f"Дата: {started:%Y-%m-%d %H:%M}. Два gunicorn (по 2 воркера, DEBUG выключен) на двух "
        "портах 127.0.0.1, одна база PostgreSQL, один redis-server (кеш и сеансы); клиент "
        "ходит по кругу A, B, A…, при ошибке соединения повторяет запрос на другом узле.",
        "",
    ]
    lines += [f"- {'ок' if ok else '**СБОЙ**'}: {text}" for ok, text in outcome["checks"]]
    lines += [
        "",
        f"Школ {outcome['schools']}, ответов {outcome['answers']}: узел B убит после "
        f"{outcome['killed_after']}; подтверждено {outcome['acknowledged']}, потеряно "
        f"{outcome['lost']}, ошибок {outcome['errors']} — **{status}**.",
        "",
        CLUSTER_END,
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=8, help="школ, заполняющих анкеты")
    parser.add_argument("--no-results", action="store_true", help="не писать bench/results.md")
    parser.add_argument("--setup", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.setup:
        setup(args.setup, args.schools)
        return
    if not binaries_present():
        raise SystemExit("нужны redis-server и PostgreSQL: apt-get install redis-server postgresql")
    outcome = run(args.schools, results=not args.no_results)
    print("ИТОГ:", "PASS" if outcome["ok"] else "FAIL")
    sys.exit(0 if outcome["ok"] else 1)


if __name__ == "__main__":
    main()
