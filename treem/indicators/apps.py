from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "treem.indicators"
    label = "indicators"
    verbose_name = "Chỉ số"
