"""`treem evaluate-parser GOLD_DIR DOCS_DIR`: precision, recall and F1 of the plan parser."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from treem.documents.evaluation import evaluate, format_report


class Command(BaseCommand):
    requires_system_checks: list = []  # pure text processing: no database, no URLs
    help = "Chấm bộ trích xuất kế hoạch theo các tệp chuẩn (gold): precision, recall, F1."

    def add_arguments(self, parser):
        parser.add_argument("gold_dir", help="thư mục các tệp chuẩn .yaml")
        parser.add_argument("docs_dir", nargs="?", help="thư mục văn bản nguồn (mặc định: như gold_dir)")
        parser.add_argument("--verbose", "-V", action="store_true", help="liệt kê từng sai lệch")
        parser.add_argument("--json", action="store_true", help="in kết quả dạng JSON")

    def handle(self, *args, **opts):
        gold = Path(opts["gold_dir"])
        docs = Path(opts["docs_dir"] or opts["gold_dir"])
        for p in (gold, docs):
            if not p.is_dir():
                raise CommandError(f"Không tìm thấy thư mục “{p}”.")
        result = evaluate(gold, docs)
        if not result["documents"]:
            raise CommandError("Không có cặp tệp chuẩn – văn bản nào để chấm.")
        if opts["json"]:
            out = {
                k: {
                    "precision": s.precision,
                    "recall": s.recall,
                    "f1": s.f1,
                    "tp": s.tp,
                    "fp": s.fp,
                    "fn": s.fn,
                }
                for k, s in result["totals"].items()
            }
            out["documents"] = sorted(result["documents"])
            self.stdout.write(json.dumps(out, ensure_ascii=False, indent=2))
            return
        self.stdout.write(format_report(result, verbose=opts["verbose"]))
