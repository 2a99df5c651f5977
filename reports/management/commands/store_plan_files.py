from django.core.management.base import BaseCommand

from reports import stored
from roadmaps.models import Roadmap


class Command(BaseCommand):
    help = (
        "Сделать и сохранить PDF, Excel и Word утверждённых и архивных версий планов, у которых "
        "их нет или они устарели (например, после выпуска с новой вёрсткой). Утверждение делает "
        "их само, в фоне; команда — для планов, утверждённых раньше."
    )

    def add_arguments(self, parser):
        parser.add_argument("--roadmap", type=int, action="append", help="только этот план (id)")

    def handle(self, roadmap, **options):
        plans = Roadmap.objects.filter(
            status__in=[Roadmap.Status.APPROVED, Roadmap.Status.ARCHIVED]
        ).select_related("owner")
        if roadmap:
            plans = plans.filter(pk__in=roadmap)
        made = checked = 0
        for plan in plans.order_by("pk").iterator(chunk_size=100):
            checked += 1
            formats = stored.store_all(plan)
            made += len(formats)
            if formats:
                self.stdout.write(f"{plan.pk}: {', '.join(formats)}")
        self.stdout.write(f"Планов проверено: {checked}, файлов сделано: {made}.")
