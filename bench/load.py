"""Load test: the real week of a self-diagnosis round, on PostgreSQL, gunicorn and Redis.

    python bench/load.py [--scale 2000] [--steps 50,100,150,200,225,250,300] [--time 30]
                         [--workers 3] [--answer-workers 1] [--worker-class sync] [--threads 1]
                         [--schools 400]

It takes the generated country of bench/run.py on its throwaway PostgreSQL cluster (made if
missing), copies it to a fresh database (CREATE DATABASE … TEMPLATE, so the edits never touch
the cached one), loads the demo data, makes --schools school coordinators with questionnaires
still to fill (the last week of a round), stores the files of a few approved plans
(`store_plan_files`), signs every account in (a session made in the database: the week's people
logged in earlier, and a password hash per simulated user would only measure PBKDF2), and writes
the fixture file bench/locustfile.py reads. Then it starts redis-server (the shared cache, as in
production) and gunicorn with gunicorn.conf.py, DEBUG off, static files through whitenoise,
as deployed (README): one pool for the pages and the API, and --answer-workers in a pool of its
own for the questionnaire's autosave, where the proxy sends …/answer/ (0: one pool for all).
It drives them with one locust process (FastHttpUser, pinned to the second core with taskset):

1. cold: right after the server started, with the cache emptied, at the first step's users;
2. warm: the same again;
3. the step search: more users each step (--steps) until p95 > 200 ms or an error.

Each step runs --time seconds (not counting spawning). The server's CPU (gunicorn's master and
workers, /proc/<pid>/stat) and the generator's (wait4's rusage) are measured per step. The
summary goes into bench/results.md between the load markers. Only 127.0.0.1.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.figures import ACCESS_LOG_FORMAT, server_figures
from bench.run import ROOT, VAR, Postgres, prepare, write_section

LOAD_START, LOAD_END = "<!-- load:start -->", "<!-- load:end -->"
HOST = "127.0.0.1"  # loopback only: never any other address
BIN = Path(sys.executable).parent
TARGET_P95 = 200  # ms, every request
TARGET_ANSWER_P95 = 50  # ms, the questionnaire's autosave
TARGET_RPS = 100
LOAD_DATABASE = "portal_load"
ACCESS_LOG = VAR / "load-access.log"  # gunicorn's, with its time per request (bench/figures.py)
CLK_TCK = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


# CPU accounting ----------------------------------------------------------------------------------


def parse_stat(text: str) -> tuple[int, float, float]:
    """/proc/<pid>/stat -> (parent pid, own CPU seconds, CPU seconds of reaped children). The
    command name (field 2) may hold spaces and parentheses, so fields are counted after the
    last ')'."""
    fields = text[text.rindex(")") + 2 :].split()
    # fields[0] is field 3 (state): ppid is field 4, utime..cstime are fields 14..17.
    utime, stime, cutime, cstime = (int(v) for v in fields[11:15])
    return int(fields[1]), (utime + stime) / CLK_TCK, (cutime + cstime) / CLK_TCK


def _stat(pid: int) -> tuple[int, float, float] | None:
    try:
        return parse_stat(Path(f"/proc/{pid}/stat").read_text())
    except (OSError, ValueError):
        return None


def tree_cpu(root: int) -> float:
    """CPU seconds used so far by a process and its live children (gunicorn's master and its
    workers), plus what its reaped children used."""
    own = _stat(root)
    if own is None:
        return 0.0
    total = own[1] + own[2]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != root:
            stat = _stat(int(entry.name))
            if stat is not None and stat[0] == root:
                total += stat[1] + stat[2]
    return total


# The parts: Redis and gunicorn ------------------------------------------------------------------


class Redis:
    """redis-server on 127.0.0.1, nothing written to disk, stopped with the run."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://{HOST}:{self.port}/0"
        self.process = None

    def __enter__(self) -> Redis:
        self.dir = tempfile.mkdtemp(prefix="portal-redis-")
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--bind",
                HOST,
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                self.dir,
            ],
            stdout=subprocess.DEVNULL,
        )
        import redis

        deadline = time.monotonic() + 20
        while True:
            try:
                redis.Redis(host=HOST, port=self.port).ping()
                return self
            except redis.ConnectionError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise SystemExit("redis-server не запустился") from None
                time.sleep(0.1)

    def flush(self) -> None:
        import redis

        redis.Redis(host=HOST, port=self.port).flushall()

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
        shutil.rmtree(self.dir, ignore_errors=True)


