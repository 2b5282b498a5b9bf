"""`treem import-plan FILE --json`: read a plan document and print what TreEm extracts from it."""

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from treem.documents.errors import DocumentError
from treem.documents.extract import import_document


class Command(BaseCommand):
    requires_system_checks: list = []  # pure text processing: no database, no URLs
    help = "Đọc một văn bản kế hoạch (.txt, .md, .docx, .pdf) và in kết quả trích xuất (không lưu)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="đường dẫn tệp văn bản")
        parser.add_argument("--json", action="store_true", help="in JSON (không lưu gì)")
        parser.add_argument("--text", action="store_true", help="kèm văn bản đã làm sạch trong JSON")
        parser.add_argument("--compact", action="store_true", help="JSON trên một dòng")

    def handle(self, *args, **opts):
        try:
            result = import_document(opts["file"])
        except DocumentError as exc:
            raise CommandError(exc.message) from exc
        plan = result.plan
        if opts["text"]:
            plan = {**plan, "text": result.text}
        if opts["json"]:
            indent = None if opts["compact"] else 2
            self.stdout.write(json.dumps(plan, ensure_ascii=False, indent=indent, default=str))
            return
        self.stdout.write(_summary(plan))


def _summary(plan: dict) -> str:
    """A short human-readable summary."""
    d = plan["document"]
    lines = [
        f"{d.get('type') or 'Văn bản'} {d.get('number') or ''} — {d.get('issuer') or '?'} — {d.get('date') or '?'}",
        f"Trích yếu: {d.get('title') or '?'}",
        f"Chỉ tiêu: {len(plan['targets'])}, thành phần: {sum(len(t['components']) for t in plan['targets'])}",
        f"Phân công: {len(plan['assignments'])}, chế độ báo cáo: {len(plan['reporting'])}, nhiệm vụ: {len(plan['tasks'])}",
    ]
    for w in plan.get("warnings") or []:
        lines.append(f"Lưu ý: {w}")
    lines.append("(dùng --json để xem toàn bộ)")
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    sys.exit("run through `treem import-plan`")
