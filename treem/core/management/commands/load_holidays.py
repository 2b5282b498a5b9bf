"""Load the public-holiday calendar from treem/core/data/holidays.yaml (idempotent)."""

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Nạp lịch ngày nghỉ lễ, tết, nghỉ bù và làm bù từ tệp dữ liệu (chạy lại không nhân bản)."

    def handle(self, *args, **options):
        from treem.core.calendar import load_holidays

        self.stdout.write(f"Ngày nghỉ lễ, làm bù: {load_holidays()}")
