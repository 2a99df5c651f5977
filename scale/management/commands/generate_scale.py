"""Generate a whole country of data for benchmarks and load tests (see scale/generator.py)."""

from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from scale import generator as scale


class Command(BaseCommand):
    help = (
        "Генерирует данные в масштабе страны: муниципалитеты, школы, органы, пользователей, "
        "планы с мероприятиями и два раунда самодиагностики с результатами. Детерминированно "
        "(--seed). На базе, где сгенерированные данные уже есть, отказывается без --force."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--schools",
            type=int,
            default=scale.FULL_SCHOOLS,
            help=f"Число школ (по умолчанию {scale.FULL_SCHOOLS}); остальное — пропорционально.",
        )
        parser.add_argument("--seed", type=int, default=2026, help="Зерно генератора.")
        parser.add_argument(
            "--no-answers",
            action="store_true",
            help="Не сохранять ответы анкет (результаты, дефициты и уровни сохраняются).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Добавить ещё один набор поверх уже сгенерированного (имена получат метку).",
        )

    def handle(self, *, schools, seed, no_answers, force, **options):
        if schools < 1:
            raise CommandError("--schools должно быть положительным числом.")
        # DEBUG keeps every query and, on SQLite, runs one more query per INSERT to quote its
        # parameters for the log: it would double the time of a run.
        with override_settings(DEBUG=False):
            try:
                counts = scale.generate(
                    schools=schools,
                    seed=seed,
                    answers=not no_answers,
                    force=force,
                    log=self.stdout.write,
                )
            except scale.AlreadyGenerated as error:
                raise CommandError(
                    f"{error} Повторный запуск добавил бы второй набор: запустите с --force "
                    "или на пустой базе."
                ) from None
        summary = ", ".join(f"{name} {count}" for name, count in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Сгенерировано: {summary}"))
