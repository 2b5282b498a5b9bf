"""Demo child registry for `make run`: the children of the communes that succeeded Huyện Văn Quan (Lạng Sơn).

Generated, never real: a fixed-seed population of each of the six communes formed on 1/7/2025 from the
old district's communes (Xã Văn Quan, Điềm He, Khánh Khê, Yên Phúc, Tri Lễ, Tân Đoàn), with the features
the registry-computed indicators need — births and their registration (mostly within 60 days, some late,
a few missing), valid 12-digit personal IDs, caregivers, Article 10 special circumstances with the
support received, schooling per school year, growth measurements of the under-5s (the nutrition
surveillance rounds of June and December, z-scores through ``services.compute_growth``) and
vaccinations against the EPI schedule (``Child.fully_immunised_on`` through
``services.refresh_immunisation``).

Every demo record belongs to an import batch whose file name starts with :data:`DEMO_FILE_PREFIX`
("[DEMO] "), uploaded by the inactive user ``demo.sotheodoi``: :func:`demo_children` finds them, and the
import pages show where they came from. Loading is idempotent (one batch per commune) and takes about
a second (bulk inserts; the z-scores of every measurement in one NumPy call).

Figures are plausible for a mountainous district, not statistics: about a fifth of the under-5s
stunted, one in ten underweight, 3–4 % overweight, ~90 % fully immunised before their first birthday,
4 % of children in special circumstances (most of them supported), a few drop-outs in lower secondary.
"""

from __future__ import annotations

import datetime
import time
import uuid
from types import SimpleNamespace

import numpy as np
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from treem.core import versions
from treem.core.audit import record_change
from treem.core.text import fold, nfc
from treem.geo.models import AdministrativeUnit, Generation, Level, UnitSuccession

from . import anthro, services, synth
from .cleaning import validate_personal_id
from .codes import (
    BirthRegistration,
    ChildStatus,
    DatePrecision,
    DisabilityLevel,
    DisabilityType,
    Measure,
    RecordSource,
    Relationship,
    SchoolLevel,
    SchoolStatus,
    SupportKind,
)
from .models import (
    Caregiver,
    Child,
    EpiDose,
    GrowthMeasurement,
    ImportBatch,
    Schooling,
    SpecialCircumstance,
    Support,
    Vaccination,
)

#: Current commune code → number of children (the six successors of Huyện Văn Quan, code 184).
COMMUNES = {"06253": 560, "06280": 430, "06286": 340, "06298": 480, "06313": 450, "06316": 380}
OLD_DISTRICT = "184"
DEMO_FILE_PREFIX = "[DEMO] "
DEMO_USERNAME = "demo.sotheodoi"
SEED = 20250701
PROVINCE_OF_BIRTH = "20"  # Lạng Sơn (pre-2025 province code: digits 1–3 of the personal ID)
ETHNIC_LIST = "tctk121_1979"
ETHNICITY_SHARES = {"02": 0.64, "07": 0.31, "01": 0.04, "09": 0.01}  # Tày, Nùng, Kinh, Dao

# Children the demo protection cases (treem.protection.demo) are about: (commune, name, sex, age in days today).
FEATURED = [
    ("06253", "Nông Thị Hoa", "f", 12 * 365 + 160),
    ("06280", "Lộc Văn Nam", "m", 9 * 365 + 100),
]

# Village names (illustrative Tày–Nùng place names, not the real list of villages).
_VILLAGE_HEADS = ["Nà", "Bản", "Khòn", "Pò", "Còn", "Khuổi", "Pác", "Co", "Lũng", "Phai", "Nà", "Bản"]
_VILLAGE_TAILS = [
    "Lệnh",
    "Pục",
    "Chặng",
    "Khiếc",
    "Mè",
    "Rọ",
    "Hin",
    "Slảng",
    "Quang",
    "Ngần",
    "Lầy",
    "Tấu",
    "Cáy",
    "Pầu",
    "Thẳm",
    "Chang",
    "Giềng",
    "Mới",
    "Cuồng",
    "Đon",
    "Luông",
    "Piầu",
    "Nọi",
    "Phiêng",
    "Khuôn",
    "Mạ",
    "Tồng",
    "Coóc",
]

# Article 10 groups: (group, share of children, minimum age in years, sub-groups and weights, share of episodes ended).
_GROUPS = [
    ("d", 0.022, 0, {"d1": 0.2, "d2": 0.45, "d3": 0.35}, 0.0),
    ("n", 0.009, 0, {}, 0.2),
    ("a", 0.004, 0, {"a3": 0.7, "a4": 0.15, "a2": 0.1, "a1": 0.05}, 0.0),
    ("c", 0.003, 0, {}, 0.1),
    ("b", 0.0008, 0, {}, 0.0),
    ("i", 0.003, 3, {}, 0.5),
    ("l", 0.0015, 6, {"l4": 0.6, "l3": 0.2, "l1": 0.2}, 0.4),
    ("k", 0.002, 11, {"k1": 0.6, "k2": 0.4}, 0.5),
    ("e", 0.003, 12, {}, 0.3),
    ("g", 0.0006, 13, {"g1": 1.0}, 0.0),
    ("m", 0.0008, 10, {"m1": 1.0}, 0.0),
]
_SUPPORTED = {
    "d": 0.92,
    "n": 0.95,
    "a": 1.0,
    "c": 1.0,
    "b": 1.0,
    "i": 0.9,
    "l": 1.0,
    "k": 0.9,
    "e": 0.8,
    "g": 0.9,
    "m": 1.0,
    "h": 0.85,
}


