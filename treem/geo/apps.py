from django.apps import AppConfig


class GeoConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "treem.geo"
    label = "geo"
    verbose_name = "Đơn vị hành chính"
