"""Every operation of the API, as every role, on objects in and out of the role's scope, with the
status each must get: the API's twin of tests/test_privacy.py.

Add a row to ROUTES with each new route or method: test_every_api_operation_is_in_the_table
fails until you do (it reads the router and the OpenAPI schema). Statuses: 200/201/202/204 done,
400 refused input (the role got past the access checks), 401 anonymous, 403 read-only or no
such right (a Russian `detail` says why), 404 out of scope (a Russian `detail` too). A refused
write changes nothing: the rows of every table of the portal, history included, are counted
before and after.

The objects (made per test, only those a row names): the Gatchina district office's plans — a
draft, one on review, an approved one — and the outsider's school's draft (out of everyone's
scope but the outsider's); a self-diagnosis round of the region where the Gatchina school has
sent its answers and the sibling school has a draft; the regional operator's finished job.
"""

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.factories import (
    make_methodology,
    make_report,
    make_round,
    make_small_plan,
    make_submission,
)
from tests.test_privacy import ROUTES as PAGE_ROUTES

ROLES = ("anonymous", "operator", "municipal", "school", "viewer", "outsider", "superuser")
CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)


@dataclass
class Row:
    method: str
    url: Callable  # world -> path
    expect: dict[str, int]
    data: Callable = field(default=lambda w: None)
    format: str = "json"


def everyone(status=200, **overrides):
    statuses = dict.fromkeys(ROLES, status)
    statuses["anonymous"] = 401
    statuses.update(overrides)
    return statuses


def _url(name, *parts, query=""):
    """The path of `api:<name>` with the ids of the objects `parts(w)` make."""
    return lambda w: reverse(f"api:{name}", args=[part(w).pk for part in parts]) + query


# Objects, made once per test on first use.


def _once(w, key, make):
    cache = w.__dict__.setdefault("made", {})
    if key not in cache:
        cache[key] = make()
    return cache[key]


def plan(status="draft"):
    """A plan of the Gatchina district office in the given status."""
    return lambda w: _once(w, ("plan", status), lambda: make_small_plan(w.omsu, status=status))


def foreign_plan(w):
    return _once(w, "foreign", lambda: make_small_plan(w.foreign_school))


def new_version(w):
    """The draft second version of the district's approved plan."""
    return _once(w, "v2", lambda: plan("approved")(w).revise(by=w.operator))


def section(of):
    return lambda w: of(w).sections.get()


def item(of):
    return lambda w: of(w).items.get()


def party(of):
    return lambda w: of(w).parties.get()


def report(w):
    """A report with a PDF on the item of the district's approved plan."""
    pdf = ContentFile(b"%PDF-1.4\n%%EOF\n", name="Приказ.pdf")
    return _once(
        w,
        "report",
        lambda: make_report(item(plan("approved"))(w), author=w.municipal, files=[pdf]),
    )


def evidence(w):
    return report(w).files.get()


def methodology(w):
    return _once(w, "methodology", make_methodology)


def round_(w):
    """The region's open round: the Gatchina school has sent its answers (Z1 is a deficit)."""

    def make():
        made = make_round(w.region, [w.school, w.sibling_school, w.other_school], methodology(w))
        make_submission(made, w.school, {"Z1": "no"}, status="submitted")
        return made

    return _once(w, "round", make)


def earlier_round(w):
    """An earlier round of the region the Gatchina school has sent: dynamics to compare."""
    import datetime

    def make():
        made = make_round(
            w.region,
            [w.school],
            methodology(w),
            opens_on=datetime.date(2024, 3, 1),
            closes_on=datetime.date(2024, 4, 30),
        )
        make_submission(made, w.school, {"Z1": "yes"}, status="submitted")
        return made

    return _once(w, "earlier", make)


def closed_round(w):
    return _once(w, "closed", lambda: make_round(w.region, [w.school], status="closed"))


def foreign_round(w):
    return _once(w, "foreign_round", lambda: make_round(w.foreign_region, [w.foreign_school]))


def sent(w):
    return round_(w).submissions.get(school=w.school)


def sibling_draft(w):
    return _once(w, "sibling", lambda: make_submission(round_(w), w.sibling_school))


