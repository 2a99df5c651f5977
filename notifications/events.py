"""What each event of the domain says and to whom: one function per hook.

The hooks are one line each in the domain modules (Roadmap._step, Submission.submit and
review, roadmaps.editing.write_item, selfdiag.rounds.open_round, portal.tasks) and call these;
each waits for the commit of the caller's transaction (a step rolled back tells nobody, and the
step itself pays no query for it), then builds the Russian text and the link and hands them to
`notifications.notify`.
"""

from functools import partial, wraps

from django.db import transaction
from django.urls import reverse
from django.utils.text import Truncator

from notifications import notify, recipients
from notifications.models import Notification
from portal.russian import quote

Kind = Notification.Kind


def after_commit(function):
    @wraps(function)
    def deferred(*args, **kwargs):
        transaction.on_commit(partial(function, *args, **kwargs), robust=True)

    return deferred


def _short(text: str, length: int = 160) -> str:
    return Truncator(" ".join(text.split())).chars(length)


def _plan(roadmap) -> str:
    return f"{quote(_short(roadmap.title))} ({roadmap.owner.short_name})"


# Plans


@after_commit
def roadmap_event(event) -> None:
    """A workflow step of a plan (RoadmapEvent): submitted → reviewers; returned or approved →
    the writers of the owner."""
    roadmap = event.roadmap
    Action = type(event).Action
    link = reverse("roadmaps:roadmap-detail", args=[roadmap.pk])
    if event.action == Action.SUBMITTED:
        kind, to = Kind.PLAN_SUBMITTED, recipients.plan_reviewers(roadmap)
        text = f"План {_plan(roadmap)} направлен вам на согласование."
    elif event.action == Action.RETURNED:
        kind, to = Kind.PLAN_RETURNED, recipients.writers_of(roadmap.owner)
        text = f"План {_plan(roadmap)} возвращён на доработку. Комментарий: {event.comment}"
    elif event.action == Action.APPROVED:
        kind, to = Kind.PLAN_APPROVED, recipients.writers_of(roadmap.owner)
        text = f"План {_plan(roadmap)} утверждён {event.comment}."
    else:
        return
    notify(kind, to, text, link=link, obj=roadmap, exclude=event.user)


@after_commit
def item_assigned(item, parties, before_names) -> None:
    """Organizations of the directory newly named responsible for an item of another
    organization's plan (a higher-level plan naming a municipality or a school)."""
    roadmap = item.roadmap
    organization_ids = {
        party.organization_id
        for party in parties
        if party.organization_id
        and party.organization_id != roadmap.owner_id
        and party.name not in before_names
    }
    if not organization_ids:
        return
    number = f"{item.number} " if item.number else ""
    text = (
        "Вашу организацию назначили ответственной за мероприятие "
        f"{number}{quote(_short(item.title))} "
        f"плана {_plan(roadmap)}; срок: {item.deadline_text or 'не указан'}."
    )
    link = reverse("roadmaps:roadmap-detail", args=[roadmap.pk]) + f"#item-{item.pk}"
    notify(
        Kind.ITEM_ASSIGNED,
        recipients.writers_of_organizations(organization_ids),
        text,
        link=link,
        obj=item,
    )


# Self-diagnosis


@after_commit
def submission_submitted(submission, by) -> None:
    school, round_ = submission.school, submission.round
    notify(
        Kind.SUBMISSION_SUBMITTED,
        recipients.submission_reviewers(submission),
        f"{school.short_name} отправила анкету самодиагностики {quote(round_.name)} на проверку.",
        link=reverse("selfdiag:result", args=[round_.pk, school.pk]),
        obj=submission,
        exclude=by,
    )


@after_commit
def submission_reviewed(submission, by) -> None:
    school, round_ = submission.school, submission.round
    if submission.status == submission.Status.ACCEPTED:
        kind = Kind.SUBMISSION_ACCEPTED
        text = f"Анкета самодиагностики {quote(round_.name)} ({school.short_name}) принята."
        if submission.review_comment:
            text += f" Комментарий: {submission.review_comment}"
        link = reverse("selfdiag:result", args=[round_.pk, school.pk])
    else:
        kind = Kind.SUBMISSION_RETURNED
        text = (
            f"Анкета самодиагностики {quote(round_.name)} ({school.short_name}) возвращена на "
            f"доработку. Комментарий: {submission.review_comment}"
        )
        link = reverse("selfdiag:questionnaire", args=[round_.pk, school.pk])
    notify(kind, recipients.writers_of(school), text, link=link, obj=submission, exclude=by)


@after_commit
def round_opened(round_) -> None:
    """The round's schools are told that their questionnaire waits."""
    notify(
        Kind.ROUND_OPENED,
        recipients.writers_of_organizations(round_.schools.values_list("pk", flat=True)),
        f"Открыт раунд самодиагностики {quote(round_.name)}: заполните и отправьте анкету школы "
        f"до {round_.closes_on:%d.%m.%Y}.",
        link=reverse("home"),
        obj=round_,
        exclude=round_.created_by,
    )


# Background jobs


@after_commit
def job_finished(job) -> None:
    if job.status == job.Status.DONE:
        text = f"Задание {quote(_short(job.title))} выполнено: файл готов к скачиванию."
    else:
        text = f"Задание {quote(_short(job.title))} завершилось с ошибкой. {job.message}".strip()
    notify(
        Kind.JOB_FINISHED,
        [job.user],
        text,
        link=reverse("jobs:job-detail", args=[job.pk]),
        obj=job,
    )
