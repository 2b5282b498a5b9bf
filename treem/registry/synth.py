"""Generated populations of Vietnamese children with controlled corruption (benchmarks, tests, demos).

Names follow realistic frequencies (Nguyễn ≈ 31 %, Trần ≈ 11 %, … ethnic-minority surnames of the
northern mountains), middle names depend on sex, birth dates span 16 years, personal IDs follow the
12-digit structure. Duplicates of a child carry the corruptions that commune lists show: lost
diacritics, typos, swapped day and month, year-only dates, a moved commune, a missing ID.
"""

from __future__ import annotations

import datetime
import unicodedata

import numpy as np

SURNAMES = {
    "Nguyễn": 310,
    "Trần": 110,
    "Lê": 95,
    "Phạm": 70,
    "Hoàng": 50,
    "Huỳnh": 20,
    "Phan": 45,
    "Vũ": 39,
    "Võ": 20,
    "Đặng": 21,
    "Bùi": 20,
    "Đỗ": 14,
    "Hồ": 13,
    "Ngô": 13,
    "Dương": 10,
    "Lý": 5,
    "Đinh": 8,
    "Đào": 7,
    "Trịnh": 6,
    "Lương": 6,
    "Mai": 5,
    "Cao": 5,
    "Lâm": 4,
    "Tạ": 3,
    "Chu": 3,
    "Triệu": 4,
    "Nông": 8,
    "Lục": 4,
    "Lò": 5,
    "Vi": 4,
    "Hà": 6,
    "Lường": 3,
    "Quàng": 2,
    "Sùng": 3,
    "Giàng": 3,
    "Mùa": 2,
    "Thào": 2,
    "Vàng": 3,
    "Hứa": 2,
    "La": 2,
    "Lăng": 2,
    "Tô": 3,
    "Văn": 2,
    "Khổng": 1,
    "Kiều": 2,
    "Thân": 2,
    "Tăng": 2,
    "Quách": 2,
    "Âu": 1,
}
MIDDLE_M = {
    "Văn": 260,
    "Đức": 60,
    "Minh": 80,
    "Quang": 50,
    "Hữu": 40,
    "Gia": 60,
    "Bảo": 50,
    "Thành": 30,
    "Công": 30,
    "Xuân": 20,
    "Anh": 30,
    "Tuấn": 20,
    "Ngọc": 20,
    "Trọng": 20,
    "Đình": 30,
    "Mạnh": 15,
    "Hoàng": 25,
    "Nhật": 30,
    "Thanh": 25,
    "Khánh": 20,
    "Duy": 20,
    "Trung": 15,
    "Tiến": 15,
    "Phúc": 10,
    "Hải": 15,
    "Việt": 15,
    "Thế": 10,
}
MIDDLE_F = {
    "Thị": 250,
    "Ngọc": 70,
    "Thu": 40,
    "Thùy": 40,
    "Minh": 40,
    "Khánh": 40,
    "Bảo": 40,
    "Phương": 30,
    "Hoài": 20,
    "Thanh": 30,
    "Kim": 30,
    "Mai": 20,
    "Hồng": 20,
    "Thảo": 20,
    "Gia": 30,
    "Quỳnh": 20,
    "Hà": 20,
    "Diệu": 15,
    "Tuệ": 15,
    "Yến": 10,
    "Lan": 10,
    "Tường": 10,
    "Cẩm": 10,
    "Hải": 10,
    "Như": 15,
    "Bích": 10,
    "Ánh": 15,
}
GIVEN_M = (
    "An Anh Bách Bảo Bình Cường Chiến Công Dũng Duy Dương Đạt Đăng Định Đông Đức Giang Hải Hào Hậu Hiếu Hiển Hiệp "
    "Hoàng Hòa Hùng Huy Hưng Khang Khải Khánh Khoa Khôi Kiên Lâm Lộc Long Luân Mạnh Minh Nam Nghĩa Nhân Nhật Phát "
    "Phong Phú Phúc Phước Quân Quang Quốc Sang Sơn Tài Tân Thái Thắng Thành Thiện Thịnh Toàn Trí Trọng Trung Trường "
    "Tuấn Tùng Tú Vinh Việt Vũ Vương Hưởng Lực Tiến Tín Khiêm Kiệt Lợi Nguyên Quý Sỹ Thuận Triều Thông Hoà Tường "
    "Đạo Chính Cảnh Biên Bằng Cao Đại Điền Hạnh Hợp Kỳ Lãm Ninh Quyết Sáng Thạch Văn Vĩnh Xuân Ân Duệ Hoan Hữu"
).split()
GIVEN_F = (
    "An Anh Ánh Bích Châu Chi Diệp Diệu Dung Duyên Giang Hà Hạnh Hằng Hân Hiền Hoa Hòa Hồng Huyền Hương Hường Khánh "
    "Lan Liên Linh Loan Ly Mai My Mỹ Nga Ngân Nghi Ngọc Nguyệt Nhi Nhung Oanh Phương Quyên Quỳnh Tâm Thảo Thanh "
    "Thơ Thư Thủy Thúy Tiên Trang Trâm Trinh Tú Tuyết Uyên Vân Vi Vy Xuân Yến Hảo Kiều Lam Lệ Lụa Ly Miên Nhàn "
    "Nhiên Phượng Sương Thắm Thùy Trà Tuệ Vui Đào Diễm Giao Hậu Hiếu Huệ Khuê Lành Lê Mận Ngà Nhạn Quế Sen Son Thoa "
    "Thương Tươi Vàng Xoan Yên Ân Bình Cúc Đan Hải Hòe Kim Lài Mơ Ngát Nương Thục Thy Trúc"
).split()