def demo_children() -> QuerySet:
    """The demo records (every status), told apart by their demo import batch."""
    return Child.objects.filter(import_batch__file_name__startswith=DEMO_FILE_PREFIX)


def demo_batches() -> QuerySet:
    return ImportBatch.objects.filter(file_name__startswith=DEMO_FILE_PREFIX)


def _demo_user():
    from treem.accounts.models import User

    user, created = User.objects.get_or_create(
        username=DEMO_USERNAME,
        defaults={"first_name": "Dữ liệu mẫu", "last_name": "[DEMO]", "is_active": False},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _years_ago(d: datetime.date, years: int) -> datetime.date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:
        return d.replace(year=d.year - years, day=28)


def _lower_type(unit: AdministrativeUnit) -> str:
    """ "Xã Tú Xuyên" → "xã Tú Xuyên" (as written after "UBND", "Trạm Y tế")."""
    return unit.full_name[:1].lower() + unit.full_name[1:]


def _weighted(rng, table: dict, n: int | None = None):
    """One key (or a list of `n`) drawn from {key: weight}."""
    if n is not None:
        keys = list(table)
        p = np.array([table[k] for k in keys], dtype=float)
        return [keys[i] for i in rng.choice(len(keys), size=n, p=p / p.sum())]
    r = rng.random() * sum(table.values())
    for key, weight in table.items():
        r -= weight
        if r < 0:
            return key
    return key


class _Pool:
    """Names drawn from a table in chunks (one NumPy draw per 4096 names instead of one per name)."""

    def __init__(self, rng, table):
        self.rng, self.table, self.items, self.i = rng, table, [], 0

    def __call__(self) -> str:
        if self.i >= len(self.items):
            self.items, self.i = synth.pick(self.rng, self.table, 4096).tolist(), 0
        self.i += 1
        return self.items[self.i - 1]


def _sqlite_value(v):
    """What Django's SQLite adapters would write (imports.write_rows does the same)."""
    if isinstance(v, datetime.datetime):
        return v.isoformat(sep=" ")
    if isinstance(v, datetime.date):
        return v.isoformat()
    if isinstance(v, uuid.UUID):
        return v.hex
    return v


def _converted(values, columns: list[int]):
    for row in values:
        for i in columns:
            row[i] = _sqlite_value(row[i])
        yield row


def _insert_rows(model, rows: list[dict], defaults: dict | None = None) -> None:
    """Insert rows (dicts of column → value) with the import's set-based insert (COPY, executemany)."""
    from .imports import _insert

    if not rows:
        return
    base = defaults or {}
    columns = dict.fromkeys(base)
    for r in rows:
        columns.update(dict.fromkeys(r))
    columns = list(columns)
    values = ([r.get(c, base.get(c)) for c in columns] for r in rows)
    if connection.vendor == "sqlite":
        by_column = {f.column: f for f in model._meta.concrete_fields}
        convert = [
            i
            for i, c in enumerate(columns)
            if by_column[c].get_internal_type() in ("DateField", "DateTimeField", "UUIDField")
        ]
        values = _converted(values, convert)
    _insert(model._meta.db_table, columns, values, len(rows))
    versions.bump("records")


class _Builder:
    """Accumulates the records of the communes to load, then writes them with bulk inserts."""

    def __init__(self, today: datetime.date, user):
        self.today = today
        self.user = user
        self.children: list[Child] = []
        self.meta: list[dict] = []  # per child: commune context and latent traits
        self.caregivers: list[tuple[int, dict]] = []
        self.circumstances: list[tuple[int, dict, list[dict]]] = []
        self.schooling: list[tuple[int, dict]] = []
        self.id_serials: dict[str, set[int]] = {}
        self.id_prefixes: set[tuple[str, str, int]] = set()
        self.batches: dict[str, ImportBatch] = {}
        self.tables = anthro.load_tables()
        self.pools: dict = {}
        self.schedule = list(
            EpiDose.objects.filter(schedule="tt10_2024")
            .order_by("order")
            .values_list("antigen", "dose", "due_age_days", "min_age_days")
        )
        if not self.schedule:
            raise RuntimeError(
                "Chưa có lịch tiêm chủng mở rộng (EpiDose): chạy `treem setup_treem` hoặc "
                "treem.registry.services.load_epi_schedule() trước khi nạp sổ theo dõi demo."
            )

    # ------------------------------------------------------------------ identity

    def personal_id(self, rng, sex: str, year: int, province: str = PROVINCE_OF_BIRTH) -> str:
        while True:
            serial = int(rng.integers(0, 1_000_000))
            pid = synth.personal_id(province, sex, year, serial)
            taken = self.id_serials.setdefault(pid[:6], set())
            if serial not in taken:
                taken.add(serial)
                self.id_prefixes.add((pid[:6], sex, year))
                return pid

    def commune(self, code: str, rng) -> None:
        today = self.today
        unit = AdministrativeUnit.objects.get(generation=Generation.Y2025, level=Level.COMMUNE, code=code)
        olds = list(
            AdministrativeUnit.objects.filter(
                pk__in=UnitSuccession.objects.filter(successor=unit).values("predecessor_id"),
                level=Level.COMMUNE,
            ).order_by("code")
        )
        villages = {o.pk: self._villages(o) for o in olds}
        batch = ImportBatch(
            uploaded_by=self.user,
            unit=unit,
            file_name=f"{DEMO_FILE_PREFIX}Sổ theo dõi trẻ em – {unit.full_name}.xlsx",
            status=ImportBatch.Status.APPLIED,
            message="[DEMO] Dữ liệu mẫu do `treem setup_treem` tạo: không phải số liệu thật.",
            list_generation="2025",
            applied_at=timezone.now(),
        )
        self.batches[code] = batch
        n = COMMUNES[code]
        male = rng.random(n) < 0.525
        eth = _weighted(rng, ETHNICITY_SHARES, n)
        surnames = [self.pool(rng, f"surname:{e}") for e in eth]
        given = synth.given_names(rng, male)
        names = [f"{s} {g}" for s, g in zip(surnames, given, strict=True)]
        age_days = rng.integers(1, 16 * 365 - 2, size=n)
        sexes = np.where(male, "m", "f").tolist()
        featured = [f for f in FEATURED if f[0] == code]
        for i, (_, name, sex, days) in enumerate(featured):
            names[i], sexes[i], age_days[i], eth[i], surnames[i] = name, sex, days, "02", name.split()[0]
        for i in range(n):
            birth = today - datetime.timedelta(days=int(age_days[i]))
            old = olds[int(rng.integers(0, len(olds)))]
            self._child(
                rng,
                unit,
                old,
                villages[old.pk],
                batch,
                i,
                names[i],
                surnames[i],
                sexes[i],
                eth[i],
                birth,
                i < len(featured),
            )

    def _villages(self, old: AdministrativeUnit) -> list[str]:
        rng = np.random.default_rng([SEED, int(old.code)])
        out: list[str] = []
        while len(out) < int(rng.integers(6, 11)):
            v = f"Thôn {_VILLAGE_HEADS[int(rng.integers(0, len(_VILLAGE_HEADS)))]} {_VILLAGE_TAILS[int(rng.integers(0, len(_VILLAGE_TAILS)))]}"
            if v not in out:
                out.append(v)
        return out

    def _child(self, rng, unit, old, villages, batch, row, name, surname, sex, eth, birth, featured) -> None:
        today = self.today
        age_days = (today - birth).days
        precision = DatePrecision.DAY
        if not featured and age_days > 6 * 365 and rng.random() < 0.015:  # month-only dates from old lists
            precision, birth = DatePrecision.MONTH, birth.replace(day=1)
        child = Child(
            full_name=nfc(name),
            name_folded=fold(name),
            birth_date=birth,
            birth_date_precision=precision,
            sex=sex,
            ethnicity_code=eth,
            ethnicity_list=ETHNIC_LIST,
            commune=unit,
            source_unit=old if birth < datetime.date(2025, 7, 1) else None,
            village_name=villages[int(rng.integers(0, len(villages)))],
            status=ChildStatus.ACTIVE,
            source=RecordSource.IMPORT,
            import_row=row + 2,
            created_by=self.user,
        )
        child._demo_batch = batch
        # Birth registration (Law on Civil Status Art. 15: within 60 days).
        u = rng.random()
        if featured:
            u = 0.5
        if u < 0.02 and age_days > 120:
            child.birth_registration = BirthRegistration.NOT_REGISTERED
        elif u < 0.05 and age_days > 9 * 365:
            child.birth_registration = BirthRegistration.REGISTERED  # "đã ĐK" on an old list, date not copied
        else:
            delay = 61 + int(rng.gamma(1.4, 160)) if u < 0.15 else int(rng.integers(1, 61))
            reg = birth + datetime.timedelta(days=delay)
            if reg <= today:
                child.birth_registration_date = reg
                where = old if reg < datetime.date(2025, 7, 1) else unit
                child.birth_registration_place = f"UBND {_lower_type(where)}"
                child.birth_registration = services.birth_registration_status(child)
            else:
                child.birth_registration = BirthRegistration.NOT_REGISTERED
        if child.birth_registration != BirthRegistration.NOT_REGISTERED and (featured or rng.random() < 0.95):
            child.personal_id = self.personal_id(rng, sex, birth.year)
        if not featured and rng.random() < 0.005:
            child.status = ChildStatus.MOVED
        idx = len(self.children)
        self.children.append(child)
        lives_with_grandparents = (
            rng.random() < 0.12
        )  # parents working away (industrial parks, across the border)
        stunting_mean = -0.85 if eth == "01" else -1.35
        self.meta.append(
            {
                "unit": unit,
                "old": old,
                "eth": eth,
                "featured": featured,
                "zlen": rng.normal(stunting_mean, 0.95),
                "zwfl": rng.normal(2.5, 0.4) if rng.random() < 0.03 else rng.normal(-0.15, 0.9),
                "vacc": _weighted(rng, {"full": 0.86, "partial": 0.08, "late": 0.06}),
                "grandparents": lives_with_grandparents,
            }
        )
        self._circumstances(rng, idx, child, featured)
        self._caregivers(rng, idx, child, surname, eth)

    def _caregivers(self, rng, idx: int, child: Child, surname: str, eth: str) -> None:
        meta = self.meta[idx]
        orphan = any(c[1]["group"] == "a" for c in self.circumstances if c[0] == idx)
        abandoned = any(c[1]["group"] == "b" for c in self.circumstances if c[0] == idx)
        if abandoned:
            self.caregivers.append(
                (
                    idx,
                    {
                        "relationship": Relationship.FOSTER,
                        "full_name": self._adult_name(rng, "f", eth),
                        "birth_year": child.birth_date.year - int(rng.integers(25, 50)),
                        "sex": "f",
                        "is_primary": True,
                    },
                )
            )
            return
        mother_year = child.birth_date.year - int(np.clip(rng.normal(27, 5), 17, 44))
        father_year = mother_year - int(np.clip(rng.normal(2.5, 3), -3, 12))
        away = meta["grandparents"] and not orphan
        mother_eth = eth if rng.random() < 0.85 else _weighted(rng, ETHNICITY_SHARES)
        self.caregivers.append(
            (
                idx,
                {
                    "relationship": Relationship.MOTHER,
                    "full_name": self._adult_name(rng, "f", mother_eth),
                    "birth_year": mother_year,
                    "sex": "f",
                    "is_primary": not (away or orphan),
                    "lives_with_child": not (away or orphan),
                    "deceased": orphan,
                },
            )
        )
        if orphan or rng.random() < 0.93:  # a few children of single mothers
            self.caregivers.append(
                (
                    idx,
                    {
                        "relationship": Relationship.FATHER,
                        "full_name": f"{surname} {'Văn' if rng.random() < 0.8 else self.pool(rng, 'middle_m')} {self.pool(rng, 'given_m')}",
                        "birth_year": father_year,
                        "sex": "m",
                        "is_primary": False,
                        "lives_with_child": not (away or orphan),
                        "deceased": orphan,
                    },
                )
            )
        if away or orphan:
            gp_sex = "f" if rng.random() < 0.7 else "m"
            self.caregivers.append(
                (
                    idx,
                    {
                        "relationship": Relationship.GRANDPARENT
                        if rng.random() < 0.85
                        else Relationship.RELATIVE,
                        "full_name": self._adult_name(rng, gp_sex, eth),
                        "birth_year": mother_year - int(rng.integers(22, 32)),
                        "sex": gp_sex,
                        "is_primary": True,
                    },
                )
            )

    def pool(self, rng, key: str) -> str:
        """The next name of a table: "surname:<ethnicity>", "middle_m", "middle_f", "given_m", "given_f"."""
        if key not in self.pools:
            tables = {
                "middle_m": synth.MIDDLE_M,
                "middle_f": synth.MIDDLE_F,
                "given_m": synth.GIVEN_M,
                "given_f": synth.GIVEN_F,
            }
            table = synth.SURNAMES_LANG_SON[key.split(":")[1]] if key.startswith("surname:") else tables[key]
            self.pools[key] = _Pool(rng, table)
        return self.pools[key]()

    def _adult_name(self, rng, sex: str, eth: str) -> str:
        surname = self.pool(rng, f"surname:{eth}")
        if sex == "f":
            middle = "Thị" if rng.random() < 0.85 else self.pool(rng, "middle_f")
            return f"{surname} {middle} {self.pool(rng, 'given_f')}"
        middle = "Văn" if rng.random() < 0.8 else self.pool(rng, "middle_m")
        return f"{surname} {middle} {self.pool(rng, 'given_m')}"

    # ------------------------------------------------------------------ special circumstances

    def _circumstances(self, rng, idx: int, child: Child, featured: bool) -> None:
        today, birth = self.today, child.birth_date
        age_years = (today - birth).days / 365.25
        if featured:
            if child.full_name == FEATURED[0][1]:
                start = today - datetime.timedelta(days=20)
                self._add_circumstance(
                    idx,
                    "l",
                    "l4",
                    start,
                    None,
                    [
                        {
                            "kind": SupportKind.COUNSELLING,
                            "provider": "Trạm Y tế xã Văn Quan",
                            "from_date": start + datetime.timedelta(days=2),
                        },
                    ],
                )
            return
        for group, share, min_age, subgroups, ended in _GROUPS:
            if age_years < max(min_age, 0.3) or rng.random() >= share:
                continue
            subgroup = _weighted(rng, subgroups) if subgroups else ""
            if group in ("d", "n", "a", "c"):
                start = birth + datetime.timedelta(
                    days=int(rng.integers(60, max(61, min((today - birth).days, 6 * 365))))
                )
            elif group == "b":
                start = birth + datetime.timedelta(days=int(rng.integers(0, 3)))
            else:
                start = today - datetime.timedelta(
                    days=int(rng.integers(20, int(min(age_years - min_age + 0.5, 3) * 365) + 21))
                )
            start = min(start, today - datetime.timedelta(days=10))
            end = None
            if rng.random() < ended:
                end = start + datetime.timedelta(days=int(rng.integers(120, 540)))
                end = end if end < today else None
            if group == "d":
                level = {
                    "d1": DisabilityLevel.VERY_SEVERE,
                    "d2": DisabilityLevel.SEVERE,
                    "d3": DisabilityLevel.MILD,
                }[subgroup]
                child.disability_level = level
                child.disability_type = _weighted(
                    rng,
                    {
                        DisabilityType.MOBILITY: 30,
                        DisabilityType.INTELLECTUAL: 25,
                        DisabilityType.HEARING_SPEECH: 15,
                        DisabilityType.VISION: 10,
                        DisabilityType.MENTAL: 10,
                        DisabilityType.OTHER: 10,
                    },
                )
            supports = (
                self._supports(rng, group, subgroup, start, child, age_years)
                if rng.random() < _SUPPORTED[group]
                else []
            )
            self._add_circumstance(idx, group, subgroup, start, end, supports)
            return  # one group per child here (groups h and more come from schooling)

    def _add_circumstance(self, idx, group, subgroup, start, end, supports) -> None:
        self.circumstances.append(
            (idx, {"group": group, "subgroup": subgroup, "from_date": start, "to_date": end}, supports)
        )

    def _supports(
        self, rng, group: str, subgroup: str, start: datetime.date, child: Child, age_years: float
    ) -> list[dict]:
        today = self.today
        unit = child.commune
        after = min(start + datetime.timedelta(days=int(rng.integers(10, 90))), today)
        out = []
        if group in ("d", "a", "c", "b") and subgroup not in ("d3",):
            coefficient = {"d1": 2.5, "d2": 2.0}.get(subgroup, 2.5 if age_years < 4 else 1.5)
            out.append(
                {
                    "kind": SupportKind.SOCIAL_ALLOWANCE,
                    "provider": f"UBND {_lower_type(unit)}",
                    "from_date": after,
                    "amount_vnd": int(coefficient * 500_000),
                    "note": "trợ cấp xã hội hằng tháng (đồng/tháng)",
                }
            )
        if group in ("d", "n", "a", "c", "b"):
            out.append(
                {
                    "kind": SupportKind.HEALTH_INSURANCE,
                    "provider": "Bảo hiểm xã hội tỉnh Lạng Sơn",
                    "from_date": after,
                }
            )
        if group in ("a", "c") and rng.random() < 0.6:
            out.append(
                {
                    "kind": SupportKind.SPONSORSHIP,
                    "provider": f"Hội Liên hiệp Phụ nữ {_lower_type(unit)} (Mẹ đỡ đầu)",
                    "from_date": after,
                    "amount_vnd": 300_000,
                    "note": "đồng/tháng",
                }
            )
        if group in ("n", "i", "l", "k", "m", "h") or rng.random() < 0.2:
            one_off = min(start + datetime.timedelta(days=int(rng.integers(5, 60))), today)
            out.append(
                {
                    "kind": SupportKind.PROTECTION_FUND,
                    "provider": "Quỹ Bảo trợ trẻ em tỉnh Lạng Sơn",
                    "from_date": one_off,
                    "to_date": one_off,
                    "amount_vnd": int(rng.integers(2, 11)) * 200_000,
                }
            )
        if group in ("i", "l", "k", "m", "e", "g"):
            out.append(
                {
                    "kind": SupportKind.COUNSELLING,
                    "provider": "Trung tâm Công tác xã hội tỉnh Lạng Sơn",
                    "from_date": after,
                    "to_date": min(after + datetime.timedelta(days=int(rng.integers(60, 240))), today),
                }
            )
        if group == "h":
            out.append(
                {"kind": SupportKind.EDUCATION, "provider": f"UBND {_lower_type(unit)}", "from_date": after}
            )
        if group == "b":
            out.append(
                {
                    "kind": SupportKind.ALTERNATIVE_CARE,
                    "provider": "Gia đình nhận chăm sóc thay thế",
                    "from_date": start,
                }
            )
        return out

    # ------------------------------------------------------------------ schooling

    def school_years(self) -> list[int]:
        today = self.today
        current = today.year if today >= datetime.date(today.year, 9, 5) else today.year - 1
        return list(range(today.year - 3, current + 1))

    def _school_name(self, level: str, old: AdministrativeUnit) -> str:
        if level == SchoolLevel.UPPER_SECONDARY:
            return "Trường THPT Văn Quan"
        if level == SchoolLevel.VOCATIONAL:
            return "Trung tâm GDNN - GDTX huyện Văn Quan"
        prefix = {
            SchoolLevel.CRECHE: "Mầm non",
            SchoolLevel.KINDERGARTEN: "Mầm non",
            SchoolLevel.PRIMARY: "Tiểu học",
            SchoolLevel.LOWER_SECONDARY: "THCS",
        }[level]
        return f"Trường {prefix} {old.name}"

    def build_schooling(self, rng) -> None:
        years = self.school_years()
        current = years[-1]
        today = self.today
        dropouts_by_year: dict[tuple[int, str], list[int]] = {}
        pupils_by_year: dict[tuple[int, str], list[int]] = {}
        for idx, child in enumerate(self.children):
            meta = self.meta[idx]
            severe = child.disability_level == DisabilityLevel.VERY_SEVERE
            left = ""  # the level the child dropped out of
            for sy in years:
                age = sy - child.birth_date.year
                start = datetime.date(sy, 9, 5)
                if child.birth_date >= start or age < 1:
                    continue
                if left:
                    self.schooling.append(
                        (idx, {"school_year": sy, "level": left, "status": SchoolStatus.NOT_ENROLLED})
                    )
                    continue
                if age <= 2:
                    if rng.random() < (0.1 if age == 1 else 0.3):
                        level = SchoolLevel.CRECHE
                    else:
                        continue
                elif age <= 5:
                    if rng.random() >= {3: 0.88, 4: 0.94, 5: 0.985}[age]:
                        continue
                    level = SchoolLevel.KINDERGARTEN
                elif age <= 10:
                    level = SchoolLevel.PRIMARY
                elif age <= 14:
                    level = SchoolLevel.LOWER_SECONDARY
                elif age == 15:
                    r = rng.random()
                    if r >= 0.85:
                        continue
                    level = SchoolLevel.UPPER_SECONDARY if r < 0.78 else SchoolLevel.VOCATIONAL
                else:
                    continue
                grade = (
                    age - 5
                    if level
                    in (SchoolLevel.PRIMARY, SchoolLevel.LOWER_SECONDARY, SchoolLevel.UPPER_SECONDARY)
                    else None
                )
                if severe and age >= 6 and rng.random() < 0.5:
                    self.schooling.append(
                        (idx, {"school_year": sy, "level": level, "status": SchoolStatus.NOT_ENROLLED})
                    )
                    continue
                row = {
                    "school_year": sy,
                    "level": level,
                    "grade": grade,
                    "school_name": self._school_name(level, meta["old"]),
                    "status": SchoolStatus.ENROLLED if sy == current else SchoolStatus.COMPLETED,
                    "status_date": start if sy == current else datetime.date(sy + 1, 5, 31),
                }
                rate = {
                    SchoolLevel.PRIMARY: 0.004,
                    SchoolLevel.LOWER_SECONDARY: 0.022,
                    SchoolLevel.UPPER_SECONDARY: 0.04,
                }.get(level, 0)
                if rate and child.status == ChildStatus.ACTIVE:
                    pupils_by_year.setdefault((sy, level), []).append(len(self.schooling))
                    when = datetime.date(sy, 10, 1) + datetime.timedelta(days=int(rng.integers(0, 210)))
                    if rng.random() < rate and when <= today:
                        row["status"], row["status_date"] = SchoolStatus.DROPPED_OUT, when
                        left = level
                        dropouts_by_year.setdefault((sy, level), []).append(idx)
                        if (
                            level == SchoolLevel.LOWER_SECONDARY
                            and age >= 13
                            and rng.random() < 0.5
                            and not any(c[0] == idx for c in self.circumstances)
                        ):
                            supports = (
                                self._supports(rng, "h", "", when, child, age)
                                if rng.random() < _SUPPORTED["h"]
                                else []
                            )
                            self._add_circumstance(idx, "h", "", when, None, supports)
                self.schooling.append((idx, row))
        # At least one primary and one lower-secondary drop-out in every school year of the district (a demo
        # needs figures to show): the child went back to school the next year.
        for sy in years:
            for level in (SchoolLevel.PRIMARY, SchoolLevel.LOWER_SECONDARY):
                rows = pupils_by_year.get((sy, level), [])
                if rows and not dropouts_by_year.get((sy, level)):
                    i = rows[int(rng.integers(0, len(rows)))]
                    when = min(datetime.date(sy, 11, 15), today)
                    self.schooling[i][1].update(status=SchoolStatus.DROPPED_OUT, status_date=when)

    # ------------------------------------------------------------------ growth

    def build_measurements(self, rng, ids: list[int]) -> list[SimpleNamespace]:
        """Measurements of the nutrition rounds (June, December) with their z-scores: one NumPy call for all."""
        today = self.today
        rounds = []
        for year in range(today.year - 3, today.year + 1):
            for month in (6, 12):
                rounds.append(datetime.date(year, month, 1))
        offsets = {code: int(rng.integers(0, 15)) for code in COMMUNES}
        rows = []  # (idx, date)
        for idx, child in enumerate(self.children):
            if child.birth_date_precision != DatePrecision.DAY:
                continue
            code = child.commune.code
            for r in rounds:
                on = r + datetime.timedelta(days=offsets[code] + int(rng.integers(0, 4)))
                if on > today:
                    continue
                age = (on - child.birth_date).days
                if 30 <= age < 1826 and rng.random() < (0.95 if age < 731 else 0.9):
                    rows.append((idx, on, age))
        if not rows:
            return []
        idx = np.array([r[0] for r in rows])
        age = np.array([r[2] for r in rows])
        years = np.array([r[1].year for r in rows])
        sex = np.array([1 if self.children[i].sex == "m" else 2 for i in idx])
        zlen = (
            np.array([self.meta[i]["zlen"] for i in idx])
            + 0.07 * (years - (today.year - 3))
            + rng.normal(0, 0.18, len(rows))
        )
        zwfl = np.array([self.meta[i]["zwfl"] for i in idx]) + rng.normal(0, 0.3, len(rows))
        t = self.tables
        size = anthro.MAX_TABLE_DAY + 1
        k = (sex - 1) * size + age
        lenhei = np.round(t.len.M[k] * (1 + t.len.S[k] * zlen), 1)
        kind = (age >= anthro.HEIGHT_FROM_DAY).astype(int)
        lo, hi = np.where(kind == 0, 45.0, 65.0), np.where(kind == 0, 110.0, 120.0)
        tenth = np.rint(np.clip(lenhei, lo, hi) * 10).astype(int)
        j = ((sex - 1) * 2 + kind) * anthro._WFLH_SIZE + tenth - anthro._WFLH_FIRST
        L, M, S = t.wflh_L[j], t.wflh_M[j], t.wflh_S[j]
        weight = np.round(M * np.power(1 + L * S * zwfl, 1 / L), 1)
        typo = (
            rng.random(len(rows)) < 0.003
        )  # a misplaced decimal point: flagged implausible, left out of the rates
        weight = np.where(typo, weight * 10, weight)
        out = [
            SimpleNamespace(
                child_id=ids[i],
                measured_on=on,
                weight_kg=float(w),
                lenhei_cm=float(h),
                oedema=False,
                measure=Measure.LYING if a < anthro.HEIGHT_FROM_DAY else Measure.STANDING,
            )
            for (i, on, a), w, h in zip(rows, weight, lenhei, strict=True)
        ]
        births = {ids[i]: (c.birth_date, c.birth_date_precision) for i, c in enumerate(self.children)}
        sexes = {ids[i]: c.sex for i, c in enumerate(self.children)}
        services.compute_growth(out, births, sexes)
        return out

    # ------------------------------------------------------------------ immunisation

    def build_vaccinations(self, rng) -> list[dict]:
        """Doses of the EPI schedule for the under-6s (child index in "child"): most on time, some late, some stopped."""
        today = self.today
        since = _years_ago(today, 6)
        out = []
        for idx, child in enumerate(self.children):
            birth = child.birth_date
            if birth <= since or child.birth_date_precision != DatePrecision.DAY:
                continue
            pattern = self.meta[idx]["vacc"]
            stop = int(rng.integers(3, len(self.schedule))) if pattern == "partial" else len(self.schedule)
            mean_delay = 80.0 if pattern == "late" else 9.0
            last: dict[str, datetime.date] = {}
            home_birth = rng.random() < 0.1
            unit = self.meta[idx]["unit"]
            for n_dose, (antigen, dose, due, minimum) in enumerate(self.schedule):
                if n_dose >= stop:
                    break
                if antigen == "hepb0":
                    if home_birth:
                        continue
                    days = int(rng.integers(0, 2))
                elif antigen == "bcg":
                    days = int(rng.integers(0, 30 if not home_birth else 60))
                elif antigen == "rota" and (birth < datetime.date(2024, 7, 1) or rng.random() < 0.4):
                    continue
                else:
                    days = max(due + int(rng.exponential(mean_delay)), minimum)
                on = birth + datetime.timedelta(days=days)
                if antigen in last:
                    on = max(on, last[antigen] + datetime.timedelta(days=28))
                if on > today:
                    continue
                last[antigen] = on
                station = unit if on >= datetime.date(2025, 7, 1) else self.meta[idx]["old"]
                out.append(
                    {
                        "child": idx,
                        "antigen": antigen,
                        "dose": dose,
                        "date": on,
                        "place": f"Trạm Y tế {_lower_type(station)}",
                    }
                )
        return out

    def set_fully_immunised(self, vaccinations: list[dict]) -> None:
        """`Child.fully_immunised_on` by the rule of ``services.refresh_immunisation`` (the "full under 1" doses of the
        schedule, all before the first birthday), computed here so that the children are written once."""
        required = set(services.full_schedule())
        doses: dict[int, dict] = {}
        for v in vaccinations:
            doses.setdefault(v["child"], {})[(v["antigen"], v["dose"])] = v["date"]
        for idx, got in doses.items():
            child = self.children[idx]
            if required and required <= set(got):
                last = max(got[k] for k in required)
                child.fully_immunised_on = last if last < services._add_years(child.birth_date, 1) else None

    # ------------------------------------------------------------------ write

    def write(self, rng) -> dict:
        now = timezone.now()
        for batch in self.batches.values():
            batch.total_rows = batch.processed_rows = sum(1 for c in self.children if c._demo_batch is batch)
            batch.counts = {"rows": batch.total_rows, "written": batch.total_rows}
            batch.save()
        from .imports import time_ordered_uuids

        vaccinations = self.build_vaccinations(rng)
        self.set_fully_immunised(vaccinations)
        fields = [f.attname for f in Child._meta.concrete_fields if f.attname != "id"]
        for child, uid in zip(self.children, time_ordered_uuids(len(self.children)), strict=True):
            child.uid, child.import_batch, child.created_at, child.updated_at = (
                uid,
                child._demo_batch,
                now,
                now,
            )
        _insert_rows(Child, [{f: getattr(c, f) for f in fields} for c in self.children])
        by_uid = dict(
            Child.objects.filter(import_batch__in=list(self.batches.values())).values_list("uid", "pk")
        )
        ids = [by_uid[c.uid] for c in self.children]
        caregivers = []
        for idx, spec in self.caregivers:
            row = dict(
                spec, child_id=ids[idx], full_name=nfc(spec["full_name"]), name_folded=fold(spec["full_name"])
            )
            sex = row.pop("sex")
            if not row.get("deceased") and rng.random() < 0.88:
                province = _weighted(rng, {"20": 0.9, "4": 0.04, "24": 0.03, "19": 0.03})
                row["personal_id"] = self.personal_id(rng, sex, row["birth_year"], province)
            if row.get("is_primary") and rng.random() < 0.85:
                row["phone"] = (
                    f"0{_weighted(rng, {'9': 4, '3': 4, '8': 2})}{int(rng.integers(10_000_000, 99_999_999))}"
                )
            caregivers.append(row)
        # The project's rules read digits 1–6 only: check each province code and each century/sex/year once.
        rules = sorted({(pid[3:6], sex, year) for pid, sex, year in self.id_prefixes})
        checks = {(f"{int(PROVINCE_OF_BIRTH):03d}{r}", sex, year) for r, sex, year in rules}
        checks |= {
            (province + rules[0][0], rules[0][1], rules[0][2])
            for province in {pid[:3] for pid, _, _ in self.id_prefixes}
        }
        for pid, sex, year in sorted(checks):
            for issue in validate_personal_id(f"{pid}000000", sex, year):
                raise ValueError(f"demo personal ID {pid}…: {issue.message}")
        _insert_rows(
            Caregiver,
            caregivers,
            {
                "personal_id": "",
                "phone": "",
                "is_primary": False,
                "lives_with_child": True,
                "deceased": False,
                "birth_year": None,
            },
        )
        self.build_schooling(rng)
        _insert_rows(
            SpecialCircumstance,
            [dict(spec, child_id=ids[idx]) for idx, spec, _ in self.circumstances],
            {"subgroup": "", "to_date": None, "note": ""},
        )
        circ_ids = {
            (c, g): pk
            for c, g, pk in SpecialCircumstance.objects.filter(child_id__in=ids).values_list(
                "child_id", "group", "pk"
            )
        }
        supports = [
            dict(s, circumstance_id=circ_ids[(ids[idx], spec["group"])])
            for idx, spec, specs in self.circumstances
            for s in specs
        ]
        _insert_rows(Support, supports, {"provider": "", "to_date": None, "amount_vnd": None, "note": ""})
        _insert_rows(
            Schooling,
            [dict(row, child_id=ids[idx]) for idx, row in self.schooling],
            {"grade": None, "school_name": "", "status_date": None},
        )
        measurements = self.build_measurements(rng, ids)
        columns = [
            "child_id",
            "measured_on",
            "weight_kg",
            "lenhei_cm",
            "measure",
            "oedema",
            "age_days",
            *services.Z_COLUMNS,
            *services.FLAG_COLUMNS,
            *services.CLASS_COLUMNS,
        ]
        _insert_rows(GrowthMeasurement, [{c: getattr(m, c) for c in columns} for m in measurements])
        for v in vaccinations:
            v["child_id"] = ids[v.pop("child")]
        _insert_rows(Vaccination, vaccinations)
        for batch in self.batches.values():
            record_change(
                self.user,
                "create",
                batch,
                {"children": [None, batch.total_rows]},
                unit=batch.unit,
                reason="[DEMO] nạp sổ theo dõi trẻ em mẫu",
            )
        return {
            "trẻ em": len(self.children),
            "người chăm sóc": len(caregivers),
            "hoàn cảnh đặc biệt": len(self.circumstances),
            "trợ giúp": len(supports),
            "năm học": len(self.schooling),
            "lần cân đo": len(measurements),
            "mũi tiêm": len(vaccinations),
        }


def load_demo_children(today: datetime.date | None = None, seed: int = SEED) -> str:
    """Create the demo registry of the old Huyện Văn Quan's successor communes once; returns a one-line summary."""
    t0 = time.monotonic()
    today = today or datetime.date.today()
    with transaction.atomic():
        done = set(
            demo_batches().filter(status=ImportBatch.Status.APPLIED).values_list("unit__code", flat=True)
        )
        todo = [code for code in COMMUNES if code not in done]
        if not todo:
            return f"đã có ({demo_children().count()} trẻ em)"
        builder = _Builder(today, _demo_user())
        for code in todo:
            builder.commune(code, np.random.default_rng([seed, int(code)]))
        counts = builder.write(np.random.default_rng([seed, 0]))
    names = ", ".join(builder.batches[c].unit.name for c in todo)
    detail = ", ".join(f"{v} {k}" for k, v in counts.items())
    return f"{detail} (xã {names}; {time.monotonic() - t0:.1f} giây)"


__all__ = ["COMMUNES", "DEMO_FILE_PREFIX", "FEATURED", "demo_children", "load_demo_children"]
