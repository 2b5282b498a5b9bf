"""Excel downloads (openpyxl): any table of the dashboards, and the figures of a consolidated report."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

HEADER_FILL = PatternFill("solid", fgColor="0B3A6E")
HEADER_FONT = Font(bold=True, color="FFFFFF")


def workbook(sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence]]], note: str = "") -> bytes:
    """A workbook with one sheet per (title, headers, rows); numbers stay numbers; an optional note row on top."""
    wb = Workbook()
    wb.remove(wb.active)
    for title, headers, rows in sheets:
        ws = wb.create_sheet(title=_sheet_title(title))
        start = 1
        if note:
            ws.cell(row=1, column=1, value=note).font = Font(italic=True)
            start = 3
        for col, h in enumerate(headers, start=1):
            c = ws.cell(row=start, column=col, value=h)
            c.fill, c.font = HEADER_FILL, HEADER_FONT
            c.alignment = Alignment(wrap_text=True, vertical="center")
        widths = [len(str(h)) for h in headers]
        for r, row in enumerate(rows, start=start + 1):
            for col, v in enumerate(row, start=1):
                ws.cell(row=r, column=col, value=v)
                if col <= len(widths):
                    widths[col - 1] = max(widths[col - 1], min(60, len(str(v)) if v is not None else 0))
        for i, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = max(8, min(60, w + 2))
        ws.freeze_panes = ws.cell(row=start + 1, column=1)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _sheet_title(title: str) -> str:
    for ch in "[]:*?/\\":
        title = title.replace(ch, " ")
    return title[:31] or "Sheet"
