from django.apps import AppConfig


class RoadmapsConfig(AppConfig):
    name = "roadmaps"
    verbose_name = "Дорожные карты"

    def ready(self):
        from roadmaps import row_cache

        row_cache.connect_signals()
