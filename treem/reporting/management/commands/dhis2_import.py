"""Import a DHIS2 dataValueSets file (JSON or CSV) as a given user (scope and audit are the user's)."""

import json

from django.core.management.base import BaseCommand, CommandError

from treem.accounts.models import User
from treem.reporting.dhis2 import ExchangeError, import_values


class Command(BaseCommand):
    help = "Nhập số liệu từ tệp dataValueSets của DHIS2 (JSON hoặc CSV), với quyền của một người dùng."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--user", required=True, help="tên đăng nhập (phạm vi và nhật ký theo người này)")
        parser.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra, không ghi")
        parser.add_argument(
            "--strategy",
            default="CREATE_AND_UPDATE",
            choices=["CREATE", "UPDATE", "CREATE_AND_UPDATE", "DELETE"],
        )

    def handle(self, *args, **options):
        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"Không có người dùng {options['user']}")
        with open(options["file"], "rb") as f:
            raw = f.read()
        fmt = "csv" if options["file"].lower().endswith(".csv") else "json"
        try:
            summary = import_values(raw, fmt, user, dry_run=options["dry_run"], strategy=options["strategy"])
        except ExchangeError as e:
            raise CommandError(str(e)) from None
        self.stdout.write(json.dumps(summary, ensure_ascii=False, indent=1))
