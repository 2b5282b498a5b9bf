"""``zscores IN.csv OUT.csv``: WHO 2006 z-scores for every row of a CSV file."""

from django.core.management.base import BaseCommand, CommandError

from treem.registry import anthro


class Command(BaseCommand):
    help = (
        "Tính z-score WHO 2006 (zlen, zwei, zwfl, zbmi, chưa làm tròn) và cờ giá trị bất thường "
        "(flen, fwei, fwfl, fbmi) cho từng dòng của tệp CSV có các cột "
        + ", ".join(anthro.CSV_INPUT_COLUMNS)
        + "; các cột khác được giữ nguyên."
    )

    def add_arguments(self, parser):
        parser.add_argument("input", help="tệp CSV đầu vào")
        parser.add_argument("output", help="tệp CSV đầu ra (ghi đè nếu đã có)")
        parser.add_argument(
            "--chunk-rows",
            type=int,
            default=anthro.CSV_CHUNK_ROWS,
            help="số dòng xử lý mỗi lần (mặc định %(default)s)",
        )

    def handle(self, *args, **options):
        """Run :func:`treem.registry.anthro.zscores_csv`, turning input errors into CommandError."""
        if options["chunk_rows"] < 1:
            raise CommandError("--chunk-rows phải là số nguyên dương.")
        try:
            rows = anthro.zscores_csv(options["input"], options["output"], chunk_rows=options["chunk_rows"])
        except anthro.ZscoreInputError as exc:
            raise CommandError(str(exc)) from exc
        except OSError as exc:
            raise CommandError(f"Lỗi đọc/ghi tệp: {exc}") from exc
        self.stdout.write(f"Đã tính z-score cho {rows} dòng, ghi vào {options['output']}.")
