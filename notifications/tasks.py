"""Background tasks of notifications (django-tasks; see portal/tasks.py): the letters of a
batch of notifications, and the daily reminders. A task takes ids and reads the rows again."""

from django_tasks import task


@task()
def send_notification_emails(notification_ids: list[int]) -> int:
    """Letters for those of the notifications whose recipients want them immediately."""
    from notifications.mail import send_immediately

    return send_immediately(notification_ids)


@task()
def send_reminders() -> dict:
    """The daily reminders and digests (`manage.py send_reminders` does the same)."""
    from notifications.reminders import send_reminders as run

    return run().as_dict()
