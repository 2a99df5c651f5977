from django.apps import AppConfig


class SelfdiagConfig(AppConfig):
    name = "selfdiag"
    verbose_name = "Самодиагностика"
