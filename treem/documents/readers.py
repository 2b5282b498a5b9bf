"""Read plan documents (.txt, .md, .docx, .pdf, scanned .pdf via Tesseract) into raw text."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .errors import DocumentError, error

MAX_BYTES = 50 * 1024 * 1024
MAX_PAGES = 2000
TEXT_EXTENSIONS = {".txt", ".md", ".markdown", ".text"}
PAGE_BREAK = "\f"

Progress = Callable[[int, int], None]


@dataclass
class ReadResult:
    """Raw text of a document and how it was read."""

    text: str
    kind: str  # txt, md, docx, pdf, pdf-ocr
    pages: int | None = None
    warnings: list[str] = field(default_factory=list)
    paragraphs: bool = False  # True when the text holds real paragraphs (DOCX), not wrapped lines


def read_document(
    source,
    filename: str | None = None,
    *,
    progress: Progress | None = None,
    max_bytes: int = MAX_BYTES,
) -> ReadResult:
    """Read a path, bytes or binary file object; raise DocumentError with a Vietnamese message."""
    data, name = _load_bytes(source, filename, max_bytes)
    if not data or not data.strip():
        raise error("empty", name=name)
    ext = Path(name).suffix.lower()
    head = data[:8]
    if head.startswith(b"%PDF") or ext == ".pdf":
        if not head.startswith(b"%PDF"):
            raise error("corrupt_pdf", name=name)
        return read_pdf(data, name, progress=progress)
    if head.startswith(b"PK\x03\x04") or ext == ".docx":
        return read_docx(data, name)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        if ext in (".doc", ".dot", ""):
            raise error("doc_legacy", name=name)
        raise error("unsupported", name=name)
    if ext in TEXT_EXTENSIONS or ext == "":
        return read_text(data, name, kind="md" if ext in (".md", ".markdown") else "txt")
    if ext in (".doc", ".rtf", ".odt", ".xls", ".xlsx", ".ppt", ".pptx", ".jpg", ".jpeg", ".png", ".zip"):
        raise error("doc_legacy" if ext == ".doc" else "unsupported", name=name)
    # Unknown extension: accept it if it is really text.
    return read_text(data, name, kind="txt")


def _load_bytes(source, filename: str | None, max_bytes: int) -> tuple[bytes, str]:
    """Return the bytes of `source` and a display name, enforcing the size limit."""
    if isinstance(source, (bytes, bytearray)):
        data, name = bytes(source), filename or "tệp tải lên"
    elif isinstance(source, (str, os.PathLike)):
        path = Path(source)
        name = filename or path.name
        if not path.is_file():
            raise error("not_found", name=str(source))
        size = path.stat().st_size
        if size > max_bytes:
            raise error("too_large", name=name, size=_mb(size), limit=_mb(max_bytes))
        data = path.read_bytes()
    elif hasattr(source, "read"):
        name = filename or getattr(source, "name", None) or "tệp tải lên"
        name = os.path.basename(str(name))
        data = source.read(max_bytes + 1)
        if isinstance(data, str):
            data = data.encode("utf-8")
    else:
        raise TypeError(f"cannot read {type(source).__name__}")
    if len(data) > max_bytes:
        raise error("too_large", name=name, size=_mb(len(data)), limit=_mb(max_bytes))
    return data, name


def _mb(n: int) -> str:
    """Megabytes, one decimal, Vietnamese style."""
    return f"{n / 1024 / 1024:.1f}".replace(".", ",")


def read_text(data: bytes, name: str, kind: str = "txt") -> ReadResult:
    """Decode a plain-text or Markdown file (UTF-8, UTF-16 or Windows-1258)."""
    warnings = []
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")
    else:
        if b"\x00" in data[:65536]:
            raise error("binary", name=name)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1258", errors="replace")
            warnings.append(
                "Tệp không ở mã UTF-8; đã đọc theo bảng mã Windows-1258, hãy kiểm tra dấu tiếng Việt."
            )
    sample = text[:20000]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t\f\v")
    bad = sample.count("\ufffd")
    if sample and (controls + bad) / len(sample) > 0.02:
        raise error("binary", name=name)
    if not text.strip():
        raise error("empty", name=name)
    return ReadResult(text=text, kind=kind, warnings=warnings)


# ---------------------------------------------------------------- DOCX


def read_docx(data: bytes, name: str) -> ReadResult:
    """Read a DOCX: paragraphs and tables in document order; bold runs kept as **…**."""
    try:
        import docx
        from docx.oxml.ns import qn
    except ImportError as exc:  # pragma: no cover - python-docx is a dependency
        raise error("unsupported", name=name) from exc
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            if "word/document.xml" not in zf.namelist():
                raise error("corrupt_docx", name=name)
        document = docx.Document(io.BytesIO(data))
    except DocumentError:
        raise
    except Exception as exc:
        raise error("corrupt_docx", name=name) from exc

    blocks: list[str] = []
    body = document.element.body
    for child in body.iterchildren():
        if child.tag == qn("w:p"):
            blocks.append(_docx_paragraph_text(child, qn))
        elif child.tag == qn("w:tbl"):
            blocks.append(_docx_table_text(child, qn))
    text = "\n\n".join(b for b in blocks if b.strip())
    if not text.strip():
        raise error("no_text", name=name)
    return ReadResult(text=text, kind="docx", paragraphs=True)


def _docx_paragraph_text(p, qn) -> str:
    """Text of one w:p element, bold runs wrapped in ** (only when some but not all runs are bold)."""
    pieces: list[tuple[str, bool]] = []
    for node in p.iter():
        if node.tag == qn("w:r"):
            rpr = node.find(qn("w:rPr"))
            bold = False
            if rpr is not None:
                b = rpr.find(qn("w:b"))
                if b is not None and b.get(qn("w:val")) not in ("0", "false", "off"):
                    bold = True
            text = []
            for sub in node:
                if sub.tag == qn("w:t"):
                    text.append(sub.text or "")
                elif sub.tag in (qn("w:tab"),):
                    text.append(" ")
                elif sub.tag in (qn("w:br"), qn("w:cr")):
                    text.append(" ")
            if text:
                pieces.append(("".join(text), bold))
    if not pieces:
        return ""
    content = [t for t, _ in pieces if t.strip()]
    bold_content = [t for t, b in pieces if b and t.strip()]
    if not bold_content or len(bold_content) == len(content):
        return "".join(t for t, _ in pieces).strip()
    out, in_bold = [], False
    for t, b in pieces:
        if b and not in_bold and t.strip():
            out.append("**")
            in_bold = True
        elif not b and in_bold and t.strip():
            out.append("**")
            in_bold = False
        out.append(t)
    if in_bold:
        out.append("**")
    return "".join(out).replace("** **", " ").strip()


def _docx_table_text(tbl, qn) -> str:
    """Render a w:tbl as Markdown-like rows "| a | b |", merged cells once, nested text flattened."""
    rows = []
    for tr in tbl.findall(qn("w:tr")):
        cells = []
        for tc in tr.findall(qn("w:tc")):
            texts = []
            for p in tc.iter(qn("w:p")):
                t = _docx_paragraph_text(p, qn).replace("**", "")
                if t:
                    texts.append(t)
            cell = " ".join(texts).replace("|", "/").strip()
            tcpr = tc.find(qn("w:tcPr"))
            span = 1
            if tcpr is not None:
                gs = tcpr.find(qn("w:gridSpan"))
                if gs is not None and (gs.get(qn("w:val")) or "1").isdigit():
                    span = int(gs.get(qn("w:val")))
                vm = tcpr.find(qn("w:vMerge"))
                if vm is not None and vm.get(qn("w:val")) != "restart":
                    cell = ""  # continuation of a vertically merged cell
            cells.append(cell)
            cells.extend([""] * (span - 1))
        if any(c for c in cells):
            rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


# ---------------------------------------------------------------- PDF


def read_pdf(data: bytes, name: str, *, progress: Progress | None = None) -> ReadResult:
    """Read a PDF's text layer page by page (pages separated by \\f); OCR when it has none."""
    try:
        import pypdfium2 as pdfium
    except ImportError as exc:  # pragma: no cover
        raise error("unsupported", name=name) from exc
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise error("encrypted_pdf", name=name) from exc
        raise error("corrupt_pdf", name=name) from exc
    try:
        n = len(pdf)
        if n == 0:
            raise error("corrupt_pdf", name=name)
        if n > MAX_PAGES:
            raise error("too_many_pages", name=name, pages=n, limit=MAX_PAGES)
        pages = []
        for i in range(n):
            page = pdf[i]
            textpage = page.get_textpage()
            pages.append(textpage.get_text_range().replace("\r\n", "\n").replace("\r", "\n"))
            textpage.close()
            page.close()
            if progress:
                progress(i + 1, n)
        visible = sum(len("".join(p.split())) for p in pages)
        if visible >= 20 * n or (visible > 200):
            return ReadResult(text=PAGE_BREAK.join(pages), kind="pdf", pages=n)
        return _ocr_pdf(pdf, name, progress=progress)
    finally:
        pdf.close()


