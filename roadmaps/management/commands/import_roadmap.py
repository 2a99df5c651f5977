import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from orgs.models import Organization
from portal.validators import parse_id
from roadmaps.deadlines import Period
from roadmaps.importers import DocumentError
from roadmaps.importing import read_document, save_parsed_roadmap


class Command(BaseCommand):
    help = (
        "Импорт дорожной карты из .docx, .xlsx, .pdf (с текстовым слоем), .odt, .ods или текста "
        "(.txt, .md, .tsv). "
        "С --dry-run ничего не записывает; с --json печатает распознанный план."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="только распознать")
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="вывести план в JSON"
        )
        parser.add_argument(
            "--owner", help="владелец плана: id, ИНН или краткое наименование организации"
        )
        parser.add_argument("--period", help="период, если в документе его нет: 2024, 2023/2024")

    def handle(self, path, dry_run, as_json, owner, period, **options):
        if not path.is_file():
            raise CommandError(f"Файл не найден: {path}")
        try:
            parsed = read_document(path, filename=path.name)
        except DocumentError as error:
            raise CommandError(str(error)) from None
        chosen_period = None
        if period:
            try:
                chosen_period = Period.parse(period)
            except ValueError as error:
                raise CommandError(str(error)) from None
            parsed.period = chosen_period
        document = parsed.to_json()
        if dry_run:
            self._print(document, as_json=as_json)
            return
        if not owner:
            raise CommandError("Укажите владельца плана: --owner <id, ИНН или краткое имя>.")
        organization = self._owner(owner)
        try:
            roadmap = save_parsed_roadmap(
                parsed, owner=organization, period=chosen_period, filename=path.name
            )
        except DocumentError as error:
            raise CommandError(str(error)) from None
        if as_json:
            self._print({**document, "id": roadmap.pk}, as_json=True)
        else:
            self._print(document, as_json=False)
            self.stdout.write(self.style.SUCCESS(f"Сохранено: план № {roadmap.pk}."))

    def _owner(self, value: str) -> Organization:
        query = Q(short_name__iexact=value) | Q(inn=value)
        if pk := parse_id(value):
            query |= Q(pk=pk)
        matches = list(Organization.objects.filter(query)[:2])
        if not matches:
            raise CommandError(f"Организация «{value}» не найдена.")
        if len(matches) > 1:
            raise CommandError(f"Под «{value}» подходит несколько организаций; укажите id.")
        return matches[0]

    def _print(self, document: dict, *, as_json: bool) -> None:
        if as_json:
            self.stdout.write(json.dumps(document, ensure_ascii=False, indent=2))
            return
        period = document["period"]
        self.stdout.write(document["title"])
        self.stdout.write(f"Период: {period['start']} – {period['end']}")

        def count(sections):
            return sum(len(s["items"]) + count(s["sections"]) for s in sections)

        def walk(sections, depth=0):
            for section in sections:
                items = len(section["items"])
                self.stdout.write(f"{'  ' * depth}{section['number']} {section['title']}: {items}")
                walk(section["sections"], depth + 1)

        walk(document["sections"])
        self.stdout.write(
            f"Разделов верхнего уровня: {len(document['sections'])}, "
            f"мероприятий: {count(document['sections'])}, "
            f"сокращений: {len(document['glossary'])}"
        )
        for warning in document["warnings"]:
            self.stdout.write(self.style.WARNING(f"! {warning}"))
