from django.apps import AppConfig


class CoreConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "treem.core"
    label = "core"
    verbose_name = "Hệ thống chung"
