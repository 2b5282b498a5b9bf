from django.apps import AppConfig


class RegistryConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "treem.registry"
    label = "registry"
    verbose_name = "Cơ sở dữ liệu trẻ em"