CORRUPTIONS = ("no_diacritics", "typo", "swap_day_month", "year_only", "moved", "missing_id")
DEFAULT_RATES = {
    "no_diacritics": 0.3,
    "typo": 0.15,
    "swap_day_month": 0.1,
    "year_only": 0.08,
    "moved": 0.1,
    "missing_id": 0.4,
}


def strip_diacritics(s: str) -> str:
    """ "Nguyễn Văn Đức" → "Nguyen Van Duc"."""
    s = s.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c))


def _pick(rng, table: dict | list, n: int) -> np.ndarray:
    if isinstance(table, dict):
        names = np.array(list(table.keys()), dtype=object)
        p = np.array(list(table.values()), dtype=float)
    else:
        names = np.array(table, dtype=object)
        # Zipf-like popularity of given names (the commonest ≈ 4 %, as in civil-status data).
        p = 1.0 / np.arange(1, len(names) + 1) ** 0.5
    return names[rng.choice(len(names), size=n, p=p / p.sum())]


def _typo(rng, s: str) -> str:
    if len(s) < 3:
        return s + "h"
    i = int(rng.integers(1, len(s) - 1))
    kind = int(rng.integers(0, 3))
    if kind == 0:
        return s[:i] + s[i + 1 :]
    if kind == 1:
        return s[:i] + s[i + 1] + s[i] + s[i + 2 :]
    return s[:i] + "aeiouhnt"[int(rng.integers(0, 8))] + s[i + 1 :]


def population(
    n_children: int,
    dup_fraction: float = 0.15,
    communes: list[str] | None = None,
    seed: int = 20260101,
    rates: dict | None = None,
    today: datetime.date = datetime.date(2026, 1, 1),
    id_share: float = 0.75,
):
    """A DataFrame of records (``record_id``, ``true_id`` …) with duplicates carrying corruptions.

    Columns: record_id, true_id, full_name, birth_date (date), birth_date_precision, sex ("m"/"f"),
    commune_code, personal_id ("" when missing), corruptions (";"-joined).
    """
    import pandas as pd

    rng = np.random.default_rng(seed)
    rates = {**DEFAULT_RATES, **(rates or {})}
    communes = communes or [f"{6000 + i * 3:05d}" for i in range(100)]
    n = n_children
    sex = np.where(rng.random(n) < 0.515, "m", "f")
    male = sex == "m"
    surname = _pick(rng, SURNAMES, n)
    middle = np.where(male, _pick(rng, MIDDLE_M, n), _pick(rng, MIDDLE_F, n))
    given = np.where(male, _pick(rng, GIVEN_M, n), _pick(rng, GIVEN_F, n))
    two_middle = rng.random(n) < 0.12
    middle2 = np.where(male, _pick(rng, MIDDLE_M, n), _pick(rng, MIDDLE_F, n))
    names = [
        f"{s} {m} {m2} {g}" if t and m2 != m else f"{s} {m} {g}"
        for s, m, m2, g, t in zip(surname, middle, middle2, given, two_middle, strict=True)
    ]
    start = today - datetime.timedelta(days=16 * 365)
    offsets = rng.integers(0, 16 * 365, size=n)
    births = [start + datetime.timedelta(days=int(o)) for o in offsets]
    commune = np.array(communes, dtype=object)[rng.integers(0, len(communes), size=n)]
    has_id = rng.random(n) < id_share
    serial = rng.integers(0, 1_000_000, size=n)
    pids = [
        f"020{(b.year // 100 - 19) * 2 + (s == 'f')}{b.year % 100:02d}{k:06d}" if h else ""
        for b, s, k, h in zip(births, sex, serial, has_id, strict=True)
    ]
    base = pd.DataFrame(
        {
            "true_id": np.arange(n),
            "full_name": names,
            "birth_date": births,
            "birth_date_precision": "day",
            "sex": sex,
            "commune_code": commune,
            "personal_id": pids,
            "corruptions": "",
        }
    )
    n_dup = int(round(n * dup_fraction))
    src = rng.integers(0, n, size=n_dup)
    dup = base.iloc[src].reset_index(drop=True).copy()
    draws = {c: rng.random(n_dup) < rates[c] for c in CORRUPTIONS}
    full, bd, prec, com, pid, corr = [], [], [], [], [], []
    for i in range(n_dup):
        name = dup.at[i, "full_name"]
        b = dup.at[i, "birth_date"]
        p = "day"
        c = dup.at[i, "commune_code"]
        idv = dup.at[i, "personal_id"]
        tags = []
        if draws["typo"][i]:
            parts = name.split(" ")
            j = int(rng.integers(0, len(parts)))
            parts[j] = _typo(rng, parts[j])
            name = " ".join(parts)
            tags.append("typo")
        if draws["no_diacritics"][i]:
            name = strip_diacritics(name)
            tags.append("no_diacritics")
        if draws["swap_day_month"][i] and b.day <= 12 and b.day != b.month:
            b = b.replace(day=b.month, month=b.day)
            tags.append("swap_day_month")
        elif draws["year_only"][i]:
            b = b.replace(month=1, day=1)
            p = "year"
            tags.append("year_only")
        if draws["moved"][i]:
            c = communes[int(rng.integers(0, len(communes)))]
            tags.append("moved")
        if draws["missing_id"][i] and idv:
            idv = ""
            tags.append("missing_id")
        full.append(name)
        bd.append(b)
        prec.append(p)
        com.append(c)
        pid.append(idv)
        corr.append(";".join(tags))
    dup["full_name"], dup["birth_date"], dup["birth_date_precision"] = full, bd, prec
    dup["commune_code"], dup["personal_id"], dup["corruptions"] = com, pid, corr
    out = pd.concat([base, dup], ignore_index=True)
    out = out.sample(frac=1.0, random_state=seed % (2**32)).reset_index(drop=True)
    out.insert(0, "record_id", np.arange(len(out)))
    return out


