"""Export values as a DHIS2 dataValueSets file (JSON or CSV)."""

from django.core.management.base import BaseCommand, CommandError

from treem.reporting.dhis2 import ExchangeError, export_values
from treem.reporting.models import DataValue, ValueStatus
from treem.reporting.periods import PeriodError, get_period


class Command(BaseCommand):
    help = "Xuất số liệu theo định dạng dataValueSets của DHIS2 (JSON hoặc CSV)."

    def add_arguments(self, parser):
        parser.add_argument("period", help="mã kỳ DHIS2: 2025, 2025S1, 2025Q1, 202501")
        parser.add_argument("--format", choices=["json", "csv"], default="json")
        parser.add_argument("--unit", help="mã đơn vị (kèm cấp dưới); mặc định tất cả")
        parser.add_argument("--output", "-o", help="tệp ghi ra (mặc định: màn hình)")
        parser.add_argument("--include-drafts", action="store_true")

    def handle(self, *args, **options):
        try:
            period = get_period(options["period"])
        except PeriodError as e:
            raise CommandError(str(e)) from None
        statuses = [ValueStatus.SUBMITTED, ValueStatus.APPROVED] + (
            [ValueStatus.DRAFT] if options["include_drafts"] else []
        )
        qs = DataValue.objects.filter(period=period, status__in=statuses)
        if options.get("unit"):
            qs = qs.filter(unit__ancestor_links__ancestor__code=options["unit"])
        try:
            content, _ = export_values(qs, options["format"])
        except ExchangeError as e:
            raise CommandError(str(e)) from None
        if options.get("output"):
            with open(options["output"], "wb") as f:
                f.write(content)
            self.stderr.write(f"Đã ghi {qs.count()} giá trị vào {options['output']}")
        else:
            self.stdout.write(content.decode("utf-8"))