# The load database -------------------------------------------------------------------------------


def fixtures(
    out: Path, schools: int, *, municipals: int = 20, regionals: int = 5, pdf_plans: int = 1
) -> dict:
    """Runs with Django set up on the load database: the accounts by role, signed in, and what
    each of them works on. Returns (and writes to `out`) the fixture the locustfile reads."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from orgs.models import Membership
    from reports.models import PlanFile
    from roadmaps.models import Roadmap
    from scale import generator as scale
    from selfdiag.models import Round, Submission

    User = get_user_model()
    answering = answering_schools(schools)
    by_pk = {
        u.username: u for u in User.objects.filter(username__in=[a["username"] for a in answering])
    }
    school_accounts = []
    for entry in answering:
        user = by_pk[entry["username"]]
        round_ = Round.objects.get(pk=entry["round"])
        Submission.start(round_, round_.schools.get(pk=entry["school"]))
        scored = (
            Submission.objects.filter(school_id=entry["school"])
            .exclude(round=round_)
            .filter(status=Submission.Status.ACCEPTED)
            .values_list("round_id", flat=True)
            .first()
        )
        school_accounts.append({**entry, "session": sign_in(user), "result_round": scored})

    municipal_accounts = []
    people = User.objects.filter(username__startswith=f"{scale.USER_PREFIX}mun-").order_by("pk")
    for user in people[:municipals]:
        plans = list(Roadmap.objects.for_user(user).order_by("pk").values_list("pk", flat=True))
        regions = Membership.objects.filter(user=user).values("organization__region_id")
        rounds = list(
            Round.objects.filter(status=Round.Status.OPEN, region_id__in=regions)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if plans and rounds:
            municipal_accounts.append(
                {
                    "username": user.username,
                    "session": sign_in(user),
                    "plans": plans[:50],
                    "round": rounds[0],
                }
            )

    regional_accounts = []
    approved_seen = []
    people = User.objects.filter(username__startswith=f"{scale.USER_PREFIX}op-").order_by("pk")
    for user in people[:regionals]:
        plans = list(Roadmap.objects.for_user(user).order_by("pk").values_list("pk", flat=True))
        approved = list(
            Roadmap.objects.for_user(user)
            .approved()
            .order_by("pk")
            .values_list("pk", flat=True)[:pdf_plans]
        )
        approved_seen += approved
        if plans:
            regional_accounts.append(
                {
                    "username": user.username,
                    "session": sign_in(user),
                    "plans": plans[:50],
                    "pdf": approved,
                }
            )
    # The approved plans' files, made once as approval makes them, then only served.
    missing = sorted(
        set(approved_seen) - set(PlanFile.objects.values_list("roadmap_id", flat=True))
    )
    if missing:
        call_command(
            "store_plan_files", *[f"--roadmap={pk}" for pk in missing], stdout=io.StringIO()
        )
    data = {
        "schools": school_accounts,
        "municipals": municipal_accounts,
        "regionals": regional_accounts,
    }
    out.write_text(json.dumps(data, ensure_ascii=False))
    print(
        f"  школьных координаторов {len(school_accounts)}, муниципальных "
        f"{len(municipal_accounts)}, региональных операторов {len(regional_accounts)}, "
        f"утверждённых планов с файлами {len(set(approved_seen))}"
    )
    return data


def sign_in(user) -> str:
    """A session for the user, as the login form makes it; returns its key (the cookie)."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "portal.auth.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    return store.session_key


