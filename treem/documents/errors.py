"""The one exception raised for every document that cannot be read or parsed."""

from __future__ import annotations


class DocumentError(ValueError):
    """A plan document could not be read; `message` is Vietnamese and meant for the user."""

    def __init__(self, message: str, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return self.message


MESSAGES = {
    "not_found": "Không tìm thấy tệp “{name}”.",
    "empty": "Tệp “{name}” trống, không có nội dung để đọc.",
    "too_large": "Tệp “{name}” quá lớn ({size} MB); giới hạn là {limit} MB.",
    "binary": "Tệp “{name}” không phải là văn bản đọc được (có vẻ là tệp nhị phân). "
    "Hãy tải lên tệp .txt, .md, .docx hoặc .pdf.",
    "unsupported": "Định dạng tệp “{name}” chưa được hỗ trợ. Hãy tải lên tệp .txt, .md, .docx hoặc .pdf.",
    "doc_legacy": "Tệp “{name}” là định dạng Word cũ (.doc). Hãy mở bằng Word hoặc LibreOffice "
    "và lưu lại thành .docx rồi tải lên.",
    "corrupt_docx": "Tệp DOCX “{name}” bị hỏng hoặc không đúng định dạng, không đọc được.",
    "corrupt_pdf": "Tệp PDF “{name}” bị hỏng hoặc không đúng định dạng, không đọc được.",
    "encrypted_pdf": "Tệp PDF “{name}” được đặt mật khẩu; hãy gỡ mật khẩu rồi tải lên lại.",
    "no_text": "Không đọc được chữ nào trong tệp “{name}”.",
    "ocr_unavailable": "Tệp PDF “{name}” là bản quét (không có lớp chữ) và máy chủ chưa cài Tesseract "
    "OCR tiếng Việt (gói tesseract-ocr và tesseract-ocr-vie). Hãy cài đặt, hoặc tải lên bản DOCX "
    "hay PDF có lớp chữ.",
    "ocr_failed": "Không nhận dạng được chữ trong bản quét “{name}” (OCR thất bại: {detail}).",
    "too_many_pages": "Tệp “{name}” có {pages} trang, vượt giới hạn {limit} trang.",
    "no_targets": "Không tìm thấy chỉ tiêu nào trong văn bản “{name}”.",
}


def error(code: str, **kwargs) -> DocumentError:
    """Build a DocumentError with the Vietnamese message for `code`."""
    kwargs.setdefault("name", "")
    return DocumentError(MESSAGES[code].format(**kwargs), code)
