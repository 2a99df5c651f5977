from django.core.management.base import BaseCommand, CommandError

from selfdiag.methodology import MethodologyError
from selfdiag.models import Methodology
from selfdiag.results import recompute


class Command(BaseCommand):
    help = (
        "Пересчитывает сохранённые результаты самодиагностики по текущим показателям методики "
        "(после правки баллов, порогов или формулировок)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--methodology",
            dest="versions",
            action="append",
            default=[],
            help="код версии методики (можно несколько раз); по умолчанию — все",
        )

    def handle(self, versions, **options):
        methodologies = Methodology.objects.order_by("version")
        if versions:
            methodologies = methodologies.filter(version__in=versions)
            missing = set(versions) - set(methodologies.values_list("version", flat=True))
            if missing:
                raise CommandError(f"Нет методики с версией: {', '.join(sorted(missing))}.")
        for methodology in methodologies:
            try:
                count = recompute(methodology)
            except MethodologyError as error:
                raise CommandError(
                    f"Методика {methodology.version} некорректна, ничего не пересчитано:\n"
                    + "\n".join(f"  – {message}" for message in error.errors)
                ) from None
            self.stdout.write(f"{methodology.version}: пересчитано анкет — {count}.")
