"""Load test: gunicorn on 127.0.0.1 driven by locust (headless, bounded in time).

    python bench/load.py [--scale 2000] [--users 30] [--time 60] [--workers 4]

It takes the generated SQLite country of bench/run.py (var/bench/scale-SCALE.sqlite3, made if
missing), copies it to var/bench/load.sqlite3 so that the edits never touch the cached one, loads
the demo users into the copy (`seed_demo`), gives the demo operator a draft version of the
Leningrad plan and the demo municipal coordinator a draft 300-item plan to edit, writes the
fixture file the locustfile reads (accounts, their plans and editable items), starts gunicorn on
127.0.0.1 only, runs locust for --time seconds and writes the summary (requests per second,
p50/p95/p99, failures, per request kind) into bench/results.md.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.run import ROOT, VAR, prepare, sqlite_url, write_section

LOAD_START, LOAD_END = "<!-- load:start -->", "<!-- load:end -->"
HOST = "127.0.0.1"  # loopback only: never any other address
BIN = Path(sys.executable).parent
ACCOUNTS = 12


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def fixtures(out: Path) -> None:
    """Runs with Django set up on the load database: the accounts and what each works on."""
    import io

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    django.setup()
    from django.contrib.auth import get_user_model

    from orgs.demo import DEMO_PASSWORD
    from orgs.models import Organization
    from roadmaps.importers import parse_document
    from roadmaps.importing import save_parsed_roadmap
    from roadmaps.models import Item, Roadmap
    from scale import generator as scale

    User = get_user_model()
    operator = User.objects.get(username="operator")
    municipal = User.objects.get(username="municipal")
    # The demo plans are approved (read-only): the demo users get a draft each to edit.
    if not Roadmap.objects.writable_by(operator).filter(status="draft").exists():
        approved = Roadmap.objects.writable_by(operator).approved().first()
        if approved is not None:
            approved.revise(by=operator)
    if not Roadmap.objects.writable_by(municipal).filter(status="draft").exists():
        office = Organization.objects.for_user(municipal, write=True).bodies().first()
        parsed = parse_document(io.BytesIO(scale.plan_docx(300)), filename="load.docx")
        save_parsed_roadmap(parsed, owner=office, user=municipal, filename="load.docx")
    for user in User.objects.filter(username__startswith=scale.USER_PREFIX):
        user.set_password(DEMO_PASSWORD)  # one password for every account of the test
        user.save(update_fields=["password"])

    # Who is online at once, by role: the portal has 89 regional operators, 2,400 municipal
    # coordinators and 40,000 schools, so schools are the most of any realistic crowd. The mix
    # is 2 regional operators, 3 municipal coordinators and 7 school coordinators.
    region_editors = (
        Roadmap.objects.filter(status="draft", owner__kind__in=["regional_authority"])
        .values_list("owner__region__code", flat=True)
        .distinct()
    )
    op_names = [f"{scale.USER_PREFIX}op-{code}" for code in region_editors]
    operators = [operator, *User.objects.filter(username__in=op_names)]
    mun_prefix = f"{scale.USER_PREFIX}mun-"
    municipals = [
        municipal,
        *User.objects.filter(username__startswith=mun_prefix).order_by("pk")[:2],
    ]
    schools = [User.objects.get(username="school"), *school_coordinators(6)]
    users = operators[:2] + municipals[:3] + schools[:7]
    accounts = []
    for user in users[:ACCOUNTS]:
        plans = list(Roadmap.objects.for_user(user).order_by("pk").values_list("pk", flat=True))
        items = list(
            Item.objects.filter(
                roadmap__in=Roadmap.objects.writable_by(user).filter(
                    status__in=Roadmap.EDITABLE_STATUSES
                )
            )
            .order_by("pk")
            .values_list("roadmap_id", "pk")
        )
        if plans:
            accounts.append({"username": user.username, "plans": plans[:50], "items": items})
    out.write_text(
        json.dumps({"password": DEMO_PASSWORD, "accounts": accounts}, ensure_ascii=False)
    )
    print(
        "  учётные записи: "
        + ", ".join(
            f"{a['username']} (планов {len(a['plans'])}, правок {len(a['items'])})"
            for a in accounts
        )
    )


def school_coordinators(count: int) -> list:
    """Coordinators of generated schools that keep a plan of their own: the generator makes
    accounts for regions and municipalities only, so the load database gets these."""
    from orgs.models import Organization
    from roadmaps.models import Roadmap

    owners = (
        Roadmap.objects.filter(owner__kind=Organization.Kind.SCHOOL, status="draft")
        .order_by("owner_id")
        .values_list("owner_id", flat=True)
        .distinct()[:count]
    )
    return [_school_user(owner_id) for owner_id in owners]


def _school_user(school_id: int):
    from django.contrib.auth import get_user_model

    from orgs.demo import DEMO_PASSWORD
    from orgs.models import Membership

    user, created = get_user_model().objects.get_or_create(username=f"load-school-{school_id}")
    if created:
        user.set_password(DEMO_PASSWORD)
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
    out = []
    for round_, school in picked:
        compiled = compile_methodology(round_.methodology.as_plain())
        plan = compiled.plan(SchoolProfile(school.education_levels, school.has_ovz_pupils))
        out.append(
            {
                "username": _school_user(school.pk).username,
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


def summary(prefix: Path, args, started: datetime.datetime) -> str:
    with open(f"{prefix}_stats.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    steady = json.loads(Path(f"{prefix}_steady.json").read_text())
    rps, failures, p95 = steady["rps"], steady["failures"], steady["p95"]
    status = "PASS" if failures == 0 and p95 < 300 and rps >= 50 else "MISS"
    try:
        load = os.getloadavg()
        load_text = f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}"
    except OSError:
        load_text = "?"
    lines = [
        LOAD_START,
        f"## Нагрузка: {args.scale} школ, {args.users} пользователей, {args.time} с",
        "",
        f"Дата: {started:%Y-%m-%d %H:%M}. gunicorn на 127.0.0.1, {args.workers} воркера (sync), "
        f"SQLite (копия сгенерированной базы), DEBUG выключен; locust --headless -u "
        f"{args.users} -r {args.spawn_rate} -t {args.time}s на той же машине (2 ядра). Средняя "
        f"загрузка машины (1/5/15 мин) после прогона: {load_text}.",
        "",
        "Кто: 2 региональных оператора, 3 муниципальных координатора, 7 школьных координаторов "
        "(школ в стране в 17 раз больше, чем муниципалитетов). Смесь: главная ×3, страница "
        "плана ×3 (любой план, который пользователь видит), API-список мероприятий плана ×3, "
        "правка мероприятия через API (чтение + PATCH с lock_version) ×1; пауза 0,2–0,6 с; вход "
        "через форму с CSRF.",
        "",
        "| запрос | запросов | ошибок | в секунду | p50, мс | p95, мс | p99, мс |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        name = "**всего**" if row["Name"] == "Aggregated" else f"{row['Type']} {row['Name']}"
        lines.append(
            f"| {name} | {row['Request Count']} | {row['Failure Count']} | "
            f"{float(row['Requests/s']):.1f} | {row['50%']} | {row['95%']} | {row['99%']} |"
        )
    lines += [
        "",
        "Установившийся режим (после того как все пользователи запущены и вошли; вход "
        "хеширует пароль и бывает раз за сеанс): "
        f"{steady['requests']} запросов, {rps:.1f} в секунду, p50 "
        f"{steady['p50']:.0f} мс, p95 {p95:.0f} мс, p99 {steady['p99']:.0f} мс, ошибок "
        f"{failures}.",
        "",
        f"Цель: без ошибок, p95 < 300 мс при ≥ 50 запросах в секунду — **{status}**.",
        "",
        LOAD_END,
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=2000)
    parser.add_argument("--users", type=int, default=30)
    parser.add_argument("--time", type=int, default=60, help="секунд нагрузки (не больше 600)")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--spawn-rate", type=int, default=5, help="новых пользователей в секунду")
    parser.add_argument("--fixtures", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.fixtures:
        fixtures(args.fixtures)
        return
    args.time = max(5, min(args.time, 600))
    VAR.mkdir(parents=True, exist_ok=True)
    source, done = sqlite_url(args.scale)
    prepare(source, done, args.scale)
    database = VAR / "load.sqlite3"
    for stale in VAR.glob("load.sqlite3*"):
        stale.unlink()
    shutil.copyfile(VAR / f"scale-{args.scale}.sqlite3", database)
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
        "DATABASE_CONN_MAX_AGE": "60",
    }
    python = sys.executable
    subprocess.run(
        [python, "manage.py", "migrate", "--noinput", "-v0"], env=env, cwd=ROOT, check=True
    )
    subprocess.run(
        [python, "manage.py", "seed_demo"], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL
    )
    fixture_file = VAR / "load-fixtures.json"
    subprocess.run(
        [python, __file__, "--fixtures", str(fixture_file)], env=env, cwd=ROOT, check=True
    )

    port = free_port()
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "portal.wsgi",
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            str(args.workers),
            "--access-logfile",
            "/dev/null",
            "--error-logfile",
            str(VAR / "load-gunicorn.log"),
        ],
        env=env,
        cwd=ROOT,
        start_new_session=True,
    )
    started = datetime.datetime.now()
    prefix = VAR / "load"
    try:
        wait_until_up(port)
        subprocess.run(
            [
                str(BIN / "locust"),
                "-f",
                str(ROOT / "bench" / "locustfile.py"),
                "--headless",
                "-u",
                str(args.users),
                "-r",
                str(args.spawn_rate),
                "-t",
                f"{args.time}s",
                "--stop-timeout",
                "5",
                "--host",
                f"http://{HOST}:{port}",
                "--csv",
                str(prefix),
                "--only-summary",
            ],
            env={
                **env,
                "LOAD_FIXTURES": str(fixture_file),
                "LOAD_STEADY": f"{prefix}_steady.json",
            },
            cwd=ROOT,
            timeout=args.time + 120,
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    text = summary(prefix, args, started)
    write_section(text, LOAD_START, LOAD_END)
    print(text)


if __name__ == "__main__":
    main()
