"""The pure parts of the load harness (bench/load.py, bench/figures.py), so they cannot rot: the
load test itself needs minutes and is not part of the suite."""

import io
import json
import os
from types import SimpleNamespace

import pytest
from django.core.management import call_command

from bench import load, run
from bench.figures import Steady, server_figures, steady_figures


def test_parse_stat_reads_cpu_after_a_command_name_with_spaces_and_parentheses():
    fields = ["S", "41", *["0"] * 9, "250", "150", "30", "20", *["0"] * 30]
    line = "1234 (gunicorn: worker (portal)) " + " ".join(fields)
    parent, own, children = load.parse_stat(line)
    assert parent == 41
    assert own == pytest.approx(400 / load.CLK_TCK)
    assert children == pytest.approx(50 / load.CLK_TCK)


def test_tree_cpu_counts_this_process():
    sum(i * i for i in range(300_000))  # some CPU of our own
    assert load.tree_cpu(os.getpid()) > 0
    assert load.tree_cpu(2**22 + 12345) == 0.0  # gone: nothing, no error


def test_steady_figures_per_kind():
    records = [(t / 10, "answer" if t % 2 else "page", float(t), t == 7) for t in range(1, 21)]
    figures = steady_figures(records)
    assert figures["requests"] == 20 and figures["failures"] == 1
    assert figures["rps"] == pytest.approx(20 / 1.9)
    assert figures["p50"] == 11 and figures["p95"] == 19
    assert figures["kinds"]["answer"]["requests"] == 10
    assert figures["kinds"]["page"]["p95"] == 20


def test_the_steady_state_leaves_out_requests_started_during_the_ramp():
    steady = Steady()
    steady.record("анкета", 30.0, False, started=100.0, now=1.0)  # before the last user
    steady.begin(105.0)
    steady.record("анкета", 900.0, False, started=104.5, now=2.0)  # queued in the ramp's burst
    steady.record("анкета", 25.0, False, started=105.0, now=3.0)
    steady.record("главная", 40.0, True, started=106.0, now=4.0)
    steady.record("главная", 40.0, False, started=None, now=5.0)  # no start time: not counted
    assert steady.records == [(3.0, "анкета", 25.0, False), (4.0, "главная", 40.0, True)]


def test_server_figures_read_gunicorns_access_log_per_kind():
    lines = [
        "POST /selfdiag/rounds/2/schools/419/answer/ 200 15000",
        "POST /selfdiag/rounds/2/schools/419/answer/ 200 25000",
        "GET /selfdiag/rounds/2/schools/419/ 200 30000",
        "GET /roadmaps/17/ 200 400000",
        "GET /roadmaps/monitoring/ 200 60000",
        "GET /static/css/portal.css 200 1000",
        "a line gunicorn did not write in this format",
    ]
    figures = server_figures(lines)
    assert figures["requests"] == 6
    kinds = figures["kinds"]
    assert kinds["анкета: сохранение ответа"] == {"p50": 15.0, "p95": 25.0}
    assert kinds["анкета"]["p95"] == 30.0 and kinds["страница плана"]["p95"] == 400.0
    assert kinds["мониторинг"]["p50"] == 60.0  # not taken for a plan page
    assert "GET /static/css/portal.css" in kinds
    assert figures["p95"] == 400.0


def _run(label, users, rps, p95, answer_p95, failures=0):
    return {
        "label": label,
        "users": users,
        "requests": int(rps * 30),
        "rps": rps,
        "p50": p95 / 3,
        "p95": p95,
        "p99": p95 * 1.5,
        "failures": failures,
        "ok": failures == 0 and p95 <= load.TARGET_P95,
        "server_cpu": 40.0,
        "database_cpu": 12.0,
        "generator_cpu": 4.0,
        "kinds": {load.ANSWER: {"requests": 100, "p50": 10, "p95": answer_p95}},
        "server": {"p95": p95 / 2, "kinds": {load.ANSWER: {"p50": 7, "p95": answer_p95 / 2}}},
    }


