"""Send the overdue alerts of protection cases (steps past their deadline, separations past 15 days)."""

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Gửi cảnh báo quá hạn của hồ sơ bảo vệ trẻ em (chạy định kỳ, vd mỗi giờ)."

    def handle(self, *args, **options):
        from treem.protection.services import send_due_alerts

        self.stdout.write(f"Cảnh báo đã gửi: {send_due_alerts()}")