def tesseract_available() -> bool:
    """True when the tesseract binary and its Vietnamese model are installed."""
    exe = shutil.which("tesseract")
    if not exe:
        return False
    try:
        out = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return False
    return "vie" in (out.stdout + out.stderr).split()


def _ocr_pdf(pdf, name: str, *, progress: Progress | None = None) -> ReadResult:
    """OCR every page of a scanned PDF with Tesseract's Vietnamese model."""
    if not tesseract_available():
        raise error("ocr_unavailable", name=name)
    n = len(pdf)
    pages = []
    with tempfile.TemporaryDirectory(prefix="treem-ocr-") as tmp:
        for i in range(n):
            page = pdf[i]
            image = page.render(scale=300 / 72).to_pil()
            page.close()
            png = os.path.join(tmp, f"p{i}.png")
            image.save(png)
            try:
                out = subprocess.run(
                    ["tesseract", png, "stdout", "-l", "vie", "--psm", "6"],
                    capture_output=True,
                    text=True,
                    timeout=300,
                )
            except (OSError, subprocess.SubprocessError) as exc:
                raise error("ocr_failed", name=name, detail=str(exc)) from exc
            if out.returncode != 0:
                raise error("ocr_failed", name=name, detail=out.stderr.strip()[:200])
            pages.append(out.stdout)
            if progress:
                progress(i + 1, n)
    text = PAGE_BREAK.join(pages)
    if not text.strip():
        raise error("no_text", name=name)
    return ReadResult(
        text=text,
        kind="pdf-ocr",
        pages=n,
        warnings=["Văn bản được nhận dạng bằng OCR từ bản quét; hãy đối chiếu kỹ các con số."],
    )
