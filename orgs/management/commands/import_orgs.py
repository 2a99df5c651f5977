from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from orgs.importers import DirectoryError, parse_directory, save_directory
from orgs.models import Region
from portal import russian
from portal.russian import ORGANIZATIONS


class Command(BaseCommand):
    help = "Импорт муниципальных образований и школ региона из XLSX или CSV (всё или ничего)."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--region", required=True, help="код субъекта РФ, например 47")
        parser.add_argument("--dry-run", action="store_true", help="только проверить файл")

    def handle(self, path, region, dry_run, **options):
        try:
            region_obj = Region.objects.get(code=region.zfill(2))
        except Region.DoesNotExist:
            raise CommandError(f"Субъект РФ с кодом «{region}» не найден.") from None
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Не удалось прочитать файл {path}: {error.strerror}.") from None
        try:
            parsed = parse_directory(data, path.name, region_obj)
        except DirectoryError as error:
            raise CommandError(str(error)) from None
        if parsed.errors:
            raise CommandError("Ничего не сохранено.\n" + "\n".join(parsed.errors))
        if dry_run:
            self.stdout.write(f"Файл в порядке: {russian.count(len(parsed.rows), ORGANIZATIONS)}.")
            return
        created, updated = save_directory(parsed, region_obj)
        self.stdout.write(
            self.style.SUCCESS(f"Добавлено организаций: {created}, обновлено: {updated}.")
        )
