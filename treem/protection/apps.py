from django.apps import AppConfig


class ProtectionConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "treem.protection"
    label = "protection"
    verbose_name = "Bảo vệ trẻ em"

    def ready(self):
        from treem.core.versions import bump_on_change

        bump_on_change(self.label, "records")  # figures computed from the records (monitoring) are recomputed
