from django.apps import AppConfig


class CareerMinimumConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "career_minimum"
    verbose_name = "Профминимум"
