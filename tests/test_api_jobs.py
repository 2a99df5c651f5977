"""Background jobs through the API: started with the checks of the pages that offer them, run
by the task worker (here the immediate backend, or the dummy one that never runs them), listed,
watched and downloaded by their user only."""

import io

import openpyxl
import pytest
from django.urls import reverse
from pypdf import PdfReader

from jobs.models import Job
from portal.tasks import run_job
from tests.factories import make_api_client, make_round, make_small_plan, make_submission

ROLES = ("anonymous", "operator", "municipal", "school", "viewer", "outsider", "superuser")
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
LIST = reverse("api:job-list")
ANOTHER_USERS = "Задание не найдено или принадлежит другому пользователю."


@pytest.fixture
def immediate(settings):
    settings.TASKS = IMMEDIATE


@pytest.fixture
def dummy(settings):
    settings.TASKS = DUMMY


@pytest.fixture
def round_(world):
    round_ = make_round(world.region, [world.school, world.sibling_school, world.other_school])
    make_submission(round_, world.school, {"Z1": "yes"}, status="submitted")
    make_submission(round_, world.other_school, {"Z1": "no"}, status="accepted")
    return round_


@pytest.fixture
def plan(world):
    return make_small_plan(world.omsu, status="approved")


def _download(client, body) -> bytes:
    response = client.get(body["download_url"])
    assert response.status_code == 200, response.content
    assert response["Cache-Control"] == "private, no-store"
    assert "attachment" in response["Content-Disposition"]
    return b"".join(response.streaming_content)


def _detail(job):
    return reverse("api:job-detail", args=[job.pk])


def _download_url(job):
    return reverse("api:job-download", args=[job.pk])


# Starting a job and running it to the end


def test_round_export_runs_to_the_end_and_its_workbook_downloads(immediate, api, world, round_):
    client = api("municipal")  # Гатчина: Лужская СОШ is in another district
    response = client.post(LIST, {"kind": "round_export", "round": round_.pk}, format="json")
    assert response.status_code == 202, response.content
    job = Job.objects.get()
    body = response.json()
    assert response["Location"].endswith(_detail(job))
    assert (body["id"], body["kind"], body["status"], body["progress"]) == (
        job.pk,
        "round_export",
        "done",
        100,
    )
    assert (body["is_finished"], body["status_display"], body["params"]) == (
        True,
        "готово",
        {"round": round_.pk},
    )
    assert body["title"] == f"Результаты раунда «{round_.name}» в Excel"
    assert body["result_name"].endswith(".xlsx")
    assert job.user == world.municipal and job.task_id
    sheet = openpyxl.load_workbook(io.BytesIO(_download(client, body))).active
    schools = {row[1] for row in sheet.iter_rows(min_row=3, values_only=True)}
    assert schools == {world.school.short_name}


def test_deficit_map_workbook_job(immediate, api, round_):
    client = api("operator")
    body = client.post(LIST, {"kind": "deficit_map_xlsx", "round": round_.pk}).json()
    assert (body["status"], body["params"]) == ("done", {"round": round_.pk})
    workbook = openpyxl.load_workbook(io.BytesIO(_download(client, body)))
    assert "Карта дефицитов" in workbook.sheetnames


def test_deficit_map_pdf_job_keeps_the_municipality(immediate, api, world, round_):
    client = api("operator")
    response = client.post(
        LIST,
        {
            "kind": "deficit_map_pdf",
            "round": round_.pk,
            "municipality": world.other_municipality.pk,
        },
        format="json",
    )
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["params"] == {"round": round_.pk, "municipality": world.other_municipality.pk}
    assert body["title"].endswith(f", {world.other_municipality.name} в PDF")
    pdf = PdfReader(io.BytesIO(_download(client, body)))
    text = " ".join(page.extract_text() for page in pdf.pages)
    assert "Лужская СОШ" in text
    assert "Гатчинская СОШ" not in text


