"""Readers and bad input: every failure is one DocumentError with a Vietnamese message."""

import io
import shutil
import zipfile
from pathlib import Path

import pytest

from treem.documents import readers
from treem.documents.errors import DocumentError
from treem.documents.extract import import_document
from treem.documents.readers import read_document

DATA = Path(__file__).resolve().parent / "data"


def _error(source, filename=None, **kw) -> DocumentError:
    with pytest.raises(DocumentError) as info:
        read_document(source, filename, **kw)
    message = info.value.message
    assert message and any(ch in message for ch in "ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ")
    return info.value


def test_empty_file(tmp_path):
    p = tmp_path / "empty.txt"
    p.write_bytes(b"")
    assert _error(p).code == "empty"
    p.write_text("  \n\n ", encoding="utf-8")
    assert _error(p).code == "empty"


def test_binary_file(tmp_path):
    p = tmp_path / "data.bin"
    p.write_bytes(bytes(range(256)) * 50)
    assert _error(p).code == "binary"
    p2 = tmp_path / "image.txt"
    p2.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 10)
    assert _error(p2).code == "binary"


def test_corrupt_docx(tmp_path):
    p = tmp_path / "broken.docx"
    p.write_bytes(b"PK\x03\x04 this is not really a zip archive")
    assert _error(p).code == "corrupt_docx"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("hello.txt", "xin chào")
    p.write_bytes(buf.getvalue())
    assert _error(p).code == "corrupt_docx"


def test_corrupt_pdf(tmp_path):
    p = tmp_path / "broken.pdf"
    p.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage without xref")
    assert _error(p).code == "corrupt_pdf"
    p.write_bytes(b"not a pdf at all")
    assert _error(p).code == "corrupt_pdf"


def test_unsupported_and_legacy_word(tmp_path):
    p = tmp_path / "old.doc"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    assert _error(p).code == "doc_legacy"
    p = tmp_path / "sheet.xlsx"
    p.write_bytes(b"something")
    assert _error(p).code == "unsupported"


def test_too_large_and_missing(tmp_path):
    p = tmp_path / "big.txt"
    p.write_text("Kế hoạch " * 1000, encoding="utf-8")
    assert _error(p, max_bytes=1000).code == "too_large"
    assert _error(tmp_path / "nope.txt").code == "not_found"


def test_bytes_and_file_objects_are_accepted():
    data = (DATA / "plan_01_tinh_letters.txt").read_bytes()
    assert read_document(data, "kh.txt").kind == "txt"
    assert read_document(io.BytesIO(data), "kh.txt").text.startswith(" ỦY BAN")
    assert read_document(DATA / "plan_04_docx_table.docx").kind == "docx"


def test_windows_1258_text_is_read_with_a_warning(tmp_path):
    p = tmp_path / "legacy.txt"
    p.write_bytes("Giáo dân, Hà Tây".encode("cp1258"))
    result = read_document(p)
    assert "Giáo dân" in result.text and result.warnings


def test_docx_tables_are_read_in_document_order():
    text = read_document(DATA / "plan_04_docx_table.docx").text
    assert text.index("I. MỤC TIÊU") < text.index("| STT | Chỉ tiêu |") < text.index("II. NHIỆM VỤ")
    assert (
        "| 2 | Tỷ suất tử vong trẻ em dưới 5 tuổi | trẻ/1.000 trẻ đẻ sống | < 18,5 | < 15 | Sở Y tế |" in text
    )


def test_pdf_text_layer_is_read_page_by_page():
    result = read_document(DATA / "plan_05_pdf.pdf")
    assert result.kind == "pdf" and result.pages >= 2
    assert result.text.count("\f") == result.pages - 1
    assert "Tỷ lệ trẻ em bỏ học cấp tiểu học dưới 0,1%" in result.text


def _scanned_pdf(path: Path, text: str | None = None) -> None:
    """An image-only PDF (optionally with text drawn in a Vietnamese-capable font)."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (1654, 1000), "white")
    if text:
        font_path = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
        font = ImageFont.truetype(font_path, 48) if Path(font_path).is_file() else ImageFont.load_default()
        draw = ImageDraw.Draw(image)
        for k, line in enumerate(text.split("\n")):
            draw.text((80, 80 + 80 * k), line, fill="black", font=font)
    image.save(path, "PDF", resolution=150)


def test_scanned_pdf_without_tesseract_gives_a_clear_message(tmp_path, monkeypatch):
    p = tmp_path / "scan.pdf"
    _scanned_pdf(p)
    monkeypatch.setattr(readers, "tesseract_available", lambda: False)
    err = _error(p)
    assert err.code == "ocr_unavailable" and "tesseract-ocr-vie" in err.message


@pytest.mark.skipif(
    not readers.tesseract_available(), reason="Tesseract with the Vietnamese model is not installed"
)
@pytest.mark.skipif(
    not Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf").is_file(), reason="no DejaVu font"
)
def test_scanned_pdf_is_read_with_tesseract(tmp_path):
    p = tmp_path / "scan.pdf"
    _scanned_pdf(p, "KẾ HOẠCH\nGiảm tỷ lệ trẻ em bị xâm hại\nxuống dưới 6‰ vào năm 2025.")
    result = read_document(p)
    assert result.kind == "pdf-ocr" and result.warnings
    assert "KẾ HOẠCH" in result.text and "2025" in result.text


def test_document_without_targets_reads_but_says_so(tmp_path):
    ex = import_document(DATA / "plan_07_cong_van_no_targets.txt")
    assert ex.plan["targets"] == []
    assert any("Không tìm thấy chỉ tiêu" in w for w in ex.plan["warnings"])
    with pytest.raises(DocumentError) as info:
        import_document(DATA / "plan_07_cong_van_no_targets.txt", require_targets=True)
    assert info.value.code == "no_targets"


def test_libreoffice_is_not_needed_at_run_time():
    # the generated documents are committed; only the generator needs LibreOffice
    assert (DATA / "plan_05_pdf.pdf").is_file()
    assert shutil.which("python3")