def job(w):
    """A finished job of the regional operator, with its file."""
    from jobs.models import Job

    def make():
        made = Job.objects.create(
            user=w.operator, kind=Job.Kind.PLAN_PDF, title="PDF", status="done", progress=100
        )
        made.result.save("plan.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
        made.result_name = "plan.pdf"
        made.save()
        return made

    return _once(w, "job", make)


def notification(w):
    """An unread notification of the regional operator."""
    from notifications.models import Notification

    return _once(
        w,
        "notification",
        lambda: Notification.objects.create(
            recipient=w.operator,
            kind=Notification.Kind.PLAN_SUBMITTED,
            text="План направлен вам на согласование.",
            link="/roadmaps/",
        ),
    )


def membership(w):
    from orgs.models import Membership

    return Membership.objects.get(user=w.viewer)


def direction(w):
    from roadmaps.models import Direction

    return Direction.objects.order_by("position").first()


def _region(w):
    return w.region


def _foreign_region(w):
    return w.foreign_region


def _municipality(w):
    return w.municipality


def _other_municipality(w):
    return w.other_municipality


def _school(w):
    return w.school


def _sibling_school(w):
    return w.sibling_school


def _foreign_school(w):
    return w.foreign_school


# Files for the uploads.


def _directory_file(w):
    from tests.test_orgs import GOOD_ROWS, _directory_xlsx

    return _directory_xlsx(GOOD_ROWS)


def _plan_document(w):
    from pathlib import Path

    text = Path(__file__).parent.joinpath("fixtures/roadmaps/school-plan-2024-2025.md")
    return SimpleUploadedFile("План.md", text.read_bytes(), content_type="text/markdown")


def _not_a_workbook(w):
    return SimpleUploadedFile("Ответы.xlsx", b"not a workbook", content_type="application/zip")


# Who may do what: the statuses that repeat.


def _pasted(roadmap):
    """Two rows copied from Word into the plan's only section."""
    return {
        "text": "1.\tСовещание\tмарт\tИМЦ\tПротокол\n2.\tСеминар\tапрель\tИМЦ\tПрограмма",
        "section": roadmap.sections.get().pk,
    }


# A district draft: the region and the district read and write it, the viewer reads it, the
# school does not see it yet (only approved plans above a school reach it).
PLAN_READ = everyone(school=404, outsider=404)


def plan_write(ok=200):
    return everyone(ok, school=404, viewer=403, outsider=404)


# The district's approved plan: everyone in the region reads it, nobody changes it.
REGION_READ = everyone(outsider=404)
APPROVED_WRITE = everyone(403, outsider=404)
# A plan on review: the region (the level above) approves or returns it.
REVIEW = everyone(403, operator=200, superuser=200, school=404, outsider=404)
# The outsider's school's plan: the outsider's and the administrator's only.
FOREIGN = everyone(404, outsider=200, superuser=200)
# A report on the district's approved plan: its author (the district's coordinator) corrects it.
AUTHOR_ONLY = everyone(403, municipal=200, outsider=404)


def foreign_write(ok=200):
    return everyone(404, outsider=ok, superuser=ok)


# The round's reviewers (the region, the district) check and load answers.
def reviewers(ok=200):
    return everyone(403, operator=ok, municipal=ok, superuser=ok, outsider=404)


# The sibling school's questionnaire: written by the region and the district, not by the other
# school (it does not see it) nor by the viewer.
def sibling_write(ok=200):
    return everyone(ok, school=404, viewer=403, outsider=404)


ADMINS = everyone(403, superuser=200)
JOB_OWNER = everyone(404, operator=200)

APPROVAL = {
    "kind": "распоряжение",
    "number": "3.12-1331-р",
    "date": "2024-09-26",
    "name": "Е.В. Иванова",
    "position": "Председатель комитета",
}
ITEM = {
    "section": None,
    "title": "Семинар для заместителей директоров",
    "deadline_text": "Февраль-март",
    "responsible": ["ИМЦ"],
}
REPORT = {"status": "in_progress", "date": "2024-03-01", "comment": "Совещание проведено"}


def _item_data(of):
    return lambda w: {**ITEM, "section": section(of)(w).pk}


ROUTES: dict[str, list[Row]] = {
    # Background jobs: a job is its user's alone; starting one needs the round in scope.
    "inbox-list": [Row("get", _url("inbox-list"), everyone())],
    "job-list": [
        Row("get", _url("job-list"), everyone()),
        Row(
            "post",
            _url("job-list"),
            everyone(202, outsider=404),
            data=lambda w: {"kind": "round_export", "round": round_(w).pk},
        ),
    ],
    "job-detail": [Row("get", _url("job-detail", job), JOB_OWNER)],
    "job-download": [Row("get", _url("job-download", job), JOB_OWNER)],
    # Notifications: a notification is its recipient's alone.
    "notification-list": [Row("get", _url("notification-list"), everyone())],
    "notification-detail": [Row("get", _url("notification-detail", notification), JOB_OWNER)],
    "notification-read": [Row("post", _url("notification-read", notification), JOB_OWNER)],
    "notification-read-all": [Row("post", _url("notification-read-all"), everyone())],
    # The directory.
    "region-list": [Row("get", _url("region-list"), everyone())],
    "region-detail": [
        Row("get", _url("region-detail", _region), REGION_READ),
        Row("get", _url("region-detail", _foreign_region), FOREIGN),
    ],
    "municipality-list": [Row("get", _url("municipality-list"), everyone())],
    "municipality-detail": [
        Row("get", _url("municipality-detail", _municipality), REGION_READ),
        # The Luga district: the Gatchina district and its school do not see it.
        Row(
            "get",
            _url("municipality-detail", _other_municipality),
            everyone(municipal=404, school=404, outsider=404),
        ),
    ],
    "organization-list": [Row("get", _url("organization-list"), everyone())],
    "organization-detail": [
        Row("get", _url("organization-detail", _school), REGION_READ),
        Row(
            "get", _url("organization-detail", _sibling_school), everyone(school=404, outsider=404)
        ),
        Row("get", _url("organization-detail", _foreign_school), FOREIGN),
    ],
    "organization-import": [
        Row(
            "post",
            _url("organization-import"),
            everyone(403, operator=200, superuser=200),
            data=lambda w: {"file": _directory_file(w), "region": w.region.pk, "dry_run": True},
            format="multipart",
        )
    ],
    "membership-list": [
        Row("get", _url("membership-list"), ADMINS),
        Row(
            "post",
            _url("membership-list"),
            everyone(403, superuser=201),
            data=lambda w: {"user": w.viewer.pk, "organization": w.omsu.pk, "role": "viewer"},
        ),
    ],
    "membership-detail": [
        Row("get", _url("membership-detail", membership), ADMINS),
        Row(
            "put",
            _url("membership-detail", membership),
            ADMINS,
            data=lambda w: {"user": w.viewer.pk, "organization": w.omsu.pk, "role": "viewer"},
        ),
        Row(
            "patch",
            _url("membership-detail", membership),
            ADMINS,
            data=lambda w: {"organization": w.omsu.pk},
        ),
        Row("delete", _url("membership-detail", membership), everyone(403, superuser=204)),
    ],
    # Plans.
    "roadmap-list": [
        Row("get", _url("roadmap-list"), everyone()),
        # For the district office: the school and the outsider do not see it as an owner.
        Row(
            "post",
            _url("roadmap-list"),
            everyone(201, school=400, viewer=403, outsider=400),
            data=lambda w: {
                "owner": w.omsu.pk,
                "title": "План на 2025 год",
                "period_start": "2025-01-01",
                "period_end": "2025-12-31",
            },
        ),
    ],
    "roadmap-from-template": [
        # The district's approved plan is a template for its school; the outsider sees neither.
        Row(
            "post",
            _url("roadmap-from-template"),
            everyone(201, viewer=403, outsider=400),
            data=lambda w: {
                "source": plan("approved")(w).pk,
                "owner": w.school.pk,
                "title": "План мероприятий школы на 2025 год",
                "period": "2025",
            },
        )
    ],
    "roadmap-import": [
        Row(
            "post",
            _url("roadmap-import"),
            everyone(200, school=400, viewer=403, outsider=400),
            data=lambda w: {"file": _plan_document(w), "owner": w.omsu.pk, "dry_run": True},
            format="multipart",
        )
    ],
    "roadmap-detail": [
        Row("get", _url("roadmap-detail", plan()), PLAN_READ),
        Row("get", _url("roadmap-detail", plan("approved")), REGION_READ),
        Row("get", _url("roadmap-detail", foreign_plan), FOREIGN),
        Row(
            "put",
            _url("roadmap-detail", plan()),
            plan_write(),
            data=lambda w: {
                "title": "План",
                "period_start": "2024-01-01",
                "period_end": "2024-12-31",
            },
        ),
        Row("patch", _url("roadmap-detail", plan()), plan_write(), data=lambda w: {"title": "П"}),
        Row(
            "patch",
            _url("roadmap-detail", plan("approved")),
            APPROVED_WRITE,
            data=lambda w: {"title": "План"},
        ),
        Row(
            "patch",
            _url("roadmap-detail", foreign_plan),
            foreign_write(),
            data=lambda w: {"title": "План"},
        ),
        Row("delete", _url("roadmap-detail", plan()), plan_write(204)),
        Row("delete", _url("roadmap-detail", plan("approved")), APPROVED_WRITE),
        Row("delete", _url("roadmap-detail", foreign_plan), foreign_write(204)),
    ],
    "roadmap-submit": [
        Row("post", _url("roadmap-submit", plan()), plan_write()),
        Row("post", _url("roadmap-submit", foreign_plan), foreign_write()),
    ],
    "roadmap-approve": [
        Row("post", _url("roadmap-approve", plan("review")), REVIEW, data=lambda w: APPROVAL),
        # The district's draft is not on review: the reviewers hear so (409).
        Row(
            "post",
            _url("roadmap-approve", plan()),
            everyone(403, operator=409, superuser=409, school=404, outsider=404),
            data=lambda w: APPROVAL,
        ),
    ],
    "roadmap-return": [
        Row(
            "post",
            _url("roadmap-return", plan("review")),
            REVIEW,
            data=lambda w: {"comment": "Уточните сроки раздела 1."},
        )
    ],
    "roadmap-revise": [
        Row(
            "post",
            _url("roadmap-revise", plan("approved")),
            everyone(201, school=403, viewer=403, outsider=404),
        ),
    ],
    "roadmap-paste-rows": [
        Row(
            "post",
            _url("roadmap-paste-rows", plan()),
            plan_write(201),
            data=lambda w: _pasted(plan()(w)),
        ),
        Row(
            "post",
            _url("roadmap-paste-rows", plan()),
            plan_write(200),
            data=lambda w: {**_pasted(plan()(w)), "dry_run": True},
        ),
        Row(
            "post",
            _url("roadmap-paste-rows", plan("approved")),
            APPROVED_WRITE,
            data=lambda w: _pasted(plan("approved")(w)),
        ),
        Row(
            "post",
            _url("roadmap-paste-rows", foreign_plan),
            foreign_write(201),
            data=lambda w: _pasted(foreign_plan(w)),
        ),
    ],
    "roadmap-compare": [
        Row("get", _url("roadmap-compare", new_version), PLAN_READ),
        Row("get", _url("roadmap-compare", foreign_plan), everyone(404)),
    ],
    "roadmap-deadline-preview": [
        Row("get", _url("roadmap-deadline-preview", plan(), query="?text=Февраль-март"), PLAN_READ)
    ],
    "roadmap-history": [
        Row("get", _url("roadmap-history", plan()), PLAN_READ),
        Row("get", _url("roadmap-history", foreign_plan), FOREIGN),
    ],
    "roadmap-pdf": [Row("get", _url("roadmap-pdf", plan("approved")), REGION_READ)],
    "roadmap-xlsx": [
        Row("get", _url("roadmap-xlsx", plan()), PLAN_READ),
        Row("get", _url("roadmap-xlsx", foreign_plan), FOREIGN),
    ],
    "roadmap-docx": [
        Row("get", _url("roadmap-docx", plan()), PLAN_READ),
        Row("get", _url("roadmap-docx", foreign_plan), FOREIGN),
    ],
    # A plan's sections, items and parties: read with the plan, written while it is editable.
    "roadmap-section-list": [
        Row("get", _url("roadmap-section-list", plan()), PLAN_READ),
        Row("get", _url("roadmap-section-list", foreign_plan), FOREIGN),
        Row(
            "post",
            _url("roadmap-section-list", plan()),
            plan_write(201),
            data=lambda w: {"title": "Информационное сопровождение"},
        ),
        Row(
            "post",
            _url("roadmap-section-list", plan("approved")),
            APPROVED_WRITE,
            data=lambda w: {"title": "Информационное сопровождение"},
        ),
    ],
    "roadmap-section-detail": [
        Row("get", _url("roadmap-section-detail", plan(), section(plan())), PLAN_READ),
        Row(
            "put",
            _url("roadmap-section-detail", plan(), section(plan())),
            plan_write(),
            data=lambda w: {"number": "1.", "title": "Организация"},
        ),
        Row(
            "patch",
            _url("roadmap-section-detail", plan(), section(plan())),
            plan_write(),
            data=lambda w: {"title": "Организация"},
        ),
        Row(
            "patch",
            _url("roadmap-section-detail", plan("approved"), section(plan("approved"))),
            APPROVED_WRITE,
            data=lambda w: {"title": "Организация"},
        ),
        Row(
            "patch",
            _url("roadmap-section-detail", foreign_plan, section(foreign_plan)),
            foreign_write(),
            data=lambda w: {"title": "Организация"},
        ),
        Row("delete", _url("roadmap-section-detail", plan(), section(plan())), plan_write(204)),
        Row(
            "delete",
            _url("roadmap-section-detail", plan("approved"), section(plan("approved"))),
            APPROVED_WRITE,
        ),
    ],
    "roadmap-section-move": [
        Row(
            "post",
            _url("roadmap-section-move", plan(), section(plan())),
            plan_write(),
            data=lambda w: {"direction": "up"},
        ),
        Row(
            "post",
            _url("roadmap-section-move", plan("approved"), section(plan("approved"))),
            APPROVED_WRITE,
            data=lambda w: {"direction": "up"},
        ),
    ],
    "roadmap-item-list": [
        Row("get", _url("roadmap-item-list", plan()), PLAN_READ),
        Row("get", _url("roadmap-item-list", foreign_plan), FOREIGN),
        Row("post", _url("roadmap-item-list", plan()), plan_write(201), data=_item_data(plan())),
        Row(
            "post",
            _url("roadmap-item-list", plan("approved")),
            APPROVED_WRITE,
            data=_item_data(plan("approved")),
        ),
        Row(
            "post",
            _url("roadmap-item-list", foreign_plan),
            foreign_write(201),
            data=_item_data(foreign_plan),
        ),
    ],
    "roadmap-item-detail": [
        Row("get", _url("roadmap-item-detail", plan(), item(plan())), PLAN_READ),
        Row(
            "put",
            _url("roadmap-item-detail", plan(), item(plan())),
            plan_write(),
            data=lambda w: {"number": "1.1.", "title": "Совещание", "deadline_text": "март"},
        ),
        Row(
            "patch",
            _url("roadmap-item-detail", plan(), item(plan())),
            plan_write(),
            data=lambda w: {"title": "Совещание"},
        ),
        Row(
            "patch",
            _url("roadmap-item-detail", plan("approved"), item(plan("approved"))),
            APPROVED_WRITE,
            data=lambda w: {"title": "Совещание"},
        ),
        Row(
            "patch",
            _url("roadmap-item-detail", foreign_plan, item(foreign_plan)),
            foreign_write(),
            data=lambda w: {"title": "Совещание"},
        ),
        Row("delete", _url("roadmap-item-detail", plan(), item(plan())), plan_write(204)),
        Row(
            "delete",
            _url("roadmap-item-detail", plan("approved"), item(plan("approved"))),
            APPROVED_WRITE,
        ),
    ],
    "roadmap-item-move": [
        Row(
            "post",
            _url("roadmap-item-move", plan(), item(plan())),
            plan_write(),
            data=lambda w: {"direction": "down"},
        ),
        Row(
            "post",
            _url("roadmap-item-move", plan("approved"), item(plan("approved"))),
            APPROVED_WRITE,
            data=lambda w: {"direction": "down"},
        ),
    ],
    "roadmap-party-list": [
        Row("get", _url("roadmap-party-list", plan()), PLAN_READ),
        Row("get", _url("roadmap-party-list", foreign_plan), FOREIGN),
        Row(
            "post",
            _url("roadmap-party-list", plan()),
            plan_write(201),
            data=lambda w: {"name": "ОМСУ", "kind": "category"},
        ),
        Row(
            "post",
            _url("roadmap-party-list", plan("approved")),
            APPROVED_WRITE,
            data=lambda w: {"name": "ОМСУ", "kind": "category"},
        ),
    ],
    "roadmap-party-detail": [
        Row("get", _url("roadmap-party-detail", plan(), party(plan())), PLAN_READ),
        Row(
            "put",
            _url("roadmap-party-detail", plan(), party(plan())),
            plan_write(),
            data=lambda w: {"name": "ИМЦ", "full_name": "Методический центр", "kind": "category"},
        ),
        Row(
            "patch",
            _url("roadmap-party-detail", plan(), party(plan())),
            plan_write(),
            data=lambda w: {"full_name": "Методический центр"},
        ),
        Row(
            "patch",
            _url("roadmap-party-detail", plan("approved"), party(plan("approved"))),
            APPROVED_WRITE,
            data=lambda w: {"full_name": "Методический центр"},
        ),
        # The party is named in the plan's item: its writers hear so (409).
        Row("delete", _url("roadmap-party-detail", plan(), party(plan())), plan_write(409)),
        Row(
            "delete",
            _url("roadmap-party-detail", plan("approved"), party(plan("approved"))),
            APPROVED_WRITE,
        ),
    ],
    # Items across plans, their roll-up and execution.
    "item-list": [Row("get", _url("item-list"), everyone())],
    "item-detail": [
        Row("get", _url("item-detail", item(plan())), PLAN_READ),
        Row("get", _url("item-detail", item(plan("approved"))), REGION_READ),
        Row("get", _url("item-detail", item(foreign_plan)), FOREIGN),
    ],
    "item-rollup": [
        Row("get", _url("item-rollup", item(plan("approved"))), REGION_READ),
        Row("get", _url("item-rollup", item(foreign_plan)), FOREIGN),
    ],
    "item-report-list": [
        Row("get", _url("item-report-list", item(plan("approved"))), REGION_READ),
        Row("get", _url("item-report-list", item(foreign_plan)), FOREIGN),
        # Reports on the approved plan come from those who write for its owner.
        Row(
            "post",
            _url("item-report-list", item(plan("approved"))),
            everyone(201, school=403, viewer=403, outsider=404),
            data=lambda w: REPORT,
        ),
        Row("post", _url("item-report-list", item(plan())), plan_write(201), data=lambda w: REPORT),
        Row(
            "post",
            _url("item-report-list", item(foreign_plan)),
            foreign_write(201),
            data=lambda w: REPORT,
        ),
    ],
    "item-report-detail": [
        Row("get", _url("item-report-detail", lambda w: report(w).item, report), REGION_READ),
        # Only the author corrects a report, and only while the plan is in force.
        Row(
            "patch",
            _url("item-report-detail", lambda w: report(w).item, report),
            AUTHOR_ONLY,
            data=lambda w: {"comment": "Исправлено"},
        ),
        Row(
            "put",
            _url("item-report-detail", lambda w: report(w).item, report),
            AUTHOR_ONLY,
            data=lambda w: {"status": "done", "date": "2024-03-01", "comment": "Проведено"},
        ),
    ],
    "item-report-withdraw": [
        Row("post", _url("item-report-withdraw", lambda w: report(w).item, report), AUTHOR_ONLY),
    ],
    "item-report-file-list": [
        Row("get", _url("item-report-file-list", lambda w: report(w).item, report), REGION_READ),
        Row(
            "post",
            _url("item-report-file-list", lambda w: report(w).item, report),
            AUTHOR_ONLY | {"municipal": 201},
            data=lambda w: {"files": [ContentFile(b"%PDF-1.4\n%%EOF\n", name="Акт.pdf")]},
            format="multipart",
        ),
    ],
    "item-report-file-detail": [
        Row(
            "delete",
            _url("item-report-file-detail", lambda w: report(w).item, report, evidence),
            AUTHOR_ONLY | {"municipal": 204},
        ),
    ],
    "item-report-file-download": [
        Row(
            "get",
            _url("item-report-file-download", lambda w: report(w).item, report, evidence),
            REGION_READ,
        ),
    ],
    "direction-list": [Row("get", _url("direction-list"), everyone())],
    "direction-detail": [Row("get", _url("direction-detail", direction), everyone())],
    # Monitoring: what each role answers for, everyone who has a role.
    "monitoring-list": [Row("get", _url("monitoring-list"), everyone())],
    "monitoring-plan-list": [Row("get", _url("monitoring-plan-list"), everyone())],
    "monitoring-pdf": [Row("get", _url("monitoring-pdf"), everyone())],
    # Self-diagnosis.
    "methodology-list": [Row("get", _url("methodology-list"), everyone())],
    "methodology-detail": [Row("get", _url("methodology-detail", methodology), everyone())],
    "round-list": [
        Row("get", _url("round-list"), everyone()),
        Row(
            "post",
            _url("round-list"),
            everyone(403, operator=201, superuser=201),
            data=lambda w: {
                "region": w.region.pk,
                "methodology": methodology(w).pk,
                "name": "Самодиагностика — ближайшая",
                # Within the window a round may open in (portal.validators): around today.
                "opens_on": str(datetime.date.today()),
                "closes_on": str(datetime.date.today() + datetime.timedelta(days=30)),
                "schools": [w.school.pk],
            },
        ),
    ],
    "round-detail": [
        Row("get", _url("round-detail", round_), REGION_READ),
        Row("get", _url("round-detail", foreign_round), FOREIGN),
    ],
    "round-close": [
        Row(
            "post",
            _url("round-close", round_),
            everyone(403, operator=200, superuser=200, outsider=404),
        ),
        Row("post", _url("round-close", foreign_round), everyone(404, outsider=403, superuser=200)),
    ],
    "round-reopen": [
        Row(
            "post",
            _url("round-reopen", closed_round),
            everyone(403, operator=200, superuser=200, outsider=404),
        )
    ],
    "round-template": [Row("get", _url("round-template", round_), reviewers())],
    # A file that is no workbook: the reviewers get as far as reading it.
    "round-import": [
        Row(
            "post",
            _url("round-import", round_),
            reviewers(400),
            data=lambda w: {"file": _not_a_workbook(w)},
            format="multipart",
        )
    ],
    "round-results": [Row("get", _url("round-results", round_), REGION_READ)],
    "round-deficit-map": [
        Row("get", _url("round-deficit-map", round_), REGION_READ),
        # Narrowed to the Luga district: the Gatchina district and its school do not see it.
        Row(
            "get",
            lambda w: (
                reverse("api:round-deficit-map", args=[round_(w).pk])
                + f"?municipality={w.other_municipality.pk}"
            ),
            everyone(municipal=404, school=404, outsider=404),
        ),
        Row("get", _url("round-deficit-map", foreign_round), FOREIGN),
    ],
    "round-deficit-map-xlsx": [Row("get", _url("round-deficit-map-xlsx", round_), REGION_READ)],
    "round-deficit-map-pdf": [Row("get", _url("round-deficit-map-pdf", round_), REGION_READ)],
    "submission-list": [
        Row("get", _url("submission-list"), everyone()),
        # The sibling school's questionnaire: the school does not see that school.
        Row(
            "post",
            _url("submission-list"),
            sibling_write(201) | {"school": 400, "outsider": 400},
            data=lambda w: {"round": round_(w).pk, "school": w.sibling_school.pk},
        ),
    ],
    "submission-detail": [
        Row("get", _url("submission-detail", sent), REGION_READ),
        Row("get", _url("submission-detail", sibling_draft), everyone(school=404, outsider=404)),
    ],
    "submission-answers": [
        Row(
            "post",
            _url("submission-answers", sibling_draft),
            sibling_write(),
            data=lambda w: {"answers": {"Z1": "yes"}},
        )
    ],
    "submission-submit": [Row("post", _url("submission-submit", sibling_draft), sibling_write())],
    "submission-review": [
        Row(
            "post",
            _url("submission-review", sent),
            everyone(403, operator=200, municipal=200, superuser=200, outsider=404),
            data=lambda w: {"action": "return", "comment": "Проверьте ответ Z1."},
        )
    ],
    "submission-plan-from-deficits": [
        Row("get", _url("submission-plan-from-deficits", sent), everyone(viewer=403, outsider=404)),
        Row(
            "post",
            _url("submission-plan-from-deficits", sent),
            everyone(viewer=403, outsider=404),
            data=lambda w: {"deficits": ["Z1"]},
        ),
    ],
    "direction-result-list": [Row("get", _url("direction-result-list"), everyone())],
    "deficit-list": [Row("get", _url("deficit-list"), everyone())],
    "dynamics-list": [
        Row(
            "get",
            lambda w: (
                f"{reverse('api:dynamics-list')}?before={earlier_round(w).pk}&after={round_(w).pk}"
            ),
            REGION_READ,
        )
    ],
}

# The API's own URLs outside the viewsets: the router's index, the schema and its documentation
# pages (an anonymous visitor of a page is sent to log in). The token page is in
# tests/test_privacy.py with the other pages.
DOCUMENTS: dict[str, list[Row]] = {
    "api-root": [Row("get", lambda w: reverse("api:api-root"), everyone())],
    "schema": [Row("get", lambda w: reverse("api:schema"), everyone())],
    "docs": [Row("get", lambda w: reverse("api:docs"), everyone(anonymous=302))],
    "redoc": [Row("get", lambda w: reverse("api:redoc"), everyone(anonymous=302))],
}


# The guard: every operation of the router and of the schema has a row.


def _router_operations():
    from portal.api_urls import router

    for pattern in router.urls:
        actions = getattr(pattern.callback, "actions", None)
        if pattern.name == "api-root" or actions is None:
            continue
        for method in actions:
            if method == "head":  # GET without the body
                continue
            yield pattern.name, method, _schema_path(str(pattern.pattern))


def _schema_path(route):
    # «roadmaps/<int:roadmap_pk>/items/<int:pk>/» → «/api/v1/roadmaps/{roadmap_pk}/items/{id}/»
    route = route.replace("<int:pk>", "{id}")
    return "/api/v1/" + re.sub(r"<int:(\w+)>", r"{\1}", route)


def _api_url_names(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _api_url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name and namespace == "api:":
            yield pattern.name


def test_every_api_operation_is_in_the_table():
    missing = sorted(
        f"{method.upper()} {name}"
        for name, method, _path in _router_operations()
        if method not in {row.method for row in ROUTES.get(name, [])}
    )
    assert not missing, f"add rows to tests/test_api_privacy.py ROUTES: {missing}"
    stray = sorted(set(ROUTES) - {name for name, _method, _path in _router_operations()})
    assert not stray, f"these rows name no route of the API: {stray}"


def test_every_operation_of_the_schema_is_in_the_table():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    routed = {(path, method): name for name, method, path in _router_operations()}
    documented = {
        (path, method)
        for path, operations in schema["paths"].items()
        for method in operations
        if method in ("get", "post", "put", "patch", "delete")
    }
    assert documented <= set(routed), sorted(documented - set(routed))
    missing = sorted(
        f"{method.upper()} {path}"
        for path, method in documented
        if method not in {row.method for row in ROUTES.get(routed[(path, method)], [])}
    )
    assert not missing, f"add rows to tests/test_api_privacy.py ROUTES: {missing}"


def test_every_api_url_is_in_a_privacy_table():
    names = set(_api_url_names(get_resolver().url_patterns))
    routed = {name for name, _method, _path in _router_operations()}
    pages = {name.removeprefix("api:") for name in PAGE_ROUTES if name.startswith("api:")}
    missing = sorted(names - routed - pages - set(DOCUMENTS))
    assert not missing, f"add these api: URLs to tests/test_api_privacy.py DOCUMENTS: {missing}"


# The matrix.


def _tables():
    """Rows of the portal's own tables, history included: what a refused write must leave."""
    labels = {"orgs", "roadmaps", "selfdiag", "jobs", "reports", "notifications"}
    labels |= {"auth", "authtoken", "django_tasks_database"}
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in labels
    }


CASES = [
    pytest.param(table, name, index, role, id=f"{row.method.upper()} {name}[{index}]-{role}")
    for table in ("ROUTES", "DOCUMENTS")
    for name, rows in globals()[table].items()
    for index, row in enumerate(rows)
    for role in ROLES
]


@pytest.mark.parametrize(("table", "name", "index", "role"), CASES)
def test_role_gets_expected_status(table, name, index, role, world, api):
    row = globals()[table][name][index]
    url = row.url(world)
    data = row.data(world)
    expected = row.expect[role]
    client = api(role)
    before = _tables() if row.method != "get" else None
    if data is None:
        response = getattr(client, row.method)(url)
    else:
        response = getattr(client, row.method)(url, data, format=row.format)
    assert response.status_code == expected, (
        f"{role} {row.method.upper()} {url}: {response.status_code}, expected {expected}: "
        f"{response.content[:300]!r}"
    )
    if expected in (401, 403, 404, 409):
        json = response["Content-Type"].startswith("application/json")
        detail = response.json()["detail"] if json else response.content.decode()
        assert CYRILLIC.search(detail), detail
    if before is not None and expected >= 400:
        assert _tables() == before, f"{role} {row.method.upper()} {url} changed the database"