def test_plan_pdf_job(immediate, api, plan):
    client = api("school")  # the school implements its municipality's approved plan
    body = client.post(LIST, {"kind": "plan_pdf", "roadmap": plan.pk}).json()
    assert (body["kind"], body["status"], body["params"]) == (
        "plan_pdf",
        "done",
        {"roadmap": plan.pk},
    )
    assert _download(client, body).startswith(b"%PDF")


# Who may start what: the same answers as the pages


@pytest.fixture
def users(world, superuser):
    return {
        "operator": world.operator,
        "municipal": world.municipal,
        "school": world.school_user,
        "viewer": world.viewer,
        "outsider": world.outsider,
        "superuser": superuser,
    }


def _page_and_api(role, api, users, page_url, page_data, data):
    """Start the same job from the page and from the API: the page's response (None for an
    anonymous visitor), the API's response and how many jobs the API made."""
    # The page reads a form, as a browser sends it.
    client = make_api_client(users[role]) if role in users else None
    page = client.post(page_url, page_data, format="multipart") if client else None
    before = Job.objects.count()
    response = api(role).post(LIST, data, format="json")
    return page, response, Job.objects.count() - before


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 401),
        ("operator", 202),
        ("municipal", 202),
        ("school", 202),
        ("viewer", 202),
        ("outsider", 404),
        ("superuser", 202),
    ],
)
def test_whoever_sees_the_round_may_export_it(role, status, dummy, api, users, round_):
    page, response, made = _page_and_api(
        role,
        api,
        users,
        reverse("jobs:round-export", args=[round_.pk]),
        {},
        {"kind": "round_export", "round": round_.pk},
    )
    assert response.status_code == status, response.content
    if page is not None:
        assert page.status_code == {202: 302, 404: 404}[status]
    assert made == (1 if status == 202 else 0)
    if status == 202:
        assert Job.objects.get(pk=response.json()["id"]).user == users[role]
        assert response.json()["status"] == "queued"
    if status == 404:
        assert response.json()["detail"] == "Раунд самодиагностики не найден или недоступен."


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 401),
        ("operator", 202),
        ("municipal", 202),
        ("school", 404),  # a draft of the district: the school does not see it
        ("viewer", 202),
        ("outsider", 404),
        ("superuser", 202),
    ],
)
def test_whoever_sees_the_plan_may_have_its_pdf(role, status, dummy, api, users, world):
    draft = make_small_plan(world.omsu)
    page, response, made = _page_and_api(
        role,
        api,
        users,
        reverse("jobs:plan-pdf", args=[draft.pk]),
        {},
        {"kind": "plan_pdf", "roadmap": draft.pk},
    )
    assert response.status_code == status, response.content
    if page is not None:
        assert page.status_code == {202: 302, 404: 404}[status]
    assert made == (1 if status == 202 else 0)
    if status == 404:
        assert response.json()["detail"] == "Дорожная карта не найдена или недоступна."


@pytest.mark.parametrize(
    ("role", "status"),
    [("operator", 202), ("municipal", 404), ("school", 404), ("viewer", 202), ("superuser", 202)],
)
def test_a_map_of_a_municipality_out_of_sight_is_a_404(
    role, status, dummy, api, users, world, round_
):
    page, response, made = _page_and_api(
        role,
        api,
        users,
        reverse("jobs:deficit-map-xlsx", args=[round_.pk]),
        {"municipality": world.other_municipality.pk},
        {
            "kind": "deficit_map_xlsx",
            "round": round_.pk,
            "municipality": world.other_municipality.pk,
        },
    )
    assert response.status_code == status, response.content
    assert page.status_code == {202: 302, 404: 404}[status]
    assert made == (1 if status == 202 else 0)
    if status == 404:
        assert response.json()["detail"] == (
            "Муниципальное образование не найдено в области пользователя в регионе раунда."
        )


