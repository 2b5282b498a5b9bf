"""Queries over administrative units: ancestors, descendants, successors, villages, loading."""

import csv
import datetime
from collections.abc import Iterable
from pathlib import Path

from django.db import transaction
from django.db.models import QuerySet

from treem.core.text import fold, nfc

from .models import (
    REFORM_DATE,
    AdministrativeUnit,
    Generation,
    Level,
    SuccessionKind,
    UnitClosure,
    UnitSuccession,
    UnitType,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
COUNTRY_CODE = "VN"
LEVELS = {"province": Level.PROVINCE, "district": Level.DISTRICT, "commune": Level.COMMUNE}
VILLAGE_TYPES = {UnitType.THON, UnitType.TO_DAN_PHO, UnitType.BAN, UnitType.AP}


class UnitError(ValueError):
    """A unit operation refused, with a Vietnamese message."""


def country() -> AdministrativeUnit:
    """The national root unit (parent of every province of both generations)."""
    unit, _ = AdministrativeUnit.objects.get_or_create(
        level=Level.COUNTRY,
        code=COUNTRY_CODE,
        generation="",
        defaults={"name": "Việt Nam", "full_name": "Việt Nam", "type": UnitType.QUOC_GIA},
    )
    return unit


def ancestors(unit: AdministrativeUnit, include_self: bool = False) -> QuerySet:
    """The units above a unit, nearest last (province before district)."""
    qs = AdministrativeUnit.objects.filter(descendant_links__descendant=unit)
    if not include_self:
        qs = qs.exclude(pk=unit.pk)
    return qs.order_by("level")


def descendants(
    unit: AdministrativeUnit,
    at: datetime.date | None = None,
    level: int | None = None,
    include_self: bool = False,
) -> QuerySet:
    """The units under a unit, optionally those in force on a date and of one level."""
    qs = AdministrativeUnit.objects.filter(ancestor_links__ancestor=unit)
    if not include_self:
        qs = qs.exclude(pk=unit.pk)
    if at is not None:
        qs = qs.valid_at(at)
    if level is not None:
        qs = qs.filter(level=level)
    return qs


def successors(unit: AdministrativeUnit, at: datetime.date | None = None) -> list[AdministrativeUnit]:
    """The units in force on a date (default today) that an old unit became part of, following chains."""
    at = at or datetime.date.today()
    if unit.valid_at(at):
        return [unit]
    found: dict[int, AdministrativeUnit] = {}
    frontier = [unit]
    seen = {unit.pk}
    while frontier:
        nxt = []
        for s in UnitSuccession.objects.filter(
            predecessor__in=frontier, effective_date__lte=at
        ).select_related("successor"):
            if s.successor.pk in seen:
                continue
            seen.add(s.successor.pk)
            if s.successor.valid_at(at):
                found[s.successor.pk] = s.successor
            else:
                nxt.append(s.successor)
        frontier = nxt
    return sorted(found.values(), key=lambda u: (u.level, u.code))


def predecessors(unit: AdministrativeUnit) -> QuerySet:
    """The old units that became (part of) this unit."""
    return AdministrativeUnit.objects.filter(successions__successor=unit).distinct()


def search(text: str, at: datetime.date | None = None, level: int | None = None) -> QuerySet:
    """Units whose folded name contains the folded text ("van quan" finds "Huyện Văn Quan")."""
    qs = AdministrativeUnit.objects.filter(name_folded__contains=fold(text))
    if at is not None:
        qs = qs.valid_at(at)
    if level is not None:
        qs = qs.filter(level=level)
    return qs


def _link(unit: AdministrativeUnit) -> None:
    """Insert the closure rows of a newly added unit (its parent's ancestors plus itself)."""
    rows = [UnitClosure(ancestor=unit, descendant=unit, depth=0)]
    if unit.parent_id:
        for link in UnitClosure.objects.filter(descendant_id=unit.parent_id):
            rows.append(UnitClosure(ancestor_id=link.ancestor_id, descendant=unit, depth=link.depth + 1))
    UnitClosure.objects.bulk_create(rows)


@transaction.atomic
def add_village(commune: AdministrativeUnit, name: str, type: str = UnitType.THON, code: str = "", user=None):
    """Add a village or residential group (thôn, tổ dân phố) under a commune."""
    name = " ".join(nfc(name).split())
    if commune.level != Level.COMMUNE:
        raise UnitError("Thôn, tổ dân phố chỉ được thêm dưới một xã, phường, thị trấn hoặc đặc khu.")
    if not name:
        raise UnitError("Tên thôn, tổ dân phố không được để trống.")
    if type not in VILLAGE_TYPES:
        raise UnitError("Loại phải là thôn, tổ dân phố, bản hoặc ấp.")
    siblings = AdministrativeUnit.objects.filter(parent=commune, level=Level.VILLAGE)
    if siblings.filter(name_folded=fold(f"{UnitType(type).label} {name}")).exists():
        raise UnitError(f"{commune.full_name} đã có {UnitType(type).label.lower()} {name}.")
    code = code.strip() or f"{commune.code}-{siblings.count() + 1:03d}"
    if siblings.filter(code=code).exists():
        raise UnitError(f"Mã {code} đã được dùng trong {commune.full_name}.")
    unit = AdministrativeUnit.objects.create(
        code=code,
        name=name,
        full_name=f"{UnitType(type).label} {name}",
        type=type,
        level=Level.VILLAGE,
        generation=commune.generation,
        parent=commune,
        valid_from=commune.valid_from,
        valid_to=commune.valid_to,
        created_by=user,
    )
    _link(unit)
    return unit


def _read_csv(name: str) -> list[dict]:
    with open(DATA_DIR / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _date(value: str) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


@transaction.atomic
def load_generation(generation: str, filename: str) -> int:
    """Load one generation of units from its shipped CSV; idempotent (existing codes are updated, not duplicated)."""
    root = country()
    rows = _read_csv(filename)
    existing = {
        (u.level, u.code): u
        for u in AdministrativeUnit.objects.filter(generation=generation).exclude(level=Level.VILLAGE)
    }
    by_key: dict[tuple[int, str], AdministrativeUnit] = {}
    created = 0
    for level_name in ("province", "district", "commune"):
        level = LEVELS[level_name]
        new_objs, update_objs = [], []
        for r in rows:
            if r["level"] != level_name:
                continue
            parent = root
            if r["parent_code"]:
                parent_level = (
                    Level.PROVINCE
                    if (generation == Generation.Y2025 or level == Level.DISTRICT)
                    else Level.DISTRICT
                )
                parent = by_key[(parent_level, r["parent_code"])]
            fields = dict(
                name=nfc(r["name"]),
                full_name=nfc(r["full_name"]),
                type=r["type"],
                parent=parent,
                valid_from=_date(r["valid_from"]),
                valid_to=_date(r["valid_to"]),
            )
            obj = existing.get((level, r["code"]))
            if obj is None:
                obj = AdministrativeUnit(code=r["code"], level=level, generation=generation, **fields)
                new_objs.append(obj)
            else:
                for k, v in fields.items():
                    setattr(obj, k, v)
                update_objs.append(obj)
            obj.name_folded = fold(obj.full_name)
            by_key[(level, r["code"])] = obj
        AdministrativeUnit.objects.bulk_create(new_objs, batch_size=2000)
        if update_objs:
            AdministrativeUnit.objects.bulk_update(
                update_objs,
                ["name", "full_name", "name_folded", "type", "parent", "valid_from", "valid_to"],
                batch_size=2000,
            )
        created += len(new_objs)
    rebuild_closure(generation)
    return created


def rebuild_closure(generation: str | None = None) -> int:
    """Recompute the closure rows of a generation (or of every unit) from parent links."""
    units = AdministrativeUnit.objects.all()
    if generation is not None:
        units = units.filter(generation__in=[generation, ""])
    parent_of = dict(units.values_list("id", "parent_id"))
    if generation is not None:
        UnitClosure.objects.filter(descendant__generation=generation).delete()
    else:
        UnitClosure.objects.all().delete()
    existing_pairs = set(UnitClosure.objects.values_list("ancestor_id", "descendant_id"))
    rows = []
    for uid in parent_of:
        depth, cur = 0, uid
        while cur is not None:
            if (cur, uid) not in existing_pairs:
                rows.append(UnitClosure(ancestor_id=cur, descendant_id=uid, depth=depth))
            cur = parent_of.get(cur)
            depth += 1
    UnitClosure.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


@transaction.atomic
def load_succession(filename: str = "succession_2025.csv") -> int:
    """Load the old → new succession table from CSV (old_code, old_level, new_code, new_level, kind, effective_date, source)."""
    old = {
        (u.level, u.code): u.id
        for u in AdministrativeUnit.objects.filter(generation=Generation.PRE_2025).only("id", "level", "code")
    }
    new = {
        (u.level, u.code): u.id
        for u in AdministrativeUnit.objects.filter(generation=Generation.Y2025).only("id", "level", "code")
    }
    existing = set(UnitSuccession.objects.values_list("predecessor_id", "successor_id", "effective_date"))
    rows, errors = [], []
    for i, r in enumerate(_read_csv(filename), start=2):
        pred = old.get((LEVELS[r["old_level"]], r["old_code"]))
        succ = new.get((LEVELS[r["new_level"]], r["new_code"]))
        if pred is None or succ is None:
            errors.append(
                f"dòng {i}: không tìm thấy đơn vị {r['old_code'] if pred is None else r['new_code']}"
            )
            continue
        eff = _date(r["effective_date"]) or REFORM_DATE
        if (pred, succ, eff) in existing:
            continue
        existing.add((pred, succ, eff))
        kind = r["kind"] if r["kind"] in SuccessionKind.values else SuccessionKind.PARTIAL
        rows.append(
            UnitSuccession(
                predecessor_id=pred,
                successor_id=succ,
                effective_date=eff,
                kind=kind,
                source=r.get("source") or "official",
            )
        )
    if errors:
        raise UnitError("Bảng kế thừa có lỗi: " + "; ".join(errors[:20]))
    UnitSuccession.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def load_all_units() -> dict:
    """Load both generations and the succession table from the shipped CSVs."""
    return {
        "pre2025": load_generation(Generation.PRE_2025, "units_pre2025.csv"),
        "2025": load_generation(Generation.Y2025, "units_2025.csv"),
        "succession": load_succession(),
    }


def units_by_codes(codes: Iterable[str], generation: str, level: int) -> dict[str, AdministrativeUnit]:
    """Map codes to units of one generation and level."""
    return {
        u.code: u
        for u in AdministrativeUnit.objects.filter(generation=generation, level=level, code__in=list(codes))
    }
