"""`manage.py parse_deadline`: the deadline parser on the command line, one JSON object a line."""

import json
import sys
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from roadmaps.deadlines import Period, parse_deadline


class Command(BaseCommand):
    help = (
        "Разбирает сроки мероприятий: фразы из аргументов или, без них, со стандартного ввода "
        "(по одной в строке); печатает по объекту JSON в строке."
    )
    # Tests hand in their own input stream: call_command(..., stdin=StringIO(...)).
    stealth_options = ("stdin",)
    # It touches no model, URL or template, so it stays usable while the rest of the site is not.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("texts", nargs="*", metavar="TEXT", help="сроки, как написаны в плане")
        parser.add_argument(
            "--period",
            help="период плана: 2024, 2023/2024 или 2023-09-01..2024-08-31 (по умолчанию "
            "текущий календарный год)",
        )

    def handle(self, *args, texts, period, **options):
        try:
            chosen = Period.parse(period) if period else Period.calendar_year(date.today().year)
        except ValueError as error:
            raise CommandError(str(error)) from None
        phrases = texts or self._lines(options.get("stdin") or sys.stdin)
        for phrase in phrases:
            deadline = parse_deadline(phrase, chosen)
            self.stdout.write(json.dumps(deadline.as_json(), ensure_ascii=False))

    @staticmethod
    def _lines(stream):
        for line in stream:
            if line.strip():
                yield line.rstrip("\r\n")
