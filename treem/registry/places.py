"""Matching the unit names and codes of commune lists to current communes (old names through the
2025 succession table), with Vietnamese messages for what cannot be decided."""

from __future__ import annotations

import datetime
import re
from collections import defaultdict

from treem.core.text import fold
from treem.geo.models import AdministrativeUnit, Generation, Level, UnitSuccession, UnitType
from treem.geo.services import descendants

from .cleaning import ERROR, FIXED, WARNING, Cleaned, Issue

_PREFIX = re.compile(
    r"^(xa|x\.|x|phuong|p\.|p|thi tran|tt\.|tt|dac khu|thon|ban|ap|to dan pho|tdp|to|khu|khom|xom|lang)\s*\.?\s+"
)
_DISTRICT_PREFIX = re.compile(r"^(huyen|h\.|quan|q\.|thi xa|tx\.|tx|thanh pho|tp\.|tp)\s*\.?\s+")


_TYPE_OF_PREFIX = {
    "xa": UnitType.XA,
    "x.": UnitType.XA,
    "x": UnitType.XA,
    "phuong": UnitType.PHUONG,
    "p.": UnitType.PHUONG,
    "p": UnitType.PHUONG,
    "thi tran": UnitType.THI_TRAN,
    "tt.": UnitType.THI_TRAN,
    "tt": UnitType.THI_TRAN,
    "dac khu": UnitType.DAC_KHU,
}


def _typed(text: str) -> str:
    """The unit type a name's prefix states ("TT Văn Quan" → thị trấn), else ""."""
    m = _PREFIX.match(fold(text))
    return _TYPE_OF_PREFIX.get(m.group(1), "") if m else ""


def _bare(text: str, pattern=_PREFIX) -> str:
    """Folded name without its type prefix: "Xã Tân Đoàn" → "tan doan"."""
    return pattern.sub("", fold(text)).strip()