def true_pairs(df) -> set[tuple[int, int]]:
    """All pairs of record ids (low, high) that are the same child."""
    pairs = set()
    for ids in df.groupby("true_id")["record_id"].apply(list):
        if len(ids) > 1:
            ids = sorted(ids)
            pairs.update((a, b) for i, a in enumerate(ids) for b in ids[i + 1 :])
    return pairs


# ---------------------------------------------------------------------------------------- demo helpers

# Surnames by ethnic group (code of list tctk121_1979) in Lạng Sơn, relative weights for generated demo
# populations (illustrative, not census figures): Tày and Nùng families carry Hoàng, Nông, Vi, Lương,
# Lý, Lộc …; Dao families Triệu, Bàn, Đặng; Kinh families the national distribution.
SURNAMES_LANG_SON = {
    "02": {  # Tày
        "Hoàng": 16,
        "Nông": 12,
        "Lương": 8,
        "Vi": 7,
        "Nguyễn": 6,
        "Hà": 6,
        "Lý": 5,
        "Lộc": 5,
        "Lăng": 4,
        "Chu": 4,
        "Triệu": 4,
        "Hứa": 3,
        "Đinh": 3,
        "Bế": 3,
        "Mông": 2,
        "Sầm": 2,
        "Đàm": 2,
        "La": 2,
        "Tô": 2,
        "Lành": 2,
        "Dương": 2,
        "Ngôn": 1,
        "Lê": 2,
    },
    "07": {  # Nùng
        "Hoàng": 14,
        "Vi": 10,
        "Nông": 8,
        "Lý": 8,
        "Lục": 6,
        "Chu": 6,
        "Triệu": 5,
        "Dương": 4,
        "Hứa": 4,
        "Mã": 3,
        "Lâm": 3,
        "Hà": 3,
        "Lành": 3,
        "Tô": 3,
        "Nguyễn": 3,
        "Nịnh": 2,
        "Đinh": 2,
        "Lưu": 2,
        "Lô": 2,
    },
    "09": {
        "Triệu": 30,
        "Bàn": 20,
        "Đặng": 15,
        "Lý": 12,
        "Phùng": 8,
        "Chảo": 5,
        "Hoàng": 5,
        "Dương": 5,
    },  # Dao
    "01": SURNAMES,  # Kinh
}


def pick(rng, table: dict | list, n: int) -> np.ndarray:
    """`n` draws from a name table (dict: weights; list: Zipf-like popularity)."""
    return _pick(rng, table, n)


def given_names(rng, male: np.ndarray) -> list[str]:
    """Middle and given names by sex ("Văn Hùng", "Thị Thu Hà" …), as in :func:`population`."""
    n = len(male)
    middle = np.where(male, _pick(rng, MIDDLE_M, n), _pick(rng, MIDDLE_F, n))
    given = np.where(male, _pick(rng, GIVEN_M, n), _pick(rng, GIVEN_F, n))
    two_middle = rng.random(n) < 0.12
    middle2 = np.where(male, _pick(rng, MIDDLE_M, n), _pick(rng, MIDDLE_F, n))
    return [
        f"{m} {m2} {g}" if t and m2 != m else f"{m} {g}"
        for m, m2, g, t in zip(middle, middle2, given, two_middle, strict=True)
    ]


def personal_id(province_code: str, sex: str, birth_year: int, serial: int) -> str:
    """A 12-digit personal ID: 3-digit province of birth registration, century/sex digit, year, serial."""
    digit = (birth_year // 100 - 19) * 2 + (sex == "f")
    return f"{int(province_code):03d}{digit}{birth_year % 100:02d}{serial:06d}"