def test_a_map_of_a_municipality_of_another_region_is_a_404(dummy, api, world, round_):
    foreign = world.foreign_school.municipality
    response = api("superuser").post(
        LIST, {"kind": "deficit_map_pdf", "round": round_.pk, "municipality": foreign.pk}
    )
    assert response.status_code == 404
    assert not Job.objects.exists()


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"kind": "round_export"}, {"round"}),
        ({"kind": "deficit_map_pdf", "roadmap": 1}, {"round", "roadmap"}),
        ({"kind": "round_export", "round": 1, "municipality": 1}, {"municipality"}),
        ({"kind": "plan_pdf", "round": 1}, {"roadmap", "round"}),
        ({"kind": "directory_import", "round": 1}, {"kind"}),
        ({"round": 1}, {"kind"}),
        ({"kind": "round_export", "round": "первый"}, {"round"}),
        ({"kind": "round_export", "round": 0}, {"round"}),
    ],
)
def test_missing_or_stray_parameters_are_refused_in_russian(data, errors, dummy, api, round_):
    response = api("operator").post(LIST, data, format="json")
    assert response.status_code == 400
    body = response.json()
    assert set(body) == errors
    assert all(
        any("а" <= char.lower() <= "я" for char in message)
        for messages in body.values()
        for message in messages
    )
    assert not Job.objects.exists()


def test_the_parameters_say_which_kind_needs_them(dummy, api, round_):
    body = api("operator").post(LIST, {"kind": "plan_pdf", "round": round_.pk}).json()
    assert body == {
        "roadmap": ["Обязательное поле для задания «план в PDF»."],
        "round": ["Задание «план в PDF» не принимает это поле."],
    }


# Reading jobs: one's own only


@pytest.fixture
def jobs(world, superuser):
    """Two jobs of the operator (one done with a file, one queued), one of the viewer and one
    of the administrator."""
    done = Job.objects.create(
        user=world.operator, kind=Job.Kind.PLAN_PDF, title="PDF плана", status="done"
    )
    done.result.save("plan.pdf", io.BytesIO(b"%PDF-1.4 test"), save=False)
    done.result_name = "plan.pdf"
    done.progress = 100
    done.save()
    return {
        "done": done,
        "queued": Job.objects.create(
            user=world.operator, kind=Job.Kind.ROUND_EXPORT, title="Выгрузка", params={"round": 1}
        ),
        "viewer": Job.objects.create(
            user=world.viewer, kind=Job.Kind.DEFICIT_MAP_PDF, title="Карта"
        ),
        "root": Job.objects.create(user=superuser, kind=Job.Kind.PLAN_PDF, title="Карта"),
    }


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("operator", ["queued", "done"]),
        ("municipal", []),
        ("school", []),
        ("viewer", ["viewer"]),
        ("outsider", []),
        ("superuser", ["root"]),
    ],
)
def test_each_user_lists_only_their_own_jobs(role, expected, api, jobs):
    response = api(role).get(LIST)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == len(expected)
    assert [job["id"] for job in body["results"]] == [jobs[name].pk for name in expected]


def test_anonymous_gets_401_everywhere(api, jobs):
    client = api("anonymous")
    job = jobs["done"]
    for url in (LIST, _detail(job), _download_url(job)):
        response = client.get(url)
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Token"
    assert client.post(LIST, {"kind": "round_export", "round": 1}).status_code == 401


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("operator", 200),
        ("municipal", 404),
        ("school", 404),
        ("viewer", 404),
        ("outsider", 404),
        ("superuser", 404),
    ],
)
def test_a_job_and_its_file_are_their_users_only(role, status, api, jobs):
    client = api(role)
    job = jobs["done"]
    detail = client.get(_detail(job))
    download = client.get(_download_url(job))
    assert (detail.status_code, download.status_code) == (status, status)
    if status == 404:
        assert detail.json()["detail"] == ANOTHER_USERS
        assert download.json()["detail"] == ANOTHER_USERS
    else:
        assert b"".join(download.streaming_content) == b"%PDF-1.4 test"
        assert download["Content-Disposition"].endswith('filename="plan.pdf"')


