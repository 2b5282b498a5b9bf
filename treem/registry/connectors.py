"""Connectors to the national population database (Cơ sở dữ liệu quốc gia về dân cư).

The database is not reachable from TreEm's servers, so linkage goes through a connector with a small
contract (:class:`PopulationRegister`); ``docs/registry.md`` documents it as an HTTP API a gateway at
the provincial police or data centre can implement. :class:`CsvExtract` reads an extract of citizens
delivered as a CSV file — the way data is exchanged today.

Configure with ``TREEM_POPULATION_REGISTER = {"backend": "csv", "path": "/srv/extracts/dan_cu.csv"}``.
"""

from __future__ import annotations

import csv
import datetime
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol

from django.conf import settings

from treem.core.text import nfc

from .cleaning import clean_sex, resolve_date, split_date


class RegisterUnavailable(RuntimeError):
    """The population register cannot be reached or read (Vietnamese message)."""


@dataclass(frozen=True)
class Citizen:
    """A citizen as the register returns it (only the fields linkage needs)."""

    key: str
    personal_id: str
    full_name: str
    birth_date: datetime.date | None
    birth_date_precision: str
    sex: str
    commune_code: str
    address: str = ""
    birth_registration_date: datetime.date | None = None
    birth_registration_place: str = ""

    def as_dict(self) -> dict:
        d = asdict(self)
        for k in ("birth_date", "birth_registration_date"):
            d[k] = d[k].isoformat() if d[k] else None
        return d


class PopulationRegister(Protocol):
    """The contract every connector implements."""

    name: str

    def citizens(self, commune_codes: Iterable[str], born_on_or_after: datetime.date) -> Iterator[Citizen]:
        """Citizens living in the given current communes (5-digit codes) born on or after a date."""

    def lookup(self, personal_id: str) -> Citizen | None:
        """One citizen by personal identification number, or None."""


# CSV extract columns (Vietnamese headings as delivered; English aliases accepted).
CSV_COLUMNS = {
    "so_dinh_danh": ("so_dinh_danh", "personal_id"),
    "ho_ten": ("ho_ten", "full_name"),
    "ngay_sinh": ("ngay_sinh", "birth_date"),
    "gioi_tinh": ("gioi_tinh", "sex"),
    "ma_xa": ("ma_xa", "commune_code"),
    "dia_chi": ("dia_chi", "address"),
    "ngay_dang_ky_khai_sinh": ("ngay_dang_ky_khai_sinh", "birth_registration_date"),
    "noi_dang_ky_khai_sinh": ("noi_dang_ky_khai_sinh", "birth_registration_place"),
}


class CsvExtract:
    """A CSV extract of the register: one row per citizen, UTF-8, columns of :data:`CSV_COLUMNS`."""

    name = "csdlqg_dc"

    def __init__(self, path: str | Path):
        self.path = Path(path)

    def _rows(self) -> Iterator[dict]:
        if not self.path.exists():
            raise RegisterUnavailable(f"Không tìm thấy tệp trích xuất CSDL dân cư: {self.path.name}.")
        try:
            with open(self.path, encoding="utf-8-sig", newline="") as f:
                reader = csv.DictReader(f)
                fields = set(reader.fieldnames or [])
                col = {}
                for key, names in CSV_COLUMNS.items():
                    col[key] = next((n for n in names if n in fields), None)
                missing = [k for k in ("so_dinh_danh", "ho_ten", "ngay_sinh", "ma_xa") if col[k] is None]
                if missing:
                    raise RegisterUnavailable(f"Tệp trích xuất thiếu cột: {', '.join(missing)}.")
                for r in reader:
                    yield {k: (r.get(c) or "").strip() if c else "" for k, c in col.items()}
        except UnicodeDecodeError as exc:
            raise RegisterUnavailable("Tệp trích xuất CSDL dân cư không phải UTF-8.") from exc

    @staticmethod
    def _citizen(r: dict) -> Citizen:
        bd = resolve_date(split_date(r["ngay_sinh"]), "dmy")
        reg = (
            resolve_date(split_date(r["ngay_dang_ky_khai_sinh"]), "dmy")
            if r["ngay_dang_ky_khai_sinh"]
            else None
        )
        code = r["ma_xa"]
        return Citizen(
            key=r["so_dinh_danh"],
            personal_id=r["so_dinh_danh"],
            full_name=" ".join(nfc(r["ho_ten"]).split()),
            birth_date=bd.value if bd.ok else None,
            birth_date_precision=bd.extra.get("precision", "day"),
            sex=clean_sex(r["gioi_tinh"]).value or "",
            commune_code=code.zfill(5) if code.isdigit() else code,
            address=r["dia_chi"],
            birth_registration_date=reg.value if reg and reg.ok else None,
            birth_registration_place=r["noi_dang_ky_khai_sinh"],
        )

    def citizens(self, commune_codes: Iterable[str], born_on_or_after: datetime.date) -> Iterator[Citizen]:
        codes = set(commune_codes)
        for r in self._rows():
            code = r["ma_xa"].zfill(5) if r["ma_xa"].isdigit() else r["ma_xa"]
            if code not in codes:
                continue
            c = self._citizen(r)
            if c.birth_date and c.birth_date >= born_on_or_after.replace(month=1, day=1):
                yield c

    def lookup(self, personal_id: str) -> Citizen | None:
        for r in self._rows():
            if r["so_dinh_danh"] == personal_id:
                return self._citizen(r)
        return None


def get_register() -> PopulationRegister:
    """The configured connector (settings.TREEM_POPULATION_REGISTER)."""
    conf = getattr(settings, "TREEM_POPULATION_REGISTER", None) or {}
    backend = conf.get("backend", "csv")
    if backend == "csv":
        path = conf.get("path") or Path(settings.VAR_DIR) / "dan_cu" / "trich_xuat.csv"
        return CsvExtract(path)
    raise RegisterUnavailable(f"Chưa hỗ trợ kết nối CSDL dân cư kiểu “{backend}”.")