def _school_user(school_id: int, password_hash: str = ""):
    """The coordinator account of a school; the password is the demo one, hashed once by the
    caller (hashing it per account would cost ~0.3 s of CPU each)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from orgs.demo import DEMO_PASSWORD
    from orgs.models import Membership

    user, created = get_user_model().objects.get_or_create(username=f"load-school-{school_id}")
    if created:
        user.password = password_hash or make_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        Membership.objects.create(
            user=user, organization_id=school_id, role=Membership.Role.SCHOOL_COORDINATOR
        )
    return user


def answering_schools(count: int) -> list[dict]:
    """`count` schools of open rounds, each with a coordinator account and a questionnaire not
    yet sent (its earlier submission in the round, if any, is deleted): what the last week of a
    round looks like. Returns, per school, the account, the round, the school and the
    questionnaire's indicators with their options (what the page offers to this school)."""
    from django.contrib.auth.hashers import make_password

    from orgs.demo import DEMO_PASSWORD
    from selfdiag.models import Round, Submission
    from selfdiag.scoring import SchoolProfile, compile_methodology

    rounds = list(
        Round.objects.filter(status=Round.Status.OPEN).select_related("methodology").order_by("pk")
    )
    picked = []
    for round_ in rounds:
        for school in round_.schools.order_by("pk"):
            picked.append((round_, school))
            if len(picked) >= count:
                break
        if len(picked) >= count:
            break
    for round_, school in picked:
        Submission.objects.filter(round=round_, school=school).delete()
    password_hash = make_password(DEMO_PASSWORD)
    compiled_by_methodology = {}
    out = []
    for round_, school in picked:
        compiled = compiled_by_methodology.get(round_.methodology_id)
        if compiled is None:
            compiled = compile_methodology(round_.methodology.as_plain())
            compiled_by_methodology[round_.methodology_id] = compiled
        plan = compiled.plan(SchoolProfile(school.education_levels, school.has_ovz_pupils))
        out.append(
            {
                "username": _school_user(school.pk, password_hash).username,
                "round": round_.pk,
                "school": school.pk,
                "indicators": [
                    [indicator.code, sorted(indicator.points)] for indicator in plan.indicators
                ],
            }
        )
    return out


