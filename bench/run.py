"""Benchmarks of the portal at national scale, on SQLite and PostgreSQL, against SQL floors.

    python bench/run.py [--scale 40000] [--db sqlite,postgres] [--out bench/results.md]

For each database it prepares a generated country (`manage.py generate_scale --schools SCALE`;
the SQLite file and the PostgreSQL cluster are kept under var/bench/ and reused), then runs
itself in `--measure` mode in a child process with DATABASE_URL pointing there, and writes one
table to bench/results.md: operation, rows, median time, peak Python memory (tracemalloc),
query count (CaptureQueriesContext), the floor (bench/floors.py, the same question in hand-written
SQL through the same connection) and the ratio to it, the target and PASS/MISS.

The PostgreSQL cluster is a throwaway one like .ci/run's, run as the postgres system user on
127.0.0.1 only, started for the run and stopped after it.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
RESULTS = ROOT / "bench" / "results.md"
PG_PORT = int(os.environ.get("BENCH_PG_PORT", "55433"))
PG_DATABASE = "portal_bench"
BENCH_START, BENCH_END = "<!-- bench:start -->", "<!-- bench:end -->"

sys.path.insert(0, str(ROOT))

from portal import russian  # noqa: E402  (after the repository is on the path)

# Preparing the databases ------------------------------------------------------------------------


def manage(url: str, *args: str) -> None:
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "0"}
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=env, check=True)


def prepare(url: str, done: Path, scale: int) -> None:
    if done.exists():
        print(
            f"== {url}: данные на {russian.count(scale, 'школу,школы,школ')} уже сгенерированы "
            f"({done.name})",
            flush=True,
        )
        return
    manage(url, "migrate", "--noinput", "-v0")
    started = time.monotonic()
    manage(url, "generate_scale", "--schools", str(scale))
    done.write_text(f"{datetime.datetime.now().isoformat()} {time.monotonic() - started:.0f} s\n")


def sqlite_url(scale: int) -> tuple[str, Path]:
    path = VAR / f"scale-{scale}.sqlite3"
    done = VAR / f"scale-{scale}.sqlite3.done"
    if not done.exists():
        for stale in VAR.glob(f"scale-{scale}.sqlite3*"):
            stale.unlink()
    return f"sqlite:///{path}", done


class Postgres:
    """A cluster under var/bench/pg-SCALE, owned by the postgres user, on 127.0.0.1 only."""

    def __init__(self, scale: int | str, port: int = PG_PORT):
        initdb = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=_version_key)
        if not initdb:
            raise SystemExit("PostgreSQL не установлен: apt-get install postgresql")
        self.bin = initdb[-1].parent
        self.dir = VAR / f"pg-{scale}"
        self.data = self.dir / "data"
        self.done = VAR / f"pg-{scale}.done"
        self.port = port
        self.url = f"postgres://postgres@127.0.0.1:{port}/{PG_DATABASE}"

    def _as_postgres(self, *args: str, **kwargs) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", *args], check=True, **kwargs)

    def __enter__(self) -> Postgres:
        if not (self.data / "PG_VERSION").exists():
            shutil.rmtree(self.dir, ignore_errors=True)
            self.done.unlink(missing_ok=True)
            self.dir.mkdir(parents=True)
            shutil.chown(self.dir, "postgres", "postgres")
            self._as_postgres(
                str(self.bin / "initdb"),
                "-D",
                str(self.data),
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                stdout=subprocess.DEVNULL,
            )
        running = subprocess.run(
            [
                "runuser",
                "-u",
                "postgres",
                "--",
                str(self.bin / "pg_ctl"),
                "-D",
                str(self.data),
                "status",
            ],
            stdout=subprocess.DEVNULL,
        )
        if running.returncode == 0:  # left running by an interrupted run: use it
            self._connect()
            return self
        options = (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c shared_buffers=512MB"
        )
        self._as_postgres(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.dir / "log"),
            "-o",
            options,
            "-w",
            "start",
            stdout=subprocess.DEVNULL,
        )
        self._connect()
        return self

    def _connect(self) -> None:
        import psycopg

        with psycopg.connect(
            f"postgresql://postgres@127.0.0.1:{self.port}/postgres", autocommit=True
        ) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [PG_DATABASE]
            ).fetchone()
            if not exists:
                conn.execute(f"CREATE DATABASE {PG_DATABASE}")
                self.done.unlink(missing_ok=True)

    def __exit__(self, *exc) -> None:
        self._as_postgres(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-m",
            "fast",
            "-w",
            "stop",
            stdout=subprocess.DEVNULL,
        )


def _version_key(path: Path):
    return [int(part) if part.isdigit() else part for part in path.parts[-3].split(".")]


# Measuring (in a child process, with Django set up on one database) ------------------------------

MB = 1024 * 1024


def _seconds(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def _medians(fn, floor, repeat: int) -> tuple[float, float | None]:
    """Median times of the operation and of its floor, run in turns: a machine shared with
    other work slows both alike, so their ratio stays honest when the absolute times do not."""
    times, floors_ = [], []
    for _ in range(repeat):
        times.append(_seconds(fn))
        if floor is not None:
            floors_.append(_seconds(floor))
    return statistics.median(times), (statistics.median(floors_) if floors_ else None)


def measure_one(op: dict) -> dict:
    import tracemalloc

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fn, repeat, floor = op["fn"], op.get("repeat", 5), op.get("floor")
    if op.get("warm", True):
        fn()
    if floor is not None:
        floor()
    median, floor_median = _medians(fn, floor, repeat)
    if floor is not None and repeat < 5:
        # A long operation runs once or twice; its cheap floor gets five turns of its own.
        floor_median, _ = _medians(floor, None, 5)
    # Queries and memory in a run of their own: tracing slows Python down, logging SQL too.
    tracemalloc.start()
    with CaptureQueriesContext(connection) as queries:
        rows = fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    result = {
        "name": op["name"],
        "rows": rows,
        "median": median,
        "peak_mb": peak / MB,
        "queries": len(queries),
        "floor": None,
        "ratio": None,
        "target": op["target"],
    }
    if floor is not None:
        result["floor"] = floor_median
        result["ratio"] = median / floor_median if floor_median else None
    checks = []
    if "max_s" in op:
        checks.append(median < op["max_s"])
    if "max_ratio" in op:
        checks.append(result["ratio"] is not None and result["ratio"] <= op["max_ratio"])
    if "max_mb" in op:
        checks.append(result["peak_mb"] < op["max_mb"])
    result["status"] = "PASS" if all(checks) else "MISS"
    print(
        f"  {result['name']}: {russian.count(result['rows'], 'строка,строки,строк')}, "
        f"{median * 1000:.1f} мс, "
        f"{result['peak_mb']:.1f} МБ, запросов {result['queries']}"
        + (
            f", пол {result['floor'] * 1000:.1f} мс (×{result['ratio']:.2f})"
            if op.get("floor")
            else ""
        )
        + f" — {result['status']}",
        flush=True,
    )
    return result


def operations() -> list[dict]:
    import io

    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.db import transaction
    from django.db.models import Count
    from django.test import Client
    from django.utils import timezone

    from bench import floors
    from bench.profile_page import editable_school, largest_approved_plan
    from orgs.models import Organization
    from reports.pdf import plan_pdf
    from reports.xlsx import plan_xlsx
    from roadmaps.importers import parse_document
    from roadmaps.importing import save_parsed_roadmap
    from roadmaps.models import Item, Roadmap
    from scale import generator as scale
    from selfdiag import excel
    from selfdiag.access import schools_in_scope
    from selfdiag.deficit_map import build_deficit_map
    from selfdiag.models import DirectionResult, Round, Submission, school_profile
    from selfdiag.scoring import compile_methodology, score

    User = get_user_model()
    autumn = scale.ROUNDS[1][0]
    largest = (
        Organization.objects.filter(kind="school")
        .values("region_id", "region__code")
        .annotate(n=Count("pk"))
        .order_by("-n", "region_id")
        .first()
    )
    region_id, region_code, region_schools = (
        largest["region_id"],
        largest["region__code"],
        largest["n"],
    )
    operator = User.objects.get(username=f"{scale.USER_PREFIX}op-{region_code}")
    root, _ = User.objects.get_or_create(
        username="bench-root", defaults={"is_superuser": True, "is_staff": True}
    )
    round_ = Round.objects.get(region_id=region_id, name=autumn)
    plan = (
        Roadmap.objects.filter(owner__region_id=region_id, owner__municipality__isnull=True)
        .annotate(n=Count("items"))
        .order_by("-n", "pk")
        .first()
    )
    today = timezone.localdate()

    def deficit_map():
        user = User.objects.get(pk=operator.pk)  # a fresh scope, as in a request
        current = Round.objects.select_related("region", "methodology").get(pk=round_.pk)
        dmap = build_deficit_map(
            current,
            schools=schools_in_scope(user, current),
            results=DirectionResult.objects.for_user(user).counted(),
        )
        return len(dmap.schools)

    def level_distribution():
        rows = list(
            Submission.objects.for_user(User.objects.get(pk=root.pk))
            .scored()
            .filter(round__name=autumn)
            .values("level")
            .annotate(n=Count("pk"))
            .order_by("level")
        )
        return sum(row["n"] for row in rows)

    def api_client(user):
        client = Client(SERVER_NAME="127.0.0.1")
        client.force_login(user)

        def page():
            response = client.get("/api/v1/items/")
            assert response.status_code == 200, response.status_code
            return len(response.json()["results"])

        return page

    def overdue():
        user = User.objects.get(pk=operator.pk)
        return len(
            list(
                Item.objects.for_user(user)
                .overdue(today)
                .order_by("deadline_end", "pk")
                .values_list("pk", "roadmap_id", "deadline_end")
            )
        )

    def pdf():
        plan_pdf(Roadmap.objects.select_related("owner__region").get(pk=plan.pk))
        return plan.n

    def xlsx():
        plan_xlsx(Roadmap.objects.select_related("owner__region").get(pk=plan.pk))
        return plan.n

    directions = list(
        round_.methodology.directions.order_by("position").values_list("code", "name")
    )
    codes = [code for code, _ in directions]

    def round_export():
        submissions = Submission.objects.filter(round__name=autumn, scored_at__isnull=False)
        with tempfile.TemporaryFile(suffix=".xlsx") as handle:
            return excel.write_export(round_, submissions, directions, handle)

    compiled = compile_methodology(round_.methodology.as_plain())
    schools = list(
        Organization.objects.filter(kind="school")
        .only("teaches_noo", "teaches_ooo", "teaches_soo", "has_ovz_pupils")
        .order_by("pk")
    )
    answer_sets = scale.generated_answers(compiled, schools)

    def scoring():
        for profile, answers in answer_sets:
            score(compiled, profile, answers)
        return len(answer_sets)

    docx = scale.plan_docx(300)
    owner = plan.owner

    def docx_import():
        with transaction.atomic():
            parsed = parse_document(io.BytesIO(docx), filename="bench-300.docx")
            roadmap = save_parsed_roadmap(parsed, owner=owner, filename="bench-300.docx")
            count = roadmap.items.count()
            transaction.set_rollback(True)
        return count

    def page_client(user):
        client = Client(SERVER_NAME="127.0.0.1")
        client.force_login(user)
        return client

    # The approved regional plan, opened by the region's operator (warm: rows from the cache).
    approved = largest_approved_plan(region_id)
    plan_page_client = page_client(operator)

    def plan_page():
        response = plan_page_client.get(f"/roadmaps/{approved.pk}/")
        assert response.status_code == 200, response.status_code
        return approved.n

    def plan_page_cold():
        cache.clear()
        return plan_page()

    # Autosave: a municipal coordinator answers for a school of the district in the open round.
    mun_user = User.objects.filter(
        username__startswith=f"{scale.USER_PREFIX}mun-",
        memberships__organization__municipality__region_id=region_id,
    ).first()
    municipality_id = mun_user.memberships.values_list(
        "organization__municipality_id", flat=True
    ).first()
    school = editable_school(
        round_, round_.schools.filter(municipality_id=municipality_id).order_by("pk")
    )
    question = compiled.plan(school_profile(school)).indicators[0]
    choices = [
        option.code for option in round_.methodology.as_plain().indicator(question.code).options
    ]
    answer_client = page_client(mun_user)
    answer_path = f"/selfdiag/rounds/{round_.pk}/schools/{school.pk}/answer/"
    turn = [0]

    def autosave():
        turn[0] += 1
        response = answer_client.post(
            answer_path,
            {"indicator": question.code, "option": choices[turn[0] % len(choices)]},
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 200, response.status_code
        return 1

    region_label = russian.count(region_schools, russian.SCHOOLS)
    return [
        {
            "name": "Анкета: сохранение ответа (автосохранение, htmx)",
            "fn": autosave,
            "floor": lambda: floors.answer_save(school.pk, round_.pk, question.code),
            "max_s": 0.05,
            "target": "< 50 мс",
            "repeat": 21,
        },
        {
            "name": f"Страница утверждённого плана ({approved.n} мероприятий), тёплый кэш",
            "fn": plan_page,
            "max_s": 0.03,
            "target": "< 30 мс",
            "repeat": 21,
        },
        {
            "name": f"Страница утверждённого плана ({approved.n} мероприятий), пустой кэш",
            "fn": plan_page_cold,
            "target": "для сравнения",
            "repeat": 11,
        },
        {
            "name": f"Карта дефицитов крупнейшего региона ({region_label})",
            "fn": deficit_map,
            "floor": lambda: floors.deficit_map(round_.pk, region_id, round_.methodology_id),
            "repeat": 11,
            "max_s": 0.3,
            "max_ratio": 2.0,
            "target": "< 300 мс и ≤ 2× пола",
        },
        {
            "name": "Распределение школ по уровням (страна, раунд)",
            "fn": level_distribution,
            "floor": lambda: floors.level_distribution(autumn),
            "max_ratio": 2.0,
            "target": "≤ 2× пола",
        },
        {
            "name": "API: страница мероприятий (суперпользователь)",
            "fn": api_client(root),
            "floor": lambda: floors.items_page(None),
            "max_s": 0.05,
            "target": "< 50 мс",
            "repeat": 21,
        },
        {
            "name": "API: страница мероприятий (региональный оператор)",
            "fn": api_client(operator),
            "floor": lambda: floors.items_page(region_id),
            "max_s": 0.05,
            "target": "< 50 мс",
            "repeat": 21,
        },
        {
            "name": "Просроченные мероприятия региона (overdue() в области)",
            "fn": overdue,
            "floor": lambda: floors.overdue_items(region_id, today),
            "max_ratio": 2.0,
            "target": "≤ 2× пола",
        },
        {
            "name": f"План ({russian.count(plan.n, russian.ITEMS)}) в PDF",
            "fn": pdf,
            "max_s": 3.0,
            "target": "< 3 с",
            "repeat": 3,
        },
        {
            "name": f"План ({russian.count(plan.n, russian.ITEMS)}) в XLSX",
            "fn": xlsx,
            "max_s": 3.0,
            "target": "< 3 с",
            "repeat": 3,
        },
        {
            "name": "Выгрузка раунда по стране в XLSX",
            "fn": round_export,
            "floor": lambda: floors.round_export(autumn, codes),
            "max_s": 60.0,
            "max_mb": 500.0,
            "target": "< 60 с и < 500 МБ",
            "repeat": 1,
            "warm": False,
        },
        {
            "name": "Подсчёт результатов анкет (score)",
            "fn": scoring,
            "max_s": 60.0,
            "target": "< 60 с",
            "repeat": 1,
            "warm": False,
        },
        {
            "name": "Импорт DOCX на 300 мероприятий",
            "fn": docx_import,
            "max_s": 2.0,
            "target": "< 2 с",
            "repeat": 3,
        },
    ]


def measure(out: Path) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    django.setup()
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            version = f"PostgreSQL {cursor.fetchone()[0]}"
            cursor.execute("ANALYZE")
        else:
            cursor.execute("SELECT sqlite_version()")
            version = f"SQLite {cursor.fetchone()[0]}"
    print(f"== {version}", flush=True)
    load_before = os.getloadavg()[0]
    # BENCH_ONLY="Анкета,утверждённого плана": only the operations whose names contain one of these.
    only = [part for part in os.environ.get("BENCH_ONLY", "").split(",") if part]
    results = [
        measure_one(op)
        for op in operations()
        if not only or any(part in op["name"] for part in only)
    ]
    load = f"{load_before:.1f} → {os.getloadavg()[0]:.1f}"
    out.write_text(
        json.dumps({"db": version, "load": load, "results": results}, ensure_ascii=False)
    )


# Reporting --------------------------------------------------------------------------------------


def machine() -> dict:
    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory = next(
            line.split()[1]
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
        memory = f"{int(memory) / 1024 / 1024:.1f} ГБ"
    except OSError:
        memory = "?"
    import django

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": memory,
        "python": platform.python_version(),
        "django": django.get_version(),
        "os": platform.platform(),
    }


def _ms(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds >= 1:
        return f"{seconds:.2f} с"
    return f"{seconds * 1000:.1f} мс"


def table(run: dict, scale: int) -> str:
    info = machine()
    kind = "postgres" if run["db"].startswith("PostgreSQL") else "sqlite"
    start, end = (
        BENCH_START.replace("bench", f"bench:{kind}"),
        BENCH_END.replace("bench", f"bench:{kind}"),
    )
    lines = [
        start,
        f"## Бенчмарки: {run['db']}, {russian.count(scale, russian.SCHOOLS)}",
        "",
        f"Дата: {datetime.datetime.now():%Y-%m-%d %H:%M}. Машина: {info['cpu']}, ядер "
        f"{info['cores']}, память {info['memory']}; {info['os']}; Python {info['python']}, "
        f"Django {info['django']}, {run['db']}.",
        "",
        "Медиана — по повторам (выгрузка раунда и подсчёт — один прогон); пик памяти — "
        "tracemalloc за отдельный прогон; «пол» — медиана того же вопроса на написанном вручную "
        "SQL (bench/floors.py) через то же соединение, замеры операции и пола — по очереди, "
        "чтобы чужая нагрузка сказывалась на обоих одинаково. Средняя загрузка машины (1 мин) "
        f"в начале и в конце замеров: {run.get('load', '?')} — на двух ядрах шли и другие процессы "
        "команды, времена это включают.",
        "",
        "| операция | строк | медиана | пик памяти | запросов | пол (SQL) | × пола | цель | итог |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for row in run["results"]:
        ratio = f"{row['ratio']:.2f}" if row["ratio"] is not None else "—"
        lines.append(
            f"| {row['name']} | {row['rows']} | {_ms(row['median'])} | "
            f"{row['peak_mb']:.1f} МБ | {row['queries']} | {_ms(row['floor'])} | {ratio} | "
            f"{row['target']} | {row['status']} |"
        )
    lines += ["", end]
    return "\n".join(lines), start, end


def write_section(text: str, start: str, end: str) -> None:
    current = RESULTS.read_text() if RESULTS.exists() else "# Результаты бенчмарков и нагрузки\n"
    if start in current and end in current:
        before, rest = current.split(start, 1)
        _, after = rest.split(end, 1)
        current = before + text + after
    else:
        current = current.rstrip("\n") + "\n\n" + text + "\n"
    RESULTS.write_text(current)


def run_measure(url: str) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        out = Path(handle.name)
    # As in production (portal/settings.py): connections are kept between requests.
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DATABASE_CONN_MAX_AGE": "60",
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
    }
    subprocess.run([sys.executable, __file__, "--measure", str(out)], env=env, check=True, cwd=ROOT)
    data = json.loads(out.read_text())
    out.unlink()
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=40_000, help="число школ")
    parser.add_argument("--db", default="sqlite,postgres", help="sqlite, postgres или оба")
    parser.add_argument(
        "--prepare-only", action="store_true", help="только сгенерировать данные, без замеров"
    )
    parser.add_argument(
        "--skip-pdf",
        action="store_true",
        help="без bench/pdf.py (PDF черновика против LibreOffice, скачивание утверждённого)",
    )
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args.measure)
        return
    VAR.mkdir(parents=True, exist_ok=True)
    runs = []
    for db in args.db.split(","):
        if db == "sqlite":
            url, done = sqlite_url(args.scale)
            prepare(url, done, args.scale)
            if not args.prepare_only:
                runs.append(run_measure(url))
        elif db == "postgres":
            with Postgres(args.scale) as pg:
                prepare(pg.url, pg.done, args.scale)
                if not args.prepare_only:
                    runs.append(run_measure(pg.url))
        else:
            raise SystemExit(f"неизвестная БД: {db}")
    if args.prepare_only:
        return
    for run in runs:
        text, start, end = table(run, args.scale)
        write_section(text, start, end)
        print(text)
    if not args.skip_pdf:
        # Needs no generated country: a base of its own (see bench/pdf.py).
        subprocess.run([sys.executable, str(ROOT / "bench" / "pdf.py")], check=True, cwd=ROOT)


if __name__ == "__main__":
    main()
