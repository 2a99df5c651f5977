"""Every URL of the portal, as every role, with the status each must get.

Add a row to ROUTES with each new URL: test_every_url_is_in_the_privacy_table fails until you do.
Statuses: 200 ok, 302 to the login page (anonymous), 403 read-only or no such role,
404 out of scope.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.factories import calendar_feed_token

ROLES = ("anonymous", "operator", "municipal", "school", "viewer", "outsider", "superuser")


@dataclass
class Route:
    url: Callable  # world -> path
    expect: dict[str, int]
    method: str = "get"
    data: Callable = field(default=lambda world: {})


def everyone(status=200, **overrides):
    statuses = dict.fromkeys(ROLES, status)
    statuses["anonymous"] = 302
    statuses.update(overrides)
    return statuses


# Plans of the Gatchina district office for the roadmap rows, made once per test: a draft,
# one on review and an approved one. A school sees its district's plans only once approved.
def _plan(w, status="draft"):
    from tests.factories import make_small_plan

    plans = w.__dict__.setdefault("plans", {})
    if status not in plans:
        plans[status] = make_small_plan(w.omsu, status=status)
    return plans[status]


def _section(w, status="draft"):
    return _plan(w, status).sections.get()


def _item(w, status="draft"):
    return _plan(w, status).items.get()


def _party(w, status="draft"):
    return _plan(w, status).parties.get()


def _roadmap_url(name, part=_plan, status="draft", query=""):
    return lambda w: reverse(f"roadmaps:{name}", args=[part(w, status).pk]) + query


# A district draft: who reads it, who edits it.
PLAN_READ = everyone(school=404, outsider=404)
PLAN_WRITE_PAGE = everyone(school=404, viewer=403, outsider=404)
PLAN_WRITE_POST = everyone(302, school=404, viewer=403, outsider=404)
# A district plan on review: the region reviews it, the district waits.
PLAN_REVIEW = everyone(403, operator=200, school=404, outsider=404, superuser=200)
PLAN_REVIEW_POST = everyone(403, operator=302, school=404, outsider=404, superuser=302)
# An approved plan: read-only to everyone, the school included.
APPROVED_WRITE = everyone(403, outsider=404)


# Execution: a report with a PDF on an item of the district's plan, made once per test.
# Reports go on approved plans (and drafts) by those who write the owner; the school only reads.
def _evidence(w, status="approved"):
    from django.core.files.base import ContentFile

    from tests.factories import make_report

    reports = w.__dict__.setdefault("evidence", {})
    if status not in reports:
        reports[status] = make_report(
            _item(w, status),
            author=w.municipal,
            files=[ContentFile(b"%PDF-1.4\n%%EOF\n", name="Приказ.pdf")],
        )
    return reports[status]


def _evidence_file(w, status="approved"):
    return _evidence(w, status).files.get()


REPORT_DATA = {"status": "in_progress", "date": "2024-03-01", "comment": "Совещание проведено"}
APPROVED_REPORT_POST = everyone(302, school=403, viewer=403, outsider=404)
REPORT_AUTHOR_ONLY = everyone(403, municipal=200, outsider=404)
REPORT_AUTHOR_ONLY_POST = everyone(403, municipal=302, outsider=404)


# A self-diagnosis round of the region (made once per test) with world.school's sent answers;
# the sibling school has not started.
def _round(w):
    from tests.factories import make_round, make_submission

    if "selfdiag_round" not in w.__dict__:
        w.selfdiag_round = make_round(w.region, [w.school, w.sibling_school, w.other_school])
        make_submission(w.selfdiag_round, w.school, {"Z1": "no"}, status="submitted")
    return w.selfdiag_round


def _round_url(name, school=None):
    if school is None:
        return lambda w: reverse(f"selfdiag:{name}", args=[_round(w).pk])
    return lambda w: reverse(f"selfdiag:{name}", args=[_round(w).pk, getattr(w, school).pk])


# Reviewers of the round's schools (the region, the district) load and check results.
ROUND_REVIEWERS = everyone(403, operator=200, municipal=200, superuser=200, outsider=404)
ROUND_REVIEWERS_POST = everyone(403, operator=302, municipal=302, superuser=302, outsider=404)
# Writers of a school answer for it; the sibling school is outside the school user's scope.
SIBLING_WRITE_POST = everyone(302, school=404, viewer=403, outsider=404)
# A job (jobs/) is its user's alone: the regional operator's is a 404 to everyone else.
JOB_OWNER = everyone(404, operator=200)

ROUTES: dict[str, list[Route]] = {
    "home": [Route(lambda w: reverse("home"), everyone())],
    "login": [
        Route(lambda w: reverse("login"), everyone(anonymous=200, **dict.fromkeys(ROLES[1:], 302)))
    ],
    # Probes for the load balancer answer everyone, signed in or not.
    "healthz": [Route(lambda w: reverse("healthz"), everyone(anonymous=200))],
    "readyz": [Route(lambda w: reverse("readyz"), everyone(anonymous=200))],
    # The icon is public: the login page shows it too.
    "favicon": [Route(lambda w: reverse("favicon"), everyone(301, anonymous=301))],
    "password_change": [Route(lambda w: reverse("password_change"), everyone())],
    "password_change_done": [Route(lambda w: reverse("password_change_done"), everyone())],
    "orgs:municipality-detail": [
        # The operator's region: everyone there but the school sees the district.
        Route(
            lambda w: reverse("orgs:municipality-detail", args=[w.municipality.pk]),
            everyone(outsider=404),
        ),
        Route(
            lambda w: reverse("orgs:municipality-detail", args=[w.other_municipality.pk]),
            everyone(municipal=404, school=404, outsider=404),
        ),
    ],
    "orgs:organization-detail": [
        Route(
            lambda w: reverse("orgs:organization-detail", args=[w.school.pk]),
            everyone(outsider=404),
        ),
        Route(
            lambda w: reverse("orgs:organization-detail", args=[w.sibling_school.pk]),
            everyone(school=404, outsider=404),
        ),
        Route(
            lambda w: reverse("orgs:organization-detail", args=[w.foreign_school.pk]),
            everyone(404, outsider=200, superuser=200),
        ),
    ],
    "orgs:directory-import": [
        Route(
            lambda w: reverse("orgs:directory-import"),
            everyone(403, operator=200, superuser=200),
        )
    ],
    "orgs:directory-import-confirm": [
        Route(
            lambda w: reverse("orgs:directory-import-confirm"),
            everyone(405),
        ),
        Route(
            lambda w: reverse("orgs:directory-import-confirm"),
            everyone(404, operator=302, superuser=302),
            method="post",
            data=lambda w: {"region": w.region.pk, "token": "0" * 32},
        ),
    ],
    "roadmaps:import": [
        Route(
            lambda w: reverse("roadmaps:import"),
            everyone(200, viewer=403),
        )
    ],
    "roadmaps:import-confirm": [
        Route(lambda w: reverse("roadmaps:import-confirm"), everyone(405)),
        Route(
            lambda w: reverse("roadmaps:import-confirm"),
            everyone(302, viewer=403),
            method="post",
            data=lambda w: {"token": "0" * 32},
        ),
    ],
    "roadmaps:roadmap-list": [Route(lambda w: reverse("roadmaps:roadmap-list"), everyone())],
    "roadmaps:roadmap-create": [
        Route(lambda w: reverse("roadmaps:roadmap-create"), everyone(viewer=403)),
        Route(
            lambda w: reverse("roadmaps:roadmap-create"),
            everyone(200, operator=302, municipal=302, viewer=403, superuser=302),
            method="post",
            # The district office: theirs to create a plan for, a wrong choice for the others.
            data=lambda w: {"owner": w.omsu.pk, "title": "План на 2025 год", "period": "2025"},
        ),
    ],
    "roadmaps:roadmap-detail": [
        Route(_roadmap_url("roadmap-detail"), PLAN_READ),
        Route(_roadmap_url("roadmap-detail", status="approved"), everyone(outsider=404)),
    ],
    "roadmaps:roadmap-edit": [
        Route(_roadmap_url("roadmap-edit"), PLAN_WRITE_PAGE),
        Route(_roadmap_url("roadmap-edit", status="approved"), APPROVED_WRITE),
    ],
    "roadmaps:paste-rows": [
        Route(_roadmap_url("paste-rows"), PLAN_WRITE_PAGE),
        Route(_roadmap_url("paste-rows", status="approved"), APPROVED_WRITE),
    ],
    "roadmaps:roadmap-submit": [
        Route(_roadmap_url("roadmap-submit"), everyone(405)),
        Route(_roadmap_url("roadmap-submit"), PLAN_WRITE_POST, method="post"),
    ],
    "roadmaps:roadmap-approve": [
        Route(_roadmap_url("roadmap-approve", status="review"), PLAN_REVIEW),
        Route(
            _roadmap_url("roadmap-approve", status="review"),
            PLAN_REVIEW_POST,
            method="post",
            data=lambda w: {
                "kind": "распоряжение",
                "number": "3.12-1331-р",
                "date": "2024-09-26",
                "name": "Е.В. Иванова",
                "position": "Председатель комитета",
            },
        ),
        Route(
            _roadmap_url("roadmap-approve", status="approved"),
            everyone(302, municipal=403, school=403, viewer=403, outsider=404),
        ),
    ],
    "roadmaps:roadmap-return": [
        Route(_roadmap_url("roadmap-return", status="review"), PLAN_REVIEW),
        Route(
            _roadmap_url("roadmap-return", status="review"),
            PLAN_REVIEW_POST,
            method="post",
            data=lambda w: {"comment": "Уточните сроки раздела 1."},
        ),
    ],
    "roadmaps:roadmap-revise": [
        Route(_roadmap_url("roadmap-revise", status="approved"), everyone(405)),
        Route(
            _roadmap_url("roadmap-revise", status="approved"),
            everyone(302, school=403, viewer=403, outsider=404),
            method="post",
        ),
    ],
    "roadmaps:roadmap-compare": [Route(_roadmap_url("roadmap-compare"), PLAN_READ)],
    "roadmaps:roadmap-history": [Route(_roadmap_url("roadmap-history"), PLAN_READ)],
    "roadmaps:deadline-preview": [
        Route(_roadmap_url("deadline-preview", query="?deadline_text=Февраль-март"), PLAN_READ)
    ],
    "roadmaps:section-add": [
        Route(_roadmap_url("section-add"), PLAN_WRITE_PAGE),
        Route(
            _roadmap_url("section-add"),
            PLAN_WRITE_POST,
            method="post",
            data=lambda w: {"number": "2.", "title": "Информационное сопровождение"},
        ),
        Route(_roadmap_url("section-add", status="approved"), APPROVED_WRITE),
    ],
    "roadmaps:glossary": [Route(_roadmap_url("glossary"), PLAN_READ)],
    "roadmaps:party-add": [
        Route(_roadmap_url("party-add"), everyone(405)),
        Route(
            _roadmap_url("party-add"),
            PLAN_WRITE_POST,
            method="post",
            data=lambda w: {
                "name": "ОМСУ",
                "full_name": "Органы местного самоуправления",
                "kind": "category",
                "in_glossary": "on",
            },
        ),
        Route(
            _roadmap_url("party-add", status="approved"),
            APPROVED_WRITE,
            method="post",
            data=lambda w: {"name": "ОМСУ", "kind": "category"},
        ),
    ],
    "roadmaps:section-row": [Route(_roadmap_url("section-row", _section), PLAN_READ)],
    "roadmaps:section-edit": [
        Route(_roadmap_url("section-edit", _section), PLAN_WRITE_PAGE),
        Route(_roadmap_url("section-edit", _section, "approved"), APPROVED_WRITE),
    ],
    "roadmaps:section-move": [
        Route(_roadmap_url("section-move", _section), everyone(405)),
        Route(
            _roadmap_url("section-move", _section),
            PLAN_WRITE_POST,
            method="post",
            data=lambda w: {"direction": "up"},
        ),
    ],
    "roadmaps:section-delete": [
        Route(_roadmap_url("section-delete", _section), everyone(405)),
        Route(_roadmap_url("section-delete", _section), PLAN_WRITE_POST, method="post"),
        Route(_roadmap_url("section-delete", _section, "approved"), APPROVED_WRITE, method="post"),
    ],
    "roadmaps:item-add": [
        Route(_roadmap_url("item-add", _section), PLAN_WRITE_PAGE),
        Route(_roadmap_url("item-add", _section, "approved"), APPROVED_WRITE),
    ],
    "roadmaps:item-row": [Route(_roadmap_url("item-row", _item), PLAN_READ)],
    "roadmaps:item-edit": [
        Route(_roadmap_url("item-edit", _item), PLAN_WRITE_PAGE),
        Route(
            _roadmap_url("item-edit", _item),
            PLAN_WRITE_POST,
            method="post",
            data=lambda w: {
                "number": "1.1.",
                "title": "Совещание муниципальных координаторов",
                "deadline_text": "Февраль-март",
                "status": "in_progress",
                "responsible": ["ИМЦ"],
                "lock_version": 0,
            },
        ),
        Route(_roadmap_url("item-edit", _item, "approved"), APPROVED_WRITE),
    ],
    "roadmaps:item-move": [
        Route(_roadmap_url("item-move", _item), everyone(405)),
        Route(
            _roadmap_url("item-move", _item),
            PLAN_WRITE_POST,
            method="post",
            data=lambda w: {"direction": "down"},
        ),
    ],
    "roadmaps:item-delete": [
        Route(_roadmap_url("item-delete", _item), everyone(405)),
        Route(_roadmap_url("item-delete", _item), PLAN_WRITE_POST, method="post"),
        Route(_roadmap_url("item-delete", _item, "approved"), APPROVED_WRITE, method="post"),
    ],
    "roadmaps:party-row": [Route(_roadmap_url("party-row", _party), PLAN_READ)],
    "roadmaps:party-edit": [
        Route(_roadmap_url("party-edit", _party), PLAN_WRITE_PAGE),
        Route(_roadmap_url("party-edit", _party, "approved"), APPROVED_WRITE),
    ],
    "roadmaps:party-delete": [
        Route(_roadmap_url("party-delete", _party), everyone(405)),
        Route(_roadmap_url("party-delete", _party), PLAN_WRITE_POST, method="post"),
        Route(_roadmap_url("party-delete", _party, "approved"), APPROVED_WRITE, method="post"),
    ],
    "roadmaps:item-reports": [
        Route(_roadmap_url("item-reports", _item), PLAN_READ),
        Route(_roadmap_url("item-reports", _item, "approved"), everyone(outsider=404)),
    ],
    "roadmaps:item-report": [
        Route(_roadmap_url("item-report", _item, "approved"), everyone(405)),
        Route(
            _roadmap_url("item-report", _item, "approved"),
            APPROVED_REPORT_POST,
            method="post",
            data=lambda w: REPORT_DATA,
        ),
        Route(
            _roadmap_url("item-report", _item),
            PLAN_WRITE_POST,
            method="post",
            data=lambda w: REPORT_DATA,
        ),
    ],
    "roadmaps:evidence-download": [
        Route(
            _roadmap_url("evidence-download", _evidence_file, "approved"), everyone(outsider=404)
        ),
        Route(_roadmap_url("evidence-download", _evidence_file), PLAN_READ),
    ],
    # Corrections: only the report's author (the district's coordinator), only on a plan in force.
    "roadmaps:report-edit": [
        Route(_roadmap_url("report-edit", _evidence, "approved"), REPORT_AUTHOR_ONLY),
        Route(_roadmap_url("report-edit", _evidence), everyone(403, school=404, outsider=404)),
        Route(
            _roadmap_url("report-edit", _evidence, "approved"),
            REPORT_AUTHOR_ONLY_POST,
            method="post",
            data=lambda w: REPORT_DATA,
        ),
    ],
    "roadmaps:report-withdraw": [
        Route(_roadmap_url("report-withdraw", _evidence, "approved"), everyone(405)),
        Route(
            _roadmap_url("report-withdraw", _evidence, "approved"),
            REPORT_AUTHOR_ONLY_POST,
            method="post",
        ),
    ],
    "roadmaps:evidence-remove": [
        Route(_roadmap_url("evidence-remove", _evidence_file, "approved"), everyone(405)),
        Route(
            _roadmap_url("evidence-remove", _evidence_file, "approved"),
            REPORT_AUTHOR_ONLY_POST,
            method="post",
        ),
    ],
    "roadmaps:item-rollup": [
        Route(_roadmap_url("item-rollup", _item, "approved"), everyone(outsider=404)),
        Route(_roadmap_url("item-rollup", _item), PLAN_READ),
    ],
    "roadmaps:monitoring": [Route(lambda w: reverse("roadmaps:monitoring"), everyone())],
    "roadmaps:roadmap-from-template": [
        Route(lambda w: reverse("roadmaps:roadmap-from-template"), everyone(viewer=403)),
        Route(
            lambda w: reverse("roadmaps:roadmap-from-template"),
            # The district's approved plan is a template for its school; the outsider does
            # not see it, so the form comes back with an error.
            everyone(302, viewer=403, outsider=200),
            method="post",
            data=lambda w: {
                "source": _plan(w, "approved").pk,
                "owner": w.school.pk,
                "title": "План мероприятий школы на 2025 год",
                "period": "2025",
            },
        ),
    ],
    "selfdiag:round-list": [Route(lambda w: reverse("selfdiag:round-list"), everyone())],
    "selfdiag:round-create": [
        Route(
            lambda w: reverse("selfdiag:round-create"),
            everyone(403, operator=200, superuser=200),
        )
    ],
    "selfdiag:round-detail": [Route(_round_url("round-detail"), everyone(outsider=404))],
    "selfdiag:round-status": [
        Route(_round_url("round-status"), everyone(405)),
        Route(
            _round_url("round-status"),
            everyone(403, operator=302, superuser=302, outsider=404),
            method="post",
            data=lambda w: {"status": "closed"},
        ),
    ],
    "selfdiag:round-template": [Route(_round_url("round-template"), ROUND_REVIEWERS)],
    "selfdiag:round-import": [Route(_round_url("round-import"), ROUND_REVIEWERS)],
    "selfdiag:round-import-confirm": [
        Route(_round_url("round-import-confirm"), everyone(405)),
        Route(
            _round_url("round-import-confirm"),
            ROUND_REVIEWERS_POST,
            method="post",
            data=lambda w: {"token": "0" * 32},
        ),
    ],
    "selfdiag:round-export": [Route(_round_url("round-export"), everyone(outsider=404))],
    "selfdiag:questionnaire": [
        Route(_round_url("questionnaire", "school"), everyone(outsider=404)),
        Route(_round_url("questionnaire", "sibling_school"), everyone(school=404, outsider=404)),
        Route(
            _round_url("questionnaire", "other_school"),
            everyone(municipal=404, school=404, outsider=404),
        ),
    ],
    "selfdiag:answer": [
        Route(_round_url("answer", "sibling_school"), everyone(405)),
        Route(
            _round_url("answer", "sibling_school"),
            SIBLING_WRITE_POST,
            method="post",
            data=lambda w: {"indicator": "Z2", "option": "full"},
        ),
    ],
    "selfdiag:submit": [
        Route(_round_url("submit", "sibling_school"), everyone(405)),
        Route(_round_url("submit", "sibling_school"), SIBLING_WRITE_POST, method="post"),
    ],
    "selfdiag:result": [
        Route(_round_url("result", "school"), everyone(outsider=404)),
        # Nothing sent yet: the page leads to the questionnaire.
        Route(_round_url("result", "sibling_school"), everyone(302, school=404, outsider=404)),
    ],
    "selfdiag:review": [
        Route(_round_url("review", "school"), everyone(405)),
        Route(
            _round_url("review", "school"),
            ROUND_REVIEWERS_POST,
            method="post",
            data=lambda w: {"action": "return", "comment": "Проверьте ответ Z1."},
        ),
    ],
    "selfdiag:plan-from-deficits": [
        Route(_round_url("plan-from-deficits", "school"), everyone(viewer=403, outsider=404)),
    ],
    # /reports/: downloads follow the plan's readers; a feed answers to its key, not to a login.
    "reports:roadmap-pdf": [
        Route(lambda w: reverse("reports:roadmap-pdf", args=[_plan(w).pk]), PLAN_READ),
        Route(
            lambda w: reverse("reports:roadmap-pdf", args=[_plan(w, "approved").pk]),
            everyone(outsider=404),
        ),
    ],
    "reports:roadmap-xlsx": [
        Route(lambda w: reverse("reports:roadmap-xlsx", args=[_plan(w).pk]), PLAN_READ),
        Route(
            lambda w: reverse("reports:roadmap-xlsx", args=[_plan(w, "approved").pk]),
            everyone(outsider=404),
        ),
    ],
    "reports:roadmap-docx": [
        Route(lambda w: reverse("reports:roadmap-docx", args=[_plan(w).pk]), PLAN_READ),
        Route(
            lambda w: reverse("reports:roadmap-docx", args=[_plan(w, "approved").pk]),
            everyone(outsider=404),
        ),
    ],
    "reports:calendar": [
        Route(lambda w: reverse("reports:calendar"), everyone()),
        Route(lambda w: f"{reverse('reports:calendar')}?roadmap={_plan(w).pk}", PLAN_READ),
    ],
    "reports:calendar-reset": [
        Route(lambda w: reverse("reports:calendar-reset"), everyone(405)),
        Route(lambda w: reverse("reports:calendar-reset"), everyone(302), method="post"),
    ],
    "reports:calendar-feed": [
        Route(
            lambda w: reverse("reports:calendar-feed", args=[calendar_feed_token(w.operator)]),
            dict.fromkeys(ROLES, 200),
        ),
        Route(
            lambda w: reverse("reports:calendar-feed", args=["0" * 43]), dict.fromkeys(ROLES, 404)
        ),
    ],
    "reports:roadmap-calendar-feed": [
        # The operator's key opens the district draft and the school's does not, whoever asks.
        Route(
            lambda w: reverse(
                "reports:roadmap-calendar-feed",
                args=[_plan(w).pk, calendar_feed_token(w.operator)],
            ),
            dict.fromkeys(ROLES, 200),
        ),
        Route(
            lambda w: reverse(
                "reports:roadmap-calendar-feed",
                args=[_plan(w).pk, calendar_feed_token(w.school_user)],
            ),
            dict.fromkeys(ROLES, 404),
        ),
    ],
    # /reports/ analytics: the round of _round(w) is the region's; the outsider sees no round.
    "reports:deficit-map": [
        Route(lambda w: reverse("reports:deficit-map"), everyone()),
        Route(
            lambda w: f"{reverse('reports:deficit-map')}?round={_round(w).pk}",
            everyone(outsider=404),
        ),
        Route(
            lambda w: (
                f"{reverse('reports:deficit-map')}?round={_round(w).pk}"
                f"&municipality={w.other_municipality.pk}"
            ),
            everyone(municipal=404, school=404, outsider=404),
        ),
    ],
    "reports:deficit-map-xlsx": [
        Route(
            lambda w: f"{reverse('reports:deficit-map-xlsx')}?round={_round(w).pk}",
            everyone(outsider=404),
        ),
    ],
    "reports:deficit-map-pdf": [
        Route(
            lambda w: f"{reverse('reports:deficit-map-pdf')}?round={_round(w).pk}",
            everyone(outsider=404),
        ),
    ],
    "reports:deficit-cell": [
        Route(
            lambda w: (
                reverse("reports:deficit-cell", args=[_round(w).pk, w.school.pk])
                + "?direction=znanie"
            ),
            everyone(outsider=404),
        ),
        # The sibling school has sent nothing: no cell to open.
        Route(
            lambda w: (
                reverse("reports:deficit-cell", args=[_round(w).pk, w.sibling_school.pk])
                + "?direction=znanie"
            ),
            everyone(404),
        ),
    ],
    "reports:dynamics": [
        Route(lambda w: reverse("reports:dynamics"), everyone()),
        Route(
            lambda w: f"{reverse('reports:dynamics')}?before={_round(w).pk}&after={_round(w).pk}",
            everyone(outsider=404),
        ),
    ],
    "reports:monitoring-pdf": [Route(lambda w: reverse("reports:monitoring-pdf"), everyone())],
    # The personal API token page (the API itself has its own matrix in tests/test_api_*.py).
    "api:token": [Route(lambda w: reverse("api:token"), everyone())],
    "api:token-create": [
        Route(lambda w: reverse("api:token-create"), everyone(405)),
        Route(lambda w: reverse("api:token-create"), everyone(), method="post"),
    ],
    "api:token-revoke": [
        Route(lambda w: reverse("api:token-revoke"), everyone(405)),
        Route(lambda w: reverse("api:token-revoke"), everyone(302), method="post"),
    ],
    # Background jobs: starting one needs the round or plan in scope (a POST), the job's pages
    # and file are its user's alone (_job below belongs to the regional operator).
    # Notifications: each user's own; marking read is a POST; the unsubscribe link of a letter
    # works without logging in (its signed token names the user).
    "notifications:list": [Route(lambda w: reverse("notifications:list"), everyone())],
    "notifications:badge": [Route(lambda w: reverse("notifications:badge"), everyone())],
    "notifications:read": [
        Route(lambda w: reverse("notifications:read", args=[_notification(w).pk]), everyone(405)),
        Route(
            lambda w: reverse("notifications:read", args=[_notification(w).pk]),
            everyone(404, operator=302),
            method="post",
        ),
    ],
    "notifications:open": [
        Route(
            lambda w: reverse("notifications:open", args=[_notification(w).pk]),
            everyone(404, operator=302),
        )
    ],
    "notifications:read-all": [
        Route(lambda w: reverse("notifications:read-all"), everyone(405)),
        Route(lambda w: reverse("notifications:read-all"), everyone(302), method="post"),
    ],
    "notifications:settings": [
        Route(lambda w: reverse("notifications:settings"), everyone()),
        Route(
            lambda w: reverse("notifications:settings"),
            everyone(302),
            method="post",
            data=lambda w: {"mode": "digest"},
        ),
    ],
    "notifications:unsubscribe": [
        Route(lambda w: _unsubscribe_url(w), dict.fromkeys(ROLES, 200)),
        Route(lambda w: _unsubscribe_url(w), dict.fromkeys(ROLES, 200), method="post"),
    ],
    "jobs:job-list": [Route(lambda w: reverse("jobs:job-list"), everyone())],
    # Everyone's own inbox: what waits for them, in their scope (tests/test_inbox.py).
    "inbox:inbox": [Route(lambda w: reverse("inbox:inbox"), everyone())],
    "jobs:job-detail": [Route(lambda w: reverse("jobs:job-detail", args=[_job(w).pk]), JOB_OWNER)],
    "jobs:job-progress": [
        Route(lambda w: reverse("jobs:job-progress", args=[_job(w).pk]), JOB_OWNER)
    ],
    "jobs:job-download": [
        Route(lambda w: reverse("jobs:job-download", args=[_job(w).pk]), JOB_OWNER)
    ],
    "jobs:round-export": [
        Route(lambda w: reverse("jobs:round-export", args=[_round(w).pk]), everyone(405)),
        Route(
            lambda w: reverse("jobs:round-export", args=[_round(w).pk]),
            everyone(302, outsider=404),
            method="post",
        ),
    ],
    "jobs:deficit-map-xlsx": [
        Route(lambda w: reverse("jobs:deficit-map-xlsx", args=[_round(w).pk]), everyone(405)),
        Route(
            lambda w: reverse("jobs:deficit-map-xlsx", args=[_round(w).pk]),
            everyone(302, outsider=404),
            method="post",
        ),
    ],
    "jobs:deficit-map-pdf": [
        Route(lambda w: reverse("jobs:deficit-map-pdf", args=[_round(w).pk]), everyone(405)),
        Route(
            lambda w: reverse("jobs:deficit-map-pdf", args=[_round(w).pk]),
            everyone(302, outsider=404),
            method="post",
        ),
    ],
    "jobs:plan-pdf": [
        Route(lambda w: reverse("jobs:plan-pdf", args=[_plan(w).pk]), everyone(405)),
        Route(
            lambda w: reverse("jobs:plan-pdf", args=[_plan(w).pk]),
            everyone(302, school=404, outsider=404),
            method="post",
        ),
    ],
}


def _notification(w):
    """An unread notification of the regional operator (made once per test)."""
    from notifications.models import Notification

    if "notification" not in w.__dict__:
        w.notification = Notification.objects.create(
            recipient=w.operator,
            kind=Notification.Kind.PLAN_SUBMITTED,
            text="План направлен вам на согласование.",
            link="/roadmaps/",
        )
    return w.notification


def _unsubscribe_url(w):
    from notifications.mail import unsubscribe_token

    return reverse("notifications:unsubscribe", args=[unsubscribe_token(w.operator)])


def _job(w):
    """A finished job of the regional operator, with its file (made once per test)."""
    from django.core.files.base import ContentFile

    from jobs.models import Job

    if "job" not in w.__dict__:
        w.job = Job.objects.create(
            user=w.operator, kind=Job.Kind.PLAN_PDF, title="PDF", status="done", progress=100
        )
        w.job.result.save("plan.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
        w.job.result_name = "plan.pdf"
        w.job.save()
    return w.job


# URL names served by Django itself or by the API, which has its own matrix.
NOT_IN_TABLE_PREFIXES = ("admin:", "api:", "logout")


def _url_names(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def test_every_url_is_in_the_privacy_table():
    names = {
        name
        for name in _url_names(get_resolver().url_patterns)
        if not name.startswith(NOT_IN_TABLE_PREFIXES)
    }
    missing = sorted(names - ROUTES.keys())
    assert not missing, f"add these URLs to tests/test_privacy.py ROUTES: {missing}"


CASES = [
    pytest.param(name, index, role, id=f"{name}[{index}]-{role}")
    for name, routes in ROUTES.items()
    for index in range(len(routes))
    for role in ROLES
]


@pytest.mark.parametrize(("name", "index", "role"), CASES)
def test_role_gets_expected_status(name, index, role, world, superuser, client):
    route = ROUTES[name][index]
    user = {
        "operator": world.operator,
        "municipal": world.municipal,
        "school": world.school_user,
        "viewer": world.viewer,
        "outsider": world.outsider,
        "superuser": superuser,
    }.get(role)
    if user is not None:
        client.force_login(user)
    response = getattr(client, route.method)(route.url(world), route.data(world))
    expected = route.expect[role]
    assert response.status_code == expected, (
        f"{role} {route.method.upper()} {route.url(world)}: "
        f"{response.status_code}, expected {expected}"
    )
    if role == "anonymous" and expected == 302:
        assert response["Location"].startswith(reverse("login"))
