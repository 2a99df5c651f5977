"""Profile one page of the portal on a generated country: where its time goes.

    python bench/profile_page.py PAGE [--scale 2000] [--db sqlite|URL] [-n 20] [--top 30]

PAGE is one of the names below. The page is requested through Django's test client with all
middleware (as bench/run.py does), once to warm up, then N times under cProfile; prints the
median wall time and the functions with the largest cumulative time (only the
portal's own code and Django's template and ORM layers, the rest is noise). Uses the SQLite
file bench/run.py generated (`bench/run.py --scale N --db sqlite --prepare-only`) unless --db
gives a DATABASE_URL.

(Not bench/profile.py: the script's folder comes first on sys.path, and a profile.py there
would hide the standard library's, which cProfile imports.)
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGES = {
    "plan": "approved regional plan (the largest), regional operator",
    "plan-cold": "the same with an empty cache before each request",
    "answer": "autosave of one answer (htmx POST), municipal coordinator",
    "questionnaire": "the questionnaire of a school, municipal coordinator",
    "round": "the round page of the open round, municipal coordinator",
    "result": "the result page of a scored school, municipal coordinator",
    "result-school": "the result page of the last round, its school's coordinator",
    "home": "the home page, municipal coordinator",
    "home-school": "the home page, a school coordinator filling in the open round",
    "middleware": "a 404 page: only the middleware, session and user around nothing",
    "monitoring": "monitoring of plans, municipal coordinator",
    "plan-municipal": "the municipality's own approved plan, its municipal coordinator",
    "plan-draft": "the largest municipal draft (or returned) plan, its municipal coordinator",
    "plan-review": "the largest municipal plan on review, its municipal coordinator",
    "plan-draft-regional": "the largest regional draft plan, its regional operator",
    "deficit-map": "the deficit map, regional operator",
    "api-items": "GET /api/v1/items/?roadmap= of the largest regional plan, regional operator",
}


def _setup(db: str, scale: int) -> None:
    url = db if "://" in db else f"sqlite:///{ROOT / 'var' / 'bench' / f'scale-{scale}.sqlite3'}"
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    # As Django's own test runner: keep one connection through the requests, so the queries of
    # a request can be counted (and a new connection per request is not what is measured).
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)


def editable_school(round_, schools):
    """The first school of `schools` with its questionnaire open for answers: in a generated
    country every school has sent its questionnaire, so the first one's is returned for
    revision (in the bench database only)."""
    from selfdiag.models import Submission

    school = schools.first()
    Submission.objects.filter(round=round_, school=school).update(status="returned")
    return school


def answering_school_user(round_, schools):
    """A school coordinator as the load test makes them (bench/load.py): the account of the
    second school of `schools`, whose questionnaire in `round_` is a fresh draft (its earlier
    submission deleted, in the bench database only); returns (user, school)."""
    from bench.load import _school_user
    from selfdiag.models import Submission

    school = schools[1]
    submission = Submission.objects.filter(round=round_, school=school).first()
    if submission is None or submission.status != Submission.Status.DRAFT:
        Submission.objects.filter(round=round_, school=school).delete()
        Submission.start(round_, school)
    return _school_user(school.pk), school


def largest_approved_plan(region_id):
    """The region's own approved plan with the most items (`n` holds the count)."""
    from django.db.models import Count

    from roadmaps.models import Roadmap

    return (
        Roadmap.objects.filter(
            owner__region_id=region_id,
            owner__municipality__isnull=True,
            status=Roadmap.Status.APPROVED,
        )
        .annotate(n=Count("items"))
        .order_by("-n", "pk")
        .first()
    )


