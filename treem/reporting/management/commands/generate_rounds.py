"""(Re)generate the reporting rounds of every active plan (idempotent; plans also do it when they change)."""

import datetime

from django.core.management.base import BaseCommand

from treem.reporting.rounds import generate_all


class Command(BaseCommand):
    help = "Tạo hoặc cập nhật các kỳ báo cáo từ chế độ báo cáo của các kế hoạch (chạy lại không nhân bản)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--until", help="tạo các kỳ có hạn nộp đến ngày này (YYYY-MM-DD); mặc định một năm tới"
        )

    def handle(self, *args, **options):
        until = datetime.date.fromisoformat(options["until"]) if options.get("until") else None
        for plan, n in generate_all(until).items():
            self.stdout.write(f"{plan}: {n} kỳ báo cáo")
