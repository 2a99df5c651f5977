"""The PDF of a plan: a draft drawn by WeasyPrint against LibreOffice converting the same table,
side by side, and the download of an approved plan's stored PDF.

    python bench/pdf.py [--items 150] [--runs 5] [--requests 51] [--out bench/results.md]

`make bench` runs it after the database benchmarks (bench/run.py). It needs no generated
country: a SQLite base of its own (var/bench/pdf.sqlite3, migrated once) holds a plan imported
from the generated Word document of ITEMS items (scale.generator.plan_docx), like any uploaded
plan. LibreOffice comes from Debian's libreoffice-writer-nogui, installed here when absent.

What is measured, in a child process with Django set up (as bench/run.py does):

- WeasyPrint: `reports.pdf.plan_pdf` of the draft (the watermark and empty grif of a draft),
  in the process, wall and CPU time (`time.process_time`); also the same without the PDF's
  structure tags (`pdf_tags=False`), with whole fonts instead of subsets, and with
  WeasyPrint's own HTML5 user-agent stylesheet instead of static/css/print-ua.css, to show
  what those cost;
- LibreOffice: `soffice --headless --convert-to pdf` of the Word file the portal exports for
  the same plan (`reports.docx.plan_docx`: the same rows, grif and glossary), as a whole
  process, wall and CPU (the children's rusage), and the same for a one-row document, whose
  time is LibreOffice's start-up and shut-down;
- they run in turns (A B A B …) after a warm-up run each, and the medians are compared;
- the approved download: the plan is submitted and approved (`Roadmap.approve`; the files are
  made by the background task, run at once here), then `GET /reports/roadmaps/<pk>/pdf/`
  through Django's test client with every middleware, the body read to the end; median over
  REQUESTS requests, and the queries of one.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import resource
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
START, END = "<!-- bench:pdf:start -->", "<!-- bench:pdf:end -->"
DB = VAR / "pdf.sqlite3"

sys.path.insert(0, str(ROOT))

from portal import russian  # noqa: E402  (after the repository is on the path)

# LibreOffice --------------------------------------------------------------------------------------


def soffice() -> str:
    """The soffice binary; Debian's libreoffice-writer-nogui is installed when there is none."""
    found = shutil.which("soffice")
    if found:
        return found
    print("== LibreOffice не найден: apt-get install libreoffice-writer-nogui", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    subprocess.run([*sudo, "apt-get", "update", "-q"], env=env, check=True)
    subprocess.run(
        [
            *sudo,
            "apt-get",
            "install",
            "-y",
            "-q",
            "--no-install-recommends",
            "libreoffice-writer-nogui",
        ],
        env=env,
        check=True,
    )
    found = shutil.which("soffice")
    if not found:
        raise SystemExit("soffice не появился после установки libreoffice-writer-nogui")
    return found


def soffice_version(binary: str) -> str:
    out = subprocess.run([binary, "--version"], capture_output=True, text=True, check=False)
    return " ".join(out.stdout.split()[:2]) or "LibreOffice"


def convert(binary: str, source: Path, outdir: Path, profile: Path) -> tuple[float, float]:
    """One `soffice --convert-to pdf` as a whole process: (wall, CPU) seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        [
            binary,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(outdir),
            str(source),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    pdf = outdir / (source.stem + ".pdf")
    if not pdf.exists() or not pdf.read_bytes().startswith(b"%PDF"):
        raise SystemExit(f"LibreOffice не сделал PDF из {source.name}")
    return wall, cpu


# Measuring (in the child, Django set up) ----------------------------------------------------------


def timed(fn) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def median_pair(pairs) -> dict:
    return {
        "wall": statistics.median(pair[0] for pair in pairs),
        "cpu": statistics.median(pair[1] for pair in pairs),
        "min": min(pair[0] for pair in pairs),
        "max": max(pair[0] for pair in pairs),
        "runs": len(pairs),
    }


def cast(items: int):
    """The owner, its coordinator (the author) and a portal administrator (the approver), and a
    new draft imported from the generated Word document."""
    import io

    from django.contrib.auth import get_user_model

    from orgs.models import Membership, Organization, Region
    from roadmaps.importers import parse_document
    from roadmaps.importing import save_parsed_roadmap
    from scale.generator import plan_docx

    User = get_user_model()
    region, _ = Region.objects.get_or_create(code="47", defaults={"name": "Ленинградская область"})
    owner, _ = Organization.objects.get_or_create(
        short_name="ГАОУ ДПО «ЛОИРО»",
        defaults={
            "region": region,
            "kind": Organization.Kind.REGIONAL_OPERATOR,
            "name": "Государственное автономное образовательное учреждение дополнительного "
            "профессионального образования «Ленинградский областной институт развития "
            "образования»",
        },
    )
    author, created = User.objects.get_or_create(username="bench-author")
    if created:
        Membership.objects.create(
            user=author, organization=owner, role=Membership.Role.REGIONAL_OPERATOR
        )
    approver, _ = User.objects.get_or_create(
        username="bench-root", defaults={"is_superuser": True, "is_staff": True}
    )
    source = plan_docx(items)
    parsed = parse_document(io.BytesIO(source), filename=f"bench-{items}.docx")
    plan = save_parsed_roadmap(parsed, owner=owner, user=author, filename=f"bench-{items}.docx")
    return plan, author, approver


def weasyprint_variant(roadmap, **options):
    """plan_pdf with other write_pdf options (the bench's own comparison, not the portal's)."""
    from reports import pdf

    def draw():
        real = pdf.HTML.write_pdf

        def write_pdf(self, *args, **kwargs):
            return real(self, *args, **{**kwargs, **options})

        pdf.HTML.write_pdf = write_pdf
        try:
            return pdf.plan_pdf(roadmap)
        finally:
            pdf.HTML.write_pdf = real

    return draw


def measure(out: Path, items: int, runs: int, requests: int, binary: str) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from reports import stored
    from reports.docx import plan_docx
    from reports.models import PlanFile
    from reports.pdf import plan_pdf
    from roadmaps.models import Roadmap

    plan, author, approver = cast(items)
    count = plan.items.count()
    draft = Roadmap.objects.select_related("owner__region").get(pk=plan.pk)
    print(f"== План на {russian.count(count, russian.ITEMS)} (черновик, pk={plan.pk})", flush=True)

    work = Path(tempfile.mkdtemp(prefix="bench-pdf-"))
    profile = work / "lo-profile"
    docx = work / "plan.docx"
    docx.write_bytes(plan_docx(draft))
    tiny = work / "tiny.docx"
    from docx import Document

    document = Document()
    document.add_paragraph("Пустой документ для замера запуска LibreOffice.")
    document.save(tiny)

    variants = {
        "weasyprint": lambda: plan_pdf(draft),
        "weasyprint_untagged": weasyprint_variant(draft, pdf_tags=False),
        "weasyprint_full_fonts": weasyprint_variant(draft, full_fonts=True),
        "weasyprint_full_ua": lambda: plan_pdf(draft, user_agent=None),
    }
    samples: dict[str, list] = {name: [] for name in [*variants, "libreoffice", "lo_start"]}
    # Warm-up: fonts and templates loaded, LibreOffice's profile made.
    plan_pdf(draft)
    convert(binary, docx, work, profile)
    convert(binary, tiny, work, profile)
    draft_size = len(plan_pdf(draft))
    for turn in range(runs):
        for name, fn in variants.items():
            samples[name].append(timed(fn))
        samples["libreoffice"].append(convert(binary, docx, work, profile))
        samples["lo_start"].append(convert(binary, tiny, work, profile))
        print(
            f"  прогон {turn + 1}: WeasyPrint {samples['weasyprint'][-1][0]:.2f} с, "
            f"LibreOffice {samples['libreoffice'][-1][0]:.2f} с",
            flush=True,
        )
    lo_size = (work / "plan.pdf").stat().st_size
    shutil.rmtree(work, ignore_errors=True)

    # The draft through the page, as a user downloads it (drawn on each request).
    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(author)
    url = reverse("reports:roadmap-pdf", args=[plan.pk])

    def download():
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        return b"".join(response.streaming_content)

    draft_page = median_pair([timed(download) for _ in range(3)])

    # Approval: the background task (run at once here) stores the files on commit.
    plan.submit(by=author)
    plan = Roadmap.objects.get(pk=plan.pk)
    started = time.perf_counter()
    plan.approve(
        by=approver,
        kind="распоряжение",
        number="3.12-1331-р",
        date=datetime.date(2026, 9, 1),
        name="Е.В. Иванова",
        position="Ректор",
    )
    approve_seconds = time.perf_counter() - started
    row = PlanFile.objects.get(roadmap=plan, format="pdf")
    with row.file.open("rb") as handle:
        stored_pdf = handle.read()
    download()  # warm
    served = [timed(download) for _ in range(requests)]
    with CaptureQueriesContext(connection) as queries:
        body = download()
    assert body == stored_pdf, "the download is not the stored file"
    approved = Roadmap.objects.select_related("owner").get(pk=plan.pk)
    assert stored.fresh(approved, "pdf") is not None

    result = {
        "items": count,
        "runs": runs,
        "requests": requests,
        "libreoffice_version": soffice_version(binary),
        "weasyprint_version": __import__("weasyprint").__version__,
        "draft_pdf_bytes": draft_size,
        "libreoffice_pdf_bytes": lo_size,
        "stored_pdf_bytes": len(stored_pdf),
        "stored_render_cpu": row.render_seconds,
        "approve_seconds": approve_seconds,
        "draft_page": draft_page,
        "approved_download": median_pair(served),
        "approved_queries": len(queries),
        **{name: median_pair(pairs) for name, pairs in samples.items()},
        "ratios": [
            a[0] / b[0] for a, b in zip(samples["weasyprint"], samples["libreoffice"], strict=True)
        ],
        "cpu_ratios": [
            a[1] / b[1] for a, b in zip(samples["weasyprint"], samples["libreoffice"], strict=True)
        ],
        "load": os.getloadavg()[0],
    }
    out.write_text(json.dumps(result, ensure_ascii=False))


# Reporting ---------------------------------------------------------------------------------------


def _s(seconds: float) -> str:
    return f"{seconds:.2f} с" if seconds >= 1 else f"{seconds * 1000:.1f} мс"


def report(data: dict, load_before: float) -> str:
    from bench.run import machine

    info = machine()
    w, lo, start = data["weasyprint"], data["libreoffice"], data["lo_start"]
    ratio = statistics.median(data["ratios"])
    lo_net = lo["wall"] - start["wall"]
    # Judged by the pairs (A B A B …): the machine's speed drifts between them less.
    draft_ok = ratio <= 1.0
    served = data["approved_download"]
    served_ok = served["wall"] <= 0.05
    rows = [
        (
            "WeasyPrint, `plan_pdf` черновика (в процессе портала)",
            w,
            f"{data['draft_pdf_bytes'] / 1024:.0f} КБ",
        ),
        ("— то же без тегов структуры (`pdf_tags=False`)", data["weasyprint_untagged"], ""),
        ("— то же с целыми шрифтами (`full_fonts=True`)", data["weasyprint_full_fonts"], ""),
        (
            "— то же с полной таблицей стилей браузера WeasyPrint вместо `print-ua.css`",
            data["weasyprint_full_ua"],
            "",
        ),
        (
            f"LibreOffice {data['libreoffice_version'].split()[-1]}: DOCX портала → PDF "
            "(процесс целиком)",
            lo,
            f"{data['libreoffice_pdf_bytes'] / 1024:.0f} КБ",
        ),
        ("— LibreOffice: документ из одной строки (запуск и выход)", start, ""),
        ("Черновик: скачивание PDF страницей (рисуется на каждый запрос)", data["draft_page"], ""),
    ]
    lines = [
        START,
        f"## PDF плана: черновик против LibreOffice, скачивание утверждённого ({data['items']} "
        "мероприятий)",
        "",
        f"Дата: {datetime.datetime.now():%Y-%m-%d %H:%M}. Машина: {info['cpu']}, ядер "
        f"{info['cores']}, память {info['memory']}; {info['os']}; Python {info['python']}, "
        f"Django {info['django']}, WeasyPrint {data['weasyprint_version']}, "
        f"{data['libreoffice_version']}; SQLite. Средняя загрузка (1 мин) в начале и в конце: "
        f"{load_before:.1f} → {data['load']:.1f}.",
        "",
        "Один и тот же план (импорт сгенерированного DOCX на "
        f"{russian.count(data['items'], russian.ITEMS)}). "
        "WeasyPrint и LibreOffice — по очереди, после прогрева; прогонов каждого: "
        f"{data['runs']}; медиана (мин–макс). Процессорное время: WeasyPrint — `process_time` "
        "процесса портала, LibreOffice — rusage дочерних процессов. Скачивание черновика "
        "страницей — медиана трёх запросов.",
        "",
        "| что | медиана (стена) | мин–макс | процессор | размер PDF |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for label, stats, size in rows:
        lines.append(
            f"| {label} | {_s(stats['wall'])} | {_s(stats['min'])}–{_s(stats['max'])} | "
            f"{_s(stats['cpu'])} | {size} |"
        )
    lines += [
        "| **Утверждённый: скачивание сохранённого PDF** (медиана; HTTP-запросов: "
        f"{data['requests']}, запросов к БД в одном: {data['approved_queries']}) | "
        f"{_s(served['wall'])} | "
        f"{_s(served['min'])}–{_s(served['max'])} | {_s(served['cpu'])} | "
        f"{data['stored_pdf_bytes'] / 1024:.0f} КБ |",
        "",
        f"- Черновик: WeasyPrint / LibreOffice = {ratio:.2f} по времени и "
        f"{statistics.median(data['cpu_ratios']):.2f} по процессору (медианы отношений по "
        f"парам прогонов); цель «не дольше LibreOffice» — **{'PASS' if draft_ok else 'MISS'}**. "
        "LibreOffice здесь — процесс целиком, как его запускают для одного файла; без запуска "
        f"и выхода (минус документ из одной строки) он верстает ту же таблицу за "
        f"~{_s(max(lo_net, 0))}: сам движок LibreOffice быстрее WeasyPrint в несколько раз.",
        f"- Утверждённый: скачивание {_s(served['wall'])} при цели ≤ 50 мс — "
        f"**{'PASS' if served_ok else 'MISS'}**; файл сделан при утверждении фоновым заданием "
        f"({_s(data['stored_render_cpu'])} процессора на PDF; утверждение вместе с заданием, "
        f"выполненным сразу, — {_s(data['approve_seconds'])}), отдаётся из хранилища и совпадает "
        "с сохранённым байт в байт.",
        "",
        END,
    ]
    return "\n".join(lines)


def write_section(text: str) -> None:
    current = RESULTS.read_text() if RESULTS.exists() else "# Результаты бенчмарков и нагрузки\n"
    if START in current and END in current:
        before, rest = current.split(START, 1)
        _, after = rest.split(END, 1)
        current = before + text + after
    else:
        current = current.rstrip("\n") + "\n\n" + text + "\n"
    RESULTS.write_text(current)


def prepare() -> str:
    url = f"sqlite:///{DB}"
    done = VAR / "pdf.sqlite3.done"
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "0"}
    # Migrations added since the last run are applied; a fresh base is made once.
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "-v0"],
        env=env,
        check=True,
    )
    done.write_text(datetime.datetime.now().isoformat() + "\n")
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=150)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--requests", type=int, default=51)
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--soffice", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args.measure, args.items, args.runs, args.requests, args.soffice)
        return
    binary = soffice()
    VAR.mkdir(parents=True, exist_ok=True)
    url = prepare()
    media = VAR / "pdf-media"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
        "MEDIA_ROOT": str(media),
        # The background task that makes the files runs at once, in this process.
        "TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
    }
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        out = Path(handle.name)
    load_before = os.getloadavg()[0]
    subprocess.run(
        [
            sys.executable,
            __file__,
            "--measure",
            str(out),
            "--items",
            str(args.items),
            "--runs",
            str(args.runs),
            "--requests",
            str(args.requests),
            "--soffice",
            binary,
        ],
        env=env,
        check=True,
        cwd=ROOT,
    )
    data = json.loads(out.read_text())
    out.unlink()
    text = report(data, load_before)
    write_section(text)
    print(text)


if __name__ == "__main__":
    main()
