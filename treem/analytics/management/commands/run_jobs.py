"""Run queued background jobs (report generation) in a separate worker process."""

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Chạy các tác vụ nền đang chờ (tạo báo cáo). --once: chạy hết hàng đợi rồi dừng."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="chạy các tác vụ đang chờ rồi thoát")
        parser.add_argument("--poll", type=float, default=2.0, help="giây chờ giữa hai lần kiểm tra hàng đợi")

    def handle(self, *args, **options):
        from treem.analytics.jobs import run_pending, work_forever

        if options["once"]:
            self.stdout.write(f"Đã chạy {run_pending()} tác vụ.")
            return
        self.stdout.write("Đang chờ tác vụ (Ctrl+C để dừng)…")
        work_forever(options["poll"])
