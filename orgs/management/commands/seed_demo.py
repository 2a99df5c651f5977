from django.core.management.base import BaseCommand
from django.db import transaction

from orgs import demo


class Command(BaseCommand):
    help = "Загружает демонстрационные данные (повторный запуск ничего не дублирует)."

    def handle(self, **options):
        with transaction.atomic():
            directory = demo.seed_directory()
            logins = demo.seed_users(directory)
            for step in self.extra_steps():
                step(directory, stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Демонстрационные данные загружены."))
        self.stdout.write("")
        self.stdout.write(f"Пароль всех демонстрационных пользователей: {demo.DEMO_PASSWORD}")
        width = max(len(username) for username, _, _ in logins)
        for username, role, organization in logins:
            self.stdout.write(f"  {username:<{width}}  {role} — {organization}")

    def extra_steps(self):
        """Demo content of the other apps, each after the directory it stands on."""
        from roadmaps.demo import seed_roadmaps, seed_workflow
        from selfdiag.demo import seed_selfdiag

        return [seed_roadmaps, seed_selfdiag, seed_workflow]
