"""DOCX → PDF with LibreOffice headless (`soffice --headless --convert-to pdf`), in a private profile."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path


class ConversionError(RuntimeError):
    """LibreOffice missing, failing or too slow, with a Vietnamese message."""


def soffice_path() -> str | None:
    """The LibreOffice binary (TREEM_SOFFICE overrides), or None when it is not installed."""
    return os.environ.get("TREEM_SOFFICE") or shutil.which("soffice") or shutil.which("libreoffice")


def docx_to_pdf(docx: bytes, timeout: int = 120) -> bytes:
    """Convert DOCX bytes to PDF bytes; each call uses its own profile so conversions may run in parallel."""
    binary = soffice_path()
    if not binary:
        raise ConversionError("Máy chủ chưa cài LibreOffice (soffice) nên chưa tạo được bản PDF.")
    with tempfile.TemporaryDirectory(prefix="treem-pdf-") as tmp:
        tmpdir = Path(tmp)
        src = tmpdir / "bao-cao.docx"
        src.write_bytes(docx)
        profile = (tmpdir / "profile").as_uri()
        cmd = [
            binary,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmpdir),
            str(src),
        ]
        try:
            proc = subprocess.run(
                cmd,
                capture_output=True,
                timeout=timeout,
                check=False,
                env={**os.environ, "HOME": str(tmpdir)},
            )
        except subprocess.TimeoutExpired as exc:
            raise ConversionError(f"LibreOffice không chuyển xong sau {timeout} giây.") from exc
        out = tmpdir / "bao-cao.pdf"
        if proc.returncode != 0 or not out.exists():
            raise ConversionError(
                "LibreOffice không chuyển được sang PDF: "
                + (proc.stderr or proc.stdout).decode("utf-8", "replace")[-500:]
            )
        return out.read_bytes()