def test_summary_names_the_highest_passing_step_and_the_verdict(tmp_path, monkeypatch):
    args = SimpleNamespace(
        scale=2000,
        time=30,
        workers=3,
        answer_workers=1,
        worker_class="sync",
        threads=1,
        schools=400,
        pin=True,
    )
    runs = {
        "cold": _run("холодный", 25, 12.0, 400, 60),
        "warm": _run("тёплый", 25, 12.0, 90, 20),
        "steps": [_run("ступень", 200, 104.5, 180, 40), _run("ступень", 300, 130.0, 450, 90)],
    }
    text = load.summary(runs, args, load.datetime.datetime(2026, 12, 5, 12), True, "1 / 1 / 1")
    assert text.startswith(load.LOAD_START) and text.endswith(load.LOAD_END)
    assert "**104.5 запросов в секунду** (200 пользователей)" in text
    assert "**PASS**" in text
    assert "3 × sync и отдельный пул 1 × sync для автосохранения анкеты" in text
    # server p95, then the server's, the database's and the generator's CPU
    assert "| 90 | 40.0 | 12.0 | 4.0 | цель |" in text  # the step that meets the whole target
    assert "| 45 | 40.0 | 12.0 | 4.0 | p95 ≤ 200 мс |" in text  # warm: 12 requests a second
    assert f"| {load.ANSWER} | 100 | 10 | 40 | 7 | 20 |" in text  # the server's own p50 and p95
    runs["steps"][0]["kinds"][load.ANSWER]["p95"] = 70  # the autosave too slow: a miss
    assert "**MISS**" in load.summary(runs, args, load.datetime.datetime.now(), True, "?")
    # A higher passing step with a slow autosave does not hide a lower one that meets it all.
    runs["steps"] = [
        _run("ступень", 210, 101.2, 120, 45),
        _run("ступень", 250, 121.0, 190, 95),
        _run("ступень", 300, 130.0, 450, 200),
    ]
    later = load.summary(runs, args, load.datetime.datetime.now(), True, "?")
    assert "**121.0 запросов в секунду** (250 пользователей)" in later
    assert "**PASS** — 101.2 запросов в секунду (210 пользователей), p95 120 мс" in later
    assert "ответ анкеты p95 45 мс." in later
    runs["steps"][0]["rps"] = 99.0  # under the rate: no step meets the target
    assert "**MISS**." in load.summary(runs, args, load.datetime.datetime.now(), True, "?")

    results = tmp_path / "results.md"
    results.write_text(f"# R\n\nbefore\n\n{load.LOAD_START}\nold\n{load.LOAD_END}\n\nafter\n")
    monkeypatch.setattr(run, "RESULTS", results)
    run.write_section(text, load.LOAD_START, load.LOAD_END)
    written = results.read_text()
    assert "old" not in written and "before" in written and "after" in written
    assert written.count(load.LOAD_START) == 1 and "104.5" in written


@pytest.mark.slow
@pytest.mark.django_db
def test_fixtures_sign_people_in_with_questionnaires_to_fill(tmp_path, client):
    from django.contrib.sessions.models import Session

    from reports.models import PlanFile
    from selfdiag.models import Answer, Submission

    call_command("generate_scale", schools=60, stdout=io.StringIO())
    out = tmp_path / "fixtures.json"
    data = load.fixtures(out, 4, municipals=2, regionals=1, pdf_plans=1)
    assert json.loads(out.read_text()) == data
    assert len(data["schools"]) == 4 and data["municipals"] and data["regionals"]
    assert len({s["school"] for s in data["schools"]}) == 4
    for school in data["schools"]:
        assert Submission.objects.get(
            round_id=school["round"], school_id=school["school"]
        ).is_editable
        assert school["indicators"] and all(options for _, options in school["indicators"])
    regional = data["regionals"][0]
    assert regional["pdf"] and PlanFile.objects.filter(roadmap_id__in=regional["pdf"]).exists()
    assert Session.objects.filter(session_key=data["municipals"][0]["session"]).exists()

    # The request the locustfile makes, with the session the fixture made.
    first = data["schools"][0]
    client.cookies["sessionid"] = first["session"]
    code, options = first["indicators"][0]
    response = client.post(
        f"/selfdiag/rounds/{first['round']}/schools/{first['school']}/answer/",
        {"indicator": code, "option": options[0]},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert Answer.objects.filter(
        submission__school_id=first["school"], indicator__code=code, option__code=options[0]
    ).exists()
