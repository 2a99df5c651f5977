"""python manage.py send_reminders [--date YYYY-MM-DD] [--days N]: the daily reminders and
digests (notifications/reminders.py). Safe to run more than once a day: nothing is sent twice.
Schedule it once a day (cron, a systemd timer); see README «Почта и напоминания»."""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from notifications.reminders import send_reminders


class Command(BaseCommand):
    help = (
        "Рассылает напоминания о сроках мероприятий, о неотправленных анкетах и сводки уведомлений."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="День рассылки ГГГГ-ММ-ДД (по умолчанию сегодня).")
        parser.add_argument(
            "--days",
            type=int,
            default=settings.REMINDER_DAYS,
            help="За сколько дней напоминать о сроках (по умолчанию REMINDER_DAYS).",
        )

    def handle(self, *args, date=None, days, **options):
        today = None
        if date:
            try:
                today = datetime.date.fromisoformat(date)
            except ValueError:
                raise CommandError(
                    f"Дата должна быть в виде ГГГГ-ММ-ДД, получено «{date}»."
                ) from None
        if days < 1:
            raise CommandError("--days: укажите положительное число дней.")
        sent = send_reminders(today, days)
        self.stdout.write(
            f"Отправлено писем: о сроках — {sent.deadlines}, о неотправленных анкетах — "
            f"{sent.round_closing}, сводок — {sent.digests}; не отправлено из-за ошибок — "
            f"{sent.failed}."
        )
        if sent.failed:
            raise CommandError("Часть писем не отправлена: подробности — в журнале.")
