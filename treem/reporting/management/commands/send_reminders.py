"""Send the reporting reminders due today (in-app and by e-mail); safe to run every hour."""

import datetime

from django.core.management.base import BaseCommand

from treem.reporting.completeness import send_reminders
from treem.reporting.entry import today


class Command(BaseCommand):
    help = "Gửi nhắc nhở báo cáo (trước hạn và quá hạn) trong TreEm và qua thư điện tử; chạy lại không gửi trùng."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="ngày chạy (YYYY-MM-DD), mặc định hôm nay")

    def handle(self, *args, **options):
        on = datetime.date.fromisoformat(options["date"]) if options.get("date") else today()
        counts = send_reminders(on)
        self.stdout.write(
            f"Ngày {on:%d/%m/%Y}: {counts['reminders']} nhắc nhở, {counts['notifications']} thông báo, "
            f"{counts['emails']} thư."
        )
