"""In-app notifications and the e-mail that follows them.

The domain layer tells people through one call, `notify(kind, recipients, text, link=, obj=)`:
the workflow of plans (roadmaps.models.Roadmap), of questionnaires (selfdiag.models.Submission),
the writing of items (roadmaps.editing), opening rounds (selfdiag.rounds) and background jobs
(portal.tasks) each call it in one line through notifications/events.py. Nothing is written
until the caller's transaction commits (a refused or rolled-back write tells nobody); then a
notification is stored for each recipient and the letters of those who want them at once go
out in a background task, never inside the request's transaction.
"""

from functools import partial


def notify(kind, recipients, text: str, *, link: str = "", obj=None, exclude=None) -> None:
    """Tell `recipients` (users, a queryset of them, or a function returning either) `text`,
    on commit.

    `link` is a path of the portal (made absolute in e-mails); `obj` the object it is about;
    `exclude` a user not to tell (whoever did the thing).
    """
    from django.db import transaction

    transaction.on_commit(
        partial(_deliver, kind, recipients, text, link, _object_key(obj), exclude), robust=True
    )


def _object_key(obj):
    if obj is None:
        return None
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(obj).pk, obj.pk


def _deliver(kind, recipients, text, link, object_key, exclude):
    from notifications.models import Notification
    from notifications.tasks import send_notification_emails

    ids = _user_ids(recipients) - ({exclude.pk} if exclude is not None else set())
    if not ids:
        return []
    content_type_id, object_id = object_key or (None, None)
    rows = Notification.objects.bulk_create(
        Notification(
            recipient_id=user_id,
            kind=kind,
            text=text,
            link=link,
            content_type_id=content_type_id,
            object_id=object_id,
        )
        for user_id in sorted(ids)
    )
    send_notification_emails.enqueue([row.pk for row in rows])
    return rows


def _user_ids(recipients) -> set[int]:
    if callable(recipients):  # worked out on commit, e.g. the reviewers of a plan
        recipients = recipients()
    if hasattr(recipients, "values_list"):
        return set(recipients.values_list("pk", flat=True))
    return {user.pk for user in recipients}
