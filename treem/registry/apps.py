from django.apps import AppConfig


class RegistryConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "treem.registry"
    label = "registry"
    verbose_name = "Cơ sở dữ liệu trẻ em"

    def ready(self):
        from treem.core.versions import bump_on_change

        bump_on_change(self.label, "records")  # figures computed from the records (monitoring) are recomputed