def wait_until_up(port: int, seconds: int = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://{HOST}:{port}/accounts/login/", timeout=2)
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("gunicorn не ответил за минуту")


def copy_database(pg: Postgres) -> str:
    """A fresh copy of the generated country for this run's edits."""
    import psycopg

    with psycopg.connect(
        f"postgresql://postgres@{HOST}:{pg.port}/postgres", autocommit=True
    ) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {LOAD_DATABASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {LOAD_DATABASE} TEMPLATE {pg.url.rsplit('/', 1)[1]}")
    return pg.url.rsplit("/", 1)[0] + f"/{LOAD_DATABASE}"


def start_server(env: dict, args, port: int, workers: int | None = None) -> subprocess.Popen:
    command = [
        str(BIN / "gunicorn"),
        "portal.wsgi",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(workers or args.workers),
        "--worker-class",
        args.worker_class,
        "--threads",
        str(args.threads),
        "--access-logfile",
        str(ACCESS_LOG),
        "--access-logformat",
        ACCESS_LOG_FORMAT,
        "--error-logfile",
        str(VAR / "load-gunicorn.log"),
    ]
    server = subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True)
    wait_until_up(port)
    return server


def run_step(label: str, users: int, args, env: dict, port: int, servers: list[int]) -> dict:
    """One locust run at `users` simulated people; the steady state's figures and the CPU of
    the gunicorn masters `servers` and their workers."""
    prefix = VAR / "load"
    steady = Path(f"{prefix}_steady.json")
    steady.unlink(missing_ok=True)
    spawn_rate = max(5, users // 2)
    command = [
        str(BIN / "locust"),
        "-f",
        str(ROOT / "bench" / "locustfile.py"),
        "--headless",
        "-u",
        str(users),
        "-r",
        str(spawn_rate),
        "-t",
        f"{args.time + users // spawn_rate + 2}s",
        "--stop-timeout",
        "5",
        "--host",
        f"http://{HOST}:{port}",
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    if args.pin and shutil.which("taskset") and (os.cpu_count() or 1) > 1:
        command = ["taskset", "-c", str((os.cpu_count() or 2) - 1), *command]
    server_before = sum(tree_cpu(server) for server in servers)
    access_offset = ACCESS_LOG.stat().st_size if ACCESS_LOG.exists() else 0
    database_before = tree_cpu(args.database_pid) if args.database_pid else 0.0
    started = time.monotonic()
    generator = subprocess.Popen(
        command,
        env={**env, "LOAD_FIXTURES": str(VAR / "load-fixtures.json"), "LOAD_STEADY": str(steady)},
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    deadline = started + args.time + 180
    while True:
        pid, status, usage = os.wait4(generator.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            generator.kill()
            pid, status, usage = os.wait4(generator.pid, 0)
            break
        time.sleep(0.2)
    generator.returncode = os.waitstatus_to_exitcode(status)
    wall = time.monotonic() - started
    server_cpu = sum(tree_cpu(server) for server in servers) - server_before
    database_cpu = tree_cpu(args.database_pid) - database_before if args.database_pid else None
    result = json.loads(steady.read_text()) if steady.exists() else {"requests": 0}
    with ACCESS_LOG.open(encoding="utf-8", errors="replace") as log:
        log.seek(access_offset)
        result["server"] = server_figures(log.read().splitlines())
    result.update(
        label=label,
        users=users,
        wall=wall,
        server_cpu=server_cpu,
        database_cpu=database_cpu,
        generator_cpu=usage.ru_utime + usage.ru_stime,
    )
    result["ok"] = (
        bool(result["requests"]) and result["failures"] == 0 and result["p95"] <= TARGET_P95
    )
    print(
        f"  {label}: {users} польз., {result.get('rps', 0):.1f} запр/с, p95 "
        f"{result.get('p95', 0):.0f} мс, ответ анкеты p95 "
        f"{result.get('kinds', {}).get(ANSWER, {}).get('p95', 0):.0f} мс, ошибок "
        f"{result.get('failures', '?')}, ЦП сервер {server_cpu:.1f} с / база "
        f"{database_cpu or 0:.1f} с / нагрузчик {result['generator_cpu']:.1f} с за {wall:.0f} с",
        flush=True,
    )
    return result


ANSWER = "анкета: сохранение ответа"


def postmaster_pid(data: Path) -> int | None:
    """The PostgreSQL cluster's main process (the first line of postmaster.pid)."""
    try:
        return int((data / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _ms(value) -> str:
    return "—" if value is None else f"{value:.0f}"


def _seconds(value) -> str:
    return "—" if value is None else f"{value:.1f}"


def _load_text() -> str:
    try:
        load = os.getloadavg()
        return f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}"
    except OSError:
        return "?"


def _answer_p95(run: dict) -> float | None:
    return run.get("kinds", {}).get(ANSWER, {}).get("p95")


def meets_target(run: dict) -> bool:
    answer_p95 = _answer_p95(run)
    return (
        run["ok"]
        and run["rps"] >= TARGET_RPS
        and answer_p95 is not None
        and answer_p95 <= TARGET_ANSWER_P95
    )


def _verdict(run: dict) -> str:
    if meets_target(run):
        return "цель"
    return f"p95 ≤ {TARGET_P95} мс" if run["ok"] else "выше цели"


def summary(runs: dict, args, started: datetime.datetime, redis: bool, load_before: str) -> str:
    """The load section of bench/results.md from the runs (cold, warm and the steps)."""
    steps = runs["steps"]
    passing = [r for r in [runs["warm"], *steps] if r["ok"]]
    best = max(passing, key=lambda r: r["rps"]) if passing else None
    # The target is one load: ≥ TARGET_RPS at p95 ≤ TARGET_P95 without errors, with the
    # autosave's p95 ≤ TARGET_ANSWER_P95 under it. The highest step that holds all of it; the
    # capacity (`best`) may lie above it, where the autosave already waits longer.
    meeting = [r for r in passing if meets_target(r)]
    target = max(meeting, key=lambda r: r["rps"]) if meeting else None
    shown = best or (steps[0] if steps else runs["warm"])
    answer_p95 = _answer_p95(shown)
    met = target is not None
    cores = os.cpu_count() or 0
    server_kind = f"{args.workers} × {args.worker_class}" + (
        f" по {args.threads} потока" if args.worker_class == "gthread" else ""
    )
    if getattr(args, "answer_workers", 0):
        server_kind += (
            f" и отдельный пул {args.answer_workers} × {args.worker_class} для автосохранения "
            "анкеты: прокси направляет на него …/answer/"
        )
    lines = [
        LOAD_START,
        f"## Нагрузка: неделя самодиагностики, PostgreSQL, {args.scale} школ",
        "",
        f"Дата: {started:%Y-%m-%d %H:%M}. gunicorn ({server_kind}, gunicorn.conf.py, DEBUG "
        "выключен, статика через whitenoise) на 127.0.0.1, PostgreSQL (копия сгенерированной "
        "страны), "
        + ("redis-server — общий кеш и сеансы (cached_db)" if redis else "кеш в памяти процесса")
        + "; нагрузчик — один процесс locust (FastHttpUser)"
        + (f", прикреплён к ядру {cores - 1} (taskset)" if args.pin and cores > 1 else "")
        + f"; машина — {cores} ядра, на них же и сервер, и база. Средняя загрузка (1/5/15 мин) "
        f"до и после: {load_before} → {_load_text()}.",
        "",
        f"Кто: школьные координаторы (8 из 11 пользователей; у каждого своя школа из "
        f"{args.schools}, анкета ещё не отправлена): сохранение ответа по одному, как "
        "автосохранение страницы (POST с HX-Request) ×10, анкета ×2, главная ×1, результат "
        "прошлого раунда ×1; "
        "муниципальные координаторы (2 из 11): страница раунда, мониторинг, страницы планов; "
        "региональные операторы (1 из 11): карта дефицитов, страницы планов, API мероприятий, PDF "
        "утверждённого плана (из хранилища). Пауза 1–3 с. Все вошли заранее (сеанс в базе), вход "
        "в замер не входит. Каждая ступень — "
        f"{args.time} с после того, как все пользователи запущены; в замер входят запросы, "
        "начатые через 3 с после запуска последнего (разгон, когда каждый новый координатор "
        "разом открывает анкету, остаётся в таблице locust). Холодный прогон — сразу после "
        "запуска сервера с пустым кешем.",
        "",
        "| прогон | пользователей | запросов в секунду | p50, мс | p95, мс | p99, мс | ошибок | "
        "ответ анкеты p95, мс | p95 на сервере, мс | ЦП сервера, с | ЦП базы, с | "
        "ЦП нагрузчика, с | итог |",
        "| --- |" + " ---: |" * 11 + " --- |",
    ]
    for run in [runs["cold"], runs["warm"], *steps]:
        if not run.get("requests"):
            lines.append(f"| {run['label']} | {run['users']} |" + " — |" * 10 + " нет данных |")
            continue
        kind = run.get("kinds", {}).get(ANSWER, {})
        lines.append(
            f"| {run['label']} | {run['users']} | {run['rps']:.1f} | {run['p50']:.0f} | "
            f"{run['p95']:.0f} | {run['p99']:.0f} | {run['failures']} | "
            f"{kind.get('p95', 0):.0f} | {_ms(run.get('server', {}).get('p95'))} | "
            f"{run['server_cpu']:.1f} | "
            f"{_seconds(run.get('database_cpu'))} | {run['generator_cpu']:.1f} | "
            f"{_verdict(run)} |"
        )
    lines += [
        "",
        "ЦП — секунды за весь прогон ступени (с запуском пользователей): сервер — мастер и "
        "воркеры gunicorn (/proc/<pid>/stat), база — postmaster PostgreSQL и его процессы "
        "(так же), нагрузчик — процесс locust (rusage). Redis — остальное.",
        "",
        f"Запросы по видам ({shown['label']}, {shown['users']} пользователей):",
        "",
        "| запрос | запросов | p50, мс | p95, мс | на сервере: p50, мс | p95, мс |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    on_server = shown.get("server", {}).get("kinds", {})
    for name, kind in sorted(shown.get("kinds", {}).items()):
        own = on_server.get(name, {})
        lines.append(
            f"| {name} | {kind['requests']} | {kind['p50']:.0f} | {kind['p95']:.0f} | "
            f"{_ms(own.get('p50'))} | {_ms(own.get('p95'))} |"
        )
    lines += [
        "",
        "На сервере — время самого gunicorn на запрос (журнал доступа, %(D)s: от чтения запроса "
        "до последнего записанного байта), за всю ступень с запуском пользователей; разница с "
        "временем нагрузчика — ожидание свободного воркера и задержки самого нагрузчика.",
    ]
    headline = (
        f"наибольшая нагрузка с p95 ≤ {TARGET_P95} мс и без ошибок — **{best['rps']:.1f} запросов "
        f"в секунду** ({best['users']} пользователей), сохранение ответа анкеты p95 "
        f"{answer_p95:.0f} мс"
        if best
        else f"ни одна ступень не уложилась в p95 ≤ {TARGET_P95} мс без ошибок"
    )
    reached = (
        f" — {target['rps']:.1f} запросов в секунду ({target['users']} пользователей), p95 "
        f"{target['p95']:.0f} мс, ответ анкеты p95 {_answer_p95(target):.0f} мс"
        if target
        else ""
    )
    lines += [
        "",
        f"Итог: {headline}. Цель — ≥ {TARGET_RPS} запросов в секунду при p95 ≤ {TARGET_P95} мс, "
        f"без ошибок, и под этой нагрузкой ответ анкеты p95 ≤ {TARGET_ANSWER_P95} мс: "
        f"**{'PASS' if met else 'MISS'}**{reached}.",
        "",
        LOAD_END,
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=2000)
    parser.add_argument(
        "--steps",
        default="50,100,150,200,225,250,300",
        help="пользователей на ступенях, через запятую",
    )
    parser.add_argument("--time", type=int, default=30, help="секунд на ступень (5…600)")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument(
        "--answer-workers",
        type=int,
        default=1,
        help="свой пул gunicorn для автосохранения анкеты, как в README (0 — один пул на всё)",
    )
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=1, help="потоков на воркер (gthread)")
    parser.add_argument("--schools", type=int, default=400, help="школьных координаторов")
    parser.add_argument("--no-pin", dest="pin", action="store_false", help="без taskset")
    parser.add_argument("--no-results", action="store_true", help="не писать bench/results.md")
    parser.add_argument("--fixtures", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.fixtures:
        fixtures(args.fixtures, args.schools)
        return
    args.time = max(5, min(args.time, 600))
    steps = [int(v) for v in args.steps.split(",") if v.strip()]
    VAR.mkdir(parents=True, exist_ok=True)
    started = datetime.datetime.now()
    load_before = _load_text()
    use_redis = bool(shutil.which("redis-server"))
    with Postgres(args.scale) as pg:
        prepare(pg.url, pg.done, args.scale)
        args.database_pid = postmaster_pid(pg.data)
        url = copy_database(pg)
        with Redis() if use_redis else contextlib.nullcontext() as redis:
            env = {
                **os.environ,
                "DATABASE_URL": url,
                "DEBUG": "0",
                "LOG_LEVEL": "WARNING",
                "DATABASE_CONN_MAX_AGE": "60",
            }
            if redis is not None:
                env["REDIS_URL"] = redis.url
            python = sys.executable
            for command in (
                ["migrate", "--noinput", "-v0"],
                ["seed_demo"],
                ["collectstatic", "--noinput", "-v0"],
            ):
                subprocess.run(
                    [python, "manage.py", *command],
                    env=env,
                    cwd=ROOT,
                    check=True,
                    stdout=subprocess.DEVNULL,
                )
            subprocess.run(
                [
                    python,
                    __file__,
                    "--fixtures",
                    str(VAR / "load-fixtures.json"),
                    "--schools",
                    str(args.schools),
                ],
                env=env,
                cwd=ROOT,
                check=True,
            )
            port = free_port()
            ACCESS_LOG.unlink(missing_ok=True)
            servers = [start_server(env, args, port)]
            if args.answer_workers:
                # The autosave's own pool, as the proxy would send it …/answer/ (README).
                answer_port = free_port()
                servers.append(start_server(env, args, answer_port, args.answer_workers))
                env = {**env, "LOAD_ANSWER_HOST": f"http://{HOST}:{answer_port}"}
            pids = [server.pid for server in servers]
            try:
                if redis is not None:
                    redis.flush()  # cold: a fresh server and an empty cache
                runs = {"cold": run_step("холодный", steps[0], args, env, port, pids)}
                runs["warm"] = run_step("тёплый", steps[0], args, env, port, pids)
                runs["steps"] = []
                for users in steps[1:]:
                    result = run_step("ступень", users, args, env, port, pids)
                    runs["steps"].append(result)
                    if not result["ok"]:
                        break
            finally:
                for server in servers:
                    os.killpg(server.pid, signal.SIGTERM)
                for server in servers:
                    server.wait(timeout=30)
    text = summary(runs, args, started, use_redis, load_before)
    if not args.no_results:
        write_section(text, LOAD_START, LOAD_END)
    print(text)


if __name__ == "__main__":
    main()
