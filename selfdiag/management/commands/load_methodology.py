from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from selfdiag.loading import read_document, save_methodology
from selfdiag.methodology import DEMO_METHODOLOGY_PATH, MethodologyError


class Command(BaseCommand):
    help = (
        "Загружает методику самодиагностики из JSON или YAML: проверяет её целиком, создаёт "
        "или обновляет версию (по коду версии) в одной транзакции и пересчитывает результаты."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", type=Path, help="файл .json, .yaml или .yml")
        parser.add_argument(
            "--demo",
            action="store_true",
            help=f"загрузить демонстрационную методику ({DEMO_METHODOLOGY_PATH.name})",
        )
        parser.add_argument("--dry-run", action="store_true", help="только проверить файл")

    def handle(self, path, demo, dry_run, **options):
        if demo:
            path = path or DEMO_METHODOLOGY_PATH
        if path is None:
            raise CommandError("Укажите файл методики или --demo.")
        try:
            methodology, data = read_document(path)
        except MethodologyError as error:
            lines = "\n".join(f"  – {message}" for message in error.errors)
            raise CommandError(
                f"Методика не загружена, ошибок: {len(error.errors)}.\n{lines}"
            ) from None
        if dry_run:
            self.stdout.write(
                f"Файл в порядке: версия {methodology.version}, направлений "
                f"{len(methodology.directions)}, показателей {len(methodology.indicators)}."
            )
            return
        is_demo = demo or Path(path).resolve() == DEMO_METHODOLOGY_PATH
        report = save_methodology(
            methodology, source=data, filename=Path(path).name, is_demo=is_demo
        )
        self.stdout.write(self.style.SUCCESS(report.summary()))
