from django.apps import AppConfig


class ProtectionConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "treem.protection"
    label = "protection"
    verbose_name = "Bảo vệ trẻ em"