def test_a_job_shows_its_progress(api, jobs):
    client = api("operator")
    Job.objects.filter(pk=jobs["queued"].pk).update(
        status="running", progress=42, message="Анкет с результатами: 3."
    )
    body = client.get(_detail(jobs["queued"])).json()
    assert (body["status"], body["status_display"], body["progress"], body["message"]) == (
        "running",
        "выполняется",
        42,
        "Анкет с результатами: 3.",
    )
    assert (body["is_finished"], body["download_url"], body["kind_display"]) == (
        False,
        None,
        "выгрузка результатов раунда в Excel",
    )
    assert "round" not in body  # the starting parameters are write-only; params has them
    done = client.get(_detail(jobs["done"])).json()
    assert done["download_url"] == "http://testserver" + _download_url(jobs["done"])


def test_jobs_filter_by_kind_and_status(api, jobs):
    client = api("operator")
    by_kind = client.get(LIST, {"kind": "plan_pdf"}).json()["results"]
    assert [job["id"] for job in by_kind] == [jobs["done"].pk]
    by_status = client.get(LIST, {"status": "queued"}).json()["results"]
    assert [job["id"] for job in by_status] == [jobs["queued"].pk]
    assert client.get(LIST, {"status": "lost"}).status_code == 400


def test_an_unfinished_jobs_file_is_a_409_until_it_is_done(settings, api, world, round_):
    settings.TASKS = DUMMY
    client = api("operator")
    body = client.post(LIST, {"kind": "round_export", "round": round_.pk}).json()
    job = Job.objects.get(pk=body["id"])
    response = client.get(_download_url(job))
    assert response.status_code == 409
    assert response.json()["detail"] == (
        "Задание ещё не завершено (в очереди, 0 %): файл будет доступен, когда оно выполнится."
    )
    settings.TASKS = IMMEDIATE
    run_job.enqueue(job.pk)
    body = client.get(_detail(job)).json()
    assert (body["status"], body["progress"]) == ("done", 100)
    assert _download(client, body).startswith(b"PK")  # an .xlsx is a zip


def test_a_failed_job_has_no_file_and_says_why(settings, api, world, round_):
    settings.TASKS = DUMMY
    client = api("operator")
    body = client.post(LIST, {"kind": "round_export", "round": round_.pk}).json()
    world.operator.memberships.all().delete()
    settings.TASKS = IMMEDIATE
    run_job.enqueue(body["id"])
    body = client.get(reverse("api:job-detail", args=[body["id"]])).json()
    assert (body["status"], body["is_finished"], body["download_url"]) == ("failed", True, None)
    response = client.get(reverse("api:job-download", args=[body["id"]]))
    assert response.status_code == 409
    assert response.json()["detail"] == (
        "Задание завершилось с ошибкой, файла нет. "
        "Раунд самодиагностики не найден или больше вам не доступен."
    )


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_a_job_cannot_be_changed_or_deleted(method, api, jobs):
    response = getattr(api("operator"), method)(_detail(jobs["queued"]), {}, format="json")
    assert response.status_code == 405
    assert Job.objects.filter(pk=jobs["queued"].pk, status="queued").exists()


def test_listing_jobs_costs_the_same_for_many_jobs(api, world, django_assert_max_num_queries):
    client = api("operator")
    for _ in range(3):
        Job.objects.create(user=world.operator, kind=Job.Kind.PLAN_PDF, title="PDF")
    with django_assert_max_num_queries(6) as few:
        assert client.get(LIST).json()["count"] == 3
    for _ in range(30):
        Job.objects.create(user=world.operator, kind=Job.Kind.PLAN_PDF, title="PDF")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(LIST).json()["count"] == 33