class UnitResolver:
    """Resolve (commune code, commune name, district name, village) to a current commune within a scope."""

    def __init__(self, scope: AdministrativeUnit, generation_hint: str = "", at: datetime.date | None = None):
        self.scope = scope
        self.hint = generation_hint
        self.at = at or datetime.date.today()
        self._cache: dict[tuple, Cleaned] = {}
        if scope.level == Level.COMMUNE:
            down = [scope]
        elif scope.level == Level.VILLAGE:
            down = [scope.parent]
        else:
            down = list(descendants(scope, level=Level.COMMUNE))
        ids = {u.id for u in down}
        # Two plain queries (an OR across joins makes PostgreSQL scan the succession table for minutes).
        links = set(
            UnitSuccession.objects.filter(predecessor_id__in=ids).values_list(
                "predecessor_id", "successor_id"
            )
        )
        links |= set(
            UnitSuccession.objects.filter(successor_id__in=ids).values_list("predecessor_id", "successor_id")
        )
        ids |= {p for p, _ in links} | {s for _, s in links}
        units = AdministrativeUnit.objects.filter(id__in=ids).select_related("parent")
        self.units = {u.id: u for u in units if u.level == Level.COMMUNE}
        links = [(p, s) for p, s in links if p in self.units and s in self.units]
        self.successors: dict[int, list[int]] = defaultdict(list)
        for p, s in links:
            self.successors[p].append(s)
        self.by_code: dict[str, list[AdministrativeUnit]] = defaultdict(list)
        self.by_name: dict[str, list[AdministrativeUnit]] = defaultdict(list)
        for u in self.units.values():
            self.by_code[u.code].append(u)
            self.by_name[_bare(u.full_name)].append(u)
        self.villages: dict[int, dict[str, AdministrativeUnit]] = defaultdict(dict)
        for v in AdministrativeUnit.objects.filter(parent_id__in=ids, level=Level.VILLAGE):
            self.villages[v.parent_id][_bare(v.full_name)] = v

    def current_of(self, unit: AdministrativeUnit) -> list[AdministrativeUnit]:
        """The current communes an old commune became (itself if current)."""
        if unit.valid_at(self.at):
            return [unit]
        return [self.units[s] for s in self.successors.get(unit.id, []) if self.units[s].valid_at(self.at)]

    def resolve(self, code: str = "", name: str = "", district: str = "", village: str = "") -> Cleaned:
        """The current commune (value), the old unit named (extra["source_unit"]) and the village."""
        key = (code, name, district, village)
        if key not in self._cache:
            self._cache[key] = self._resolve(*key)
        return self._cache[key]

    def _resolve(self, code: str, name: str, district: str, village: str) -> Cleaned:
        out = Cleaned(extra={"source_unit": None, "village": None, "village_name": ""})
        code = (code or "").strip()
        if code.endswith(".0"):
            code = code[:-2]
        if code.isdigit() and len(code) < 5:
            code = code.zfill(5)
        name = (name or "").strip()
        shown = name or code
        if not code and not name:
            if self.scope.level == Level.COMMUNE:
                cands = [self.scope]
            else:
                out.issues.append(Issue(ERROR, "commune_missing", "Thiếu xã, phường nơi trẻ ở."))
                return out
        elif code:
            cands = list(self.by_code.get(code, []))
            if name:
                named = [u for u in cands if _bare(u.full_name) == _bare(name)]
                if not named and cands:
                    out.issues.append(
                        Issue(
                            WARNING,
                            "commune_code_name",
                            f"Mã xã {code} và tên “{name}” không khớp nhau; dùng tên.",
                        )
                    )
                    cands = list(self.by_name.get(_bare(name), []))
                else:
                    cands = named
        else:
            cands = list(self.by_name.get(_bare(name), []))
            full = fold(name)
            exact = [u for u in cands if fold(u.full_name) == full]
            typed = [u for u in cands if u.type == _typed(name)]
            if exact:
                cands = exact
            elif typed:
                cands = typed
        if district and len(cands) > 1:
            d = _bare(district, _DISTRICT_PREFIX)
            in_district = [u for u in cands if u.parent and _bare(u.parent.full_name, _DISTRICT_PREFIX) == d]
            if in_district:
                cands = in_district
        if self.hint and len(cands) > 1:
            hinted = [u for u in cands if u.generation == self.hint]
            if hinted:
                cands = hinted
        if not cands:
            out.issues.append(
                Issue(
                    ERROR,
                    "commune_unknown",
                    f"Không tìm thấy xã, phường “{shown}” trong địa bàn {self.scope.full_name}.",
                )
            )
            return out
        current = {}
        for u in cands:
            for c in self.current_of(u):
                current[c.id] = c
        olds = [u for u in cands if not u.valid_at(self.at)]
        if len(current) > 1 and village:
            by_village = [c for c in current.values() if _bare(village) in self.villages.get(c.id, {})]
            if len(by_village) == 1:
                current = {by_village[0].id: by_village[0]}
        if not current:
            out.issues.append(
                Issue(
                    ERROR, "commune_no_successor", f"Xã “{shown}” không còn và không tìm thấy đơn vị kế thừa."
                )
            )
            return out
        if len(current) > 1:
            names = ", ".join(sorted(c.full_name for c in current.values()))
            what = "Xã cũ" if olds else "Tên xã"
            out.issues.append(
                Issue(
                    ERROR,
                    "commune_ambiguous",
                    f"{what} “{shown}” ứng với nhiều xã, phường hiện nay ({names}): hãy ghi rõ xã hiện nay.",
                )
            )
            return out
        commune = next(iter(current.values()))
        out.value = commune
        if olds and (len(olds) == len(cands) or self.hint == Generation.PRE_2025 or district):
            old = olds[0]
            out.extra["source_unit"] = old
            out.issues.append(
                Issue(
                    FIXED,
                    "commune_succession",
                    f"{old.full_name} (trước 01/7/2025) nay là {commune.full_name}.",
                )
            )
        if village:
            v = self.villages.get(commune.id, {}).get(_bare(village))
            if v is None and out.extra["source_unit"] is not None:
                v = self.villages.get(out.extra["source_unit"].id, {}).get(_bare(village))
            out.extra["village"] = v
            out.extra["village_name"] = " ".join(str(village).split())
        return out