def plan_of_kind(kind: str, statuses: tuple[str, ...]):
    """The plan of an organization of `kind` in one of `statuses` with the most items, and who
    works on it in the load test: a member of its owner, for a regional plan the region's
    operator."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from orgs.models import Membership
    from roadmaps.models import Roadmap
    from scale import generator as scale

    plans = Roadmap.objects.filter(owner__kind=kind, status__in=statuses)
    plan = plans.annotate(n=Count("items")).order_by("-n", "pk").first()
    if kind == "regional_authority":
        code = plan.owner.region.code
        return plan, get_user_model().objects.get(username=f"{scale.USER_PREFIX}op-{code}")
    member = Membership.objects.filter(organization_id=plan.owner_id).order_by("pk").first()
    return plan, member.user


def _request(page: str):
    """A function doing one request of `page`, asserting its status."""
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.db.models import Count
    from django.test import Client

    from orgs.models import Organization
    from scale import generator as scale
    from selfdiag.models import Round, Submission, school_profile
    from selfdiag.scoring import compile_methodology

    User = get_user_model()
    region_id, region_code = (
        Organization.objects.filter(kind="school")
        .values_list("region_id", "region__code")
        .annotate(n=Count("pk"))
        .order_by("-n", "region_id")
        .first()[:2]
    )
    operator = User.objects.get(username=f"{scale.USER_PREFIX}op-{region_code}")
    municipal = User.objects.filter(
        username__startswith=f"{scale.USER_PREFIX}mun-",
        memberships__organization__municipality__region_id=region_id,
    ).first()
    municipality_id = municipal.memberships.values_list(
        "organization__municipality_id", flat=True
    ).first()
    round_ = Round.objects.get(region_id=region_id, name=scale.ROUNDS[1][0])

    def client(user):
        c = Client(SERVER_NAME="127.0.0.1")
        c.force_login(user)
        return c

    def get(c, path, status=200):
        def run():
            response = c.get(path)
            assert response.status_code == status, (path, response.status_code)

        return run

    if page in ("plan", "plan-cold"):
        plan = largest_approved_plan(region_id)
        warm = get(client(operator), f"/roadmaps/{plan.pk}/")
        if page == "plan":
            return warm

        def cold():
            cache.clear()
            warm()

        return cold
    schools = round_.schools.filter(municipality_id=municipality_id).order_by("pk")
    if page in ("answer", "questionnaire"):
        school = editable_school(round_, schools)
        if page == "questionnaire":
            return get(client(municipal), f"/selfdiag/rounds/{round_.pk}/schools/{school.pk}/")
        methodology = round_.methodology.as_plain()
        question = compile_methodology(methodology).plan(school_profile(school)).indicators[0]
        options = [o.code for o in methodology.indicator(question.code).options]
        c, turn = client(municipal), [0]

        def answer():
            turn[0] += 1
            response = c.post(
                f"/selfdiag/rounds/{round_.pk}/schools/{school.pk}/answer/",
                {"indicator": question.code, "option": options[turn[0] % len(options)]},
                HTTP_HX_REQUEST="true",
            )
            assert response.status_code == 200, response.status_code

        return answer
    if page == "round":
        return get(client(municipal), f"/selfdiag/rounds/{round_.pk}/")
    if page == "result":
        scored = Submission.objects.filter(
            round=round_, school__municipality_id=municipality_id, scored_at__isnull=False
        ).first()
        return get(
            client(municipal), f"/selfdiag/rounds/{round_.pk}/schools/{scored.school_id}/result/"
        )
    if page == "home":
        return get(client(municipal), "/")
    if page == "monitoring":
        return get(client(municipal), "/roadmaps/monitoring/")
    if page in ("plan-municipal", "plan-draft", "plan-review", "plan-draft-regional"):
        kind = "regional_authority" if page == "plan-draft-regional" else "municipal_authority"
        statuses = {"plan-municipal": ("approved",), "plan-review": ("review",)}.get(
            page, ("draft", "returned")
        )
        plan, user = plan_of_kind(kind, statuses)
        return get(client(user), f"/roadmaps/{plan.pk}/")
    if page == "deficit-map":
        return get(client(operator), "/reports/deficit-map/")
    if page == "api-items":
        plan = largest_approved_plan(region_id)
        return get(client(operator), f"/api/v1/items/?roadmap={plan.pk}")
    if page in ("home-school", "result-school"):
        user, school = answering_school_user(round_, schools)
        if page == "home-school":
            return get(client(user), "/")
        last = Submission.objects.get(
            school=school, round__region_id=region_id, round__name=scale.ROUNDS[0][0]
        )
        return get(client(user), f"/selfdiag/rounds/{last.round_id}/schools/{school.pk}/result/")
    if page == "middleware":
        return get(client(municipal), "/no-such-page/", status=404)
    raise SystemExit(f"неизвестная страница: {page}; есть: {', '.join(PAGES)}")


def print_queries(run) -> None:
    """The queries of one request of `run`, in order, with their wall time."""
    from django.db import connection

    timed = []

    def timer(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timed.append(((time.perf_counter() - started) * 1000, sql))

    started = time.perf_counter()
    with connection.execute_wrapper(timer):
        run()
    total = (time.perf_counter() - started) * 1000
    for ms, sql in timed:
        print(f"{ms:7.2f} мс  {sql[:300]}")
    in_db = sum(ms for ms, _ in timed)
    print(f"запросов {len(timed)}, в базе {in_db:.1f} мс из {total:.1f} мс запроса")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("page", choices=sorted(PAGES))
    parser.add_argument("--scale", type=int, default=2000)
    parser.add_argument("--db", default="sqlite")
    parser.add_argument("-n", type=int, default=20)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--sort", default="cumulative", help="pstats order: cumulative, tottime")
    parser.add_argument(
        "--cpu", action="store_true", help="profile processor time only (not waiting on the db)"
    )
    parser.add_argument(
        "--sql", action="store_true", help="print the queries of one request with their times"
    )
    args = parser.parse_args()
    _setup(args.db, args.scale)
    run = _request(args.page)
    run()
    if args.sql:
        print_queries(run)
        return
    times, cpu = [], []
    for _ in range(args.n):
        started, started_cpu = time.perf_counter(), time.process_time()
        run()
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    profile = cProfile.Profile(time.process_time) if args.cpu else cProfile.Profile()
    profile.enable()
    for _ in range(args.n):
        run()
    profile.disable()
    print(f"{args.page}: {PAGES[args.page]}")
    print(
        f"медиана {statistics.median(times) * 1000:.1f} мс, процессор портала "
        f"{statistics.median(cpu) * 1000:.1f} мс (без профилировщика, {args.n} раз)"
    )
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out).sort_stats(args.sort)
    stats.print_stats(args.top)
    print(out.getvalue())


if __name__ == "__main__":
    main()
