"""Plans as data: creating a plan from its structured form (a reviewed gold file or a confirmed import),
linking it to the documents it implements, and reading the cascade above and below it."""

import datetime
import hashlib
from decimal import Decimal
from pathlib import Path

import yaml
from django.db import transaction
from django.db.models import Q

from treem.accounts.models import Agency
from treem.core.text import fold, nfc
from treem.geo.models import REFORM_DATE, AdministrativeUnit, Generation, Level
from treem.geo.services import country
from treem.indicators.models import Indicator

from .models import (
    Assignment,
    DocumentType,
    Objective,
    PlanDocument,
    PlanReference,
    PlanStatus,
    Reporters,
    ReportingRequirement,
    Target,
    TargetComponent,
    Task,
)

SEEDS_DIR = Path(__file__).resolve().parent / "seeds"
DOC_TYPES = {label: value for value, label in DocumentType.choices}
DOC_TYPES.update({str(label).lower(): value for value, label in DocumentType.choices})
LEVEL_NAMES = {
    "country": Level.COUNTRY,
    "province": Level.PROVINCE,
    "district": Level.DISTRICT,
    "commune": Level.COMMUNE,
}
CENTRAL_ISSUERS = ("bộ chính trị", "ban bí thư", "trung ương", "quốc hội", "chính phủ", "thủ tướng", "bộ ")


class PlanError(ValueError):
    """A plan that cannot be stored as given, with a Vietnamese message."""


def doc_type_code(label: str | None) -> str:
    """'Kế hoạch' → 'ke_hoach' (unknown → 'khac')."""
    if not label:
        return DocumentType.KHAC
    return DOC_TYPES.get(label) or DOC_TYPES.get(label.lower()) or DocumentType.KHAC


def doc_type_from_number(number: str) -> str:
    """Guess the type from the symbol: '28-CT/TW' → Chỉ thị, '194/KH-UBND' → Kế hoạch."""
    symbol = (
        number.split("/")[0].split("-", 1)[-1] + "-" + number.split("/", 1)[-1] if "/" in number else number
    )
    for abbr, code in (
        ("CT", DocumentType.CHI_THI),
        ("KH", DocumentType.KE_HOACH),
        ("NQ", DocumentType.NGHI_QUYET),
        ("CTr", DocumentType.CHUONG_TRINH),
        ("QĐ", DocumentType.QUYET_DINH),
    ):
        if f"-{abbr}" in f"-{symbol}" or f"{abbr}-" in symbol or f"/{abbr}" in number:
            return code
    return DocumentType.KHAC


def find_unit(
    level: int, name: str, province: str | None = None, at: datetime.date | None = None
) -> AdministrativeUnit | None:
    """Find a unit by level and name (and province name), in the generation in force on a date."""
    if level == Level.COUNTRY:
        return country()
    generation = (
        Generation.Y2025 if (at and at >= REFORM_DATE and level != Level.DISTRICT) else Generation.PRE_2025
    )
    qs = AdministrativeUnit.objects.filter(level=level, generation=generation)
    folded = fold(name)
    candidates = [u for u in qs.filter(name_folded__contains=folded) if fold(u.name) == folded]
    if province and level > Level.PROVINCE:
        prov = fold(province)
        candidates = [
            u
            for u in candidates
            if any(
                fold(a.name) == prov
                for a in AdministrativeUnit.objects.filter(
                    descendant_links__descendant=u, level=Level.PROVINCE
                )
            )
        ]
    return candidates[0] if len(candidates) == 1 else None


def match_agency(unit: AdministrativeUnit, name: str) -> Agency | None:
    """The registered agency of a unit whose name or alias matches a wording (after folding)."""
    folded = fold(name)
    for agency in Agency.objects.filter(unit=unit):
        if agency.name_folded == folded or folded in {fold(a) for a in agency.aliases}:
            return agency
    return None


def ensure_agency(unit: AdministrativeUnit, name: str, sector: str) -> Agency:
    """The agency of a unit with this name, created if the registry does not have it yet."""
    agency = match_agency(unit, name)
    if agency is None:
        agency = Agency.objects.create(unit=unit, name=nfc(name), sector=sector or "other")
    return agency


def _date(value) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value))


def _deadline(text: str | None) -> tuple[int | None, int | None]:
    if not text:
        return None, None
    day, month = str(text).split("/")[:2]
    return int(day), int(month)


def _reference_unit(issuer: str, plan_unit: AdministrativeUnit) -> AdministrativeUnit:
    """The unit of a referenced document: national bodies → country; 'tỉnh' bodies → the plan's province."""
    low = (issuer or "").lower()
    if any(word in low for word in CENTRAL_ISSUERS):
        return country()
    chain = list(AdministrativeUnit.objects.filter(descendant_links__descendant=plan_unit).order_by("level"))
    if "tỉnh" in low or "hđnd" in low or "hội đồng nhân dân" in low:
        for u in chain:
            if u.level == Level.PROVINCE:
                return u
    return plan_unit


def resolve_reference(number: str, issued_on: datetime.date | None) -> PlanDocument | None:
    """The document in TreEm with this number (and date, when both are known)."""
    qs = PlanDocument.objects.filter(number=number)
    if issued_on:
        qs = qs.filter(Q(issued_on=issued_on) | Q(issued_on__isnull=True))
    return qs.order_by("status").first()


@transaction.atomic
def store_plan(
    data: dict,
    *,
    key: str | None = None,
    full_text: str = "",
    status: str = PlanStatus.ACTIVE,
    source_name: str = "",
    unit: AdministrativeUnit | None = None,
    replace: PlanDocument | None = None,
) -> PlanDocument:
    """Create (or replace) a plan with its references, objectives, targets, components, tasks, assignments and reporting."""
    doc = data.get("document") or {}
    issued_on = _date(doc.get("date"))
    if unit is None:
        u = doc.get("unit") or {}
        unit = find_unit(
            LEVEL_NAMES.get(u.get("level", "country"), Level.COUNTRY),
            u.get("name", ""),
            u.get("province"),
            issued_on,
        )
    if unit is None:
        raise PlanError(f"Không xác định được địa bàn ban hành: {doc.get('unit')}")
    if replace is None and key:
        replace = PlanDocument.objects.filter(key=key).first()
    if replace is None and doc.get("number"):
        replace = PlanDocument.objects.filter(
            number=doc["number"], issuing_unit=unit, status=PlanStatus.REFERENCE
        ).first()
    period = doc.get("period") or [None, None]
    fields = dict(
        key=key,
        doc_type=doc_type_code(doc.get("type")),
        number=doc.get("number") or "",
        issuer=doc.get("issuer") or "",
        issuer_kind=doc.get("issuer_kind") or "",
        issuing_unit=unit,
        issued_on=issued_on,
        place=doc.get("place") or "",
        signer=doc.get("signer") or "",
        signer_title=doc.get("signer_title") or "",
        title=nfc(doc.get("title") or ""),
        period_start=period[0],
        period_end=period[1],
        full_text=full_text,
        status=status,
        source_name=source_name,
    )
    if replace is not None:
        plan = replace
        for k, v in fields.items():
            setattr(plan, k, v)
        plan.save()
        for related in (
            plan.references,
            plan.objectives,
            plan.targets,
            plan.tasks,
            plan.assignments,
            plan.reporting_requirements,
        ):
            related.all().delete()
    else:
        plan = PlanDocument.objects.create(**fields)

    for order, ref in enumerate(doc.get("implements") or []):
        ref_date = _date(ref.get("date"))
        referenced = resolve_reference(ref["number"], ref_date)
        if referenced is None:
            referenced = PlanDocument.objects.create(
                doc_type=doc_type_code(ref.get("type"))
                if ref.get("type")
                else doc_type_from_number(ref["number"]),
                number=ref["number"],
                issuer=ref.get("issuer") or "",
                issuing_unit=_reference_unit(ref.get("issuer") or "", unit),
                issued_on=ref_date,
                title=ref.get("title") or "",
                status=PlanStatus.REFERENCE,
            )
        PlanReference.objects.create(
            plan=plan,
            number=ref["number"],
            issued_on=ref_date,
            doc_type=referenced.doc_type,
            issuer=ref.get("issuer") or "",
            title=ref.get("title") or "",
            referenced=referenced,
            order=order,
        )
    _link_stubs(plan)
    # Documents already in TreEm that cite this one now find it.
    if plan.number:
        PlanReference.objects.filter(number=plan.number, referenced__isnull=True).update(referenced=plan)

    objectives = {}
    for order, obj in enumerate(data.get("objectives") or []):
        objectives[str(obj.get("number"))] = Objective.objects.create(
            plan=plan,
            number=str(obj.get("number") or ""),
            kind=obj.get("kind") or "specific",
            title=obj.get("title") or "",
            text=obj.get("text") or "",
            order=order,
        )
    indicators = {i.code: i for i in Indicator.objects.all()}
    targets_by_number: dict[str, Target] = {}
    for order, t in enumerate(data.get("targets") or []):
        span = t.get("span") or [None, None]
        target = Target.objects.create(
            plan=plan,
            objective=objectives.get(str(t.get("objective"))),
            number=str(t["number"]) if t.get("number") is not None else "",
            group=t.get("group") or "",
            text=nfc(t.get("text") or ""),
            order=order,
            span_start=span[0],
            span_end=span[1],
        )
        if target.number:
            targets_by_number[target.number] = target
        TargetComponent.objects.bulk_create(
            [
                TargetComponent(
                    target=target,
                    order=i,
                    indicator_text=c.get("indicator") or "",
                    indicator=indicators.get(c.get("indicator_code") or ""),
                    comparator=c["comparator"],
                    value=Decimal(str(c["value"])) if c.get("value") is not None else None,
                    unit=c["unit"],
                    year=c.get("year"),
                    qualifier=c.get("qualifier") or "",
                    baseline_value=Decimal(str(c["baseline_value"]))
                    if c.get("baseline_value") is not None
                    else None,
                    baseline_year=c.get("baseline_year"),
                )
                for i, c in enumerate(t.get("components") or [])
            ]
        )
    tasks_by_number = {}
    for order, task in enumerate(data.get("tasks") or []):
        tasks_by_number[str(task.get("number"))] = Task.objects.create(
            plan=plan,
            number=str(task.get("number") or ""),
            title=task.get("title") or "",
            text=task.get("text") or "",
            order=order,
        )
    for order, a in enumerate(data.get("assignments") or []):
        agency = ensure_agency(unit, a["agency"], a.get("sector") or "other") if a.get("agency") else None
        assignment = Assignment.objects.create(
            plan=plan,
            agency_name=a["agency"],
            agency=agency,
            sector=a.get("sector") or "",
            role=a.get("role") or "lead",
            text=a.get("text") or "",
            order=order,
        )
        missing = [n for n in (str(x) for x in a.get("targets") or []) if n not in targets_by_number]
        if missing:
            raise PlanError(
                f"Phân công cho {a['agency']} nêu chỉ tiêu không có trong kế hoạch: {', '.join(missing)}"
            )
        assignment.targets.set([targets_by_number[str(n)] for n in a.get("targets") or []])
        assignment.tasks.set(
            [tasks_by_number[str(n)] for n in a.get("tasks") or [] if str(n) in tasks_by_number]
        )
    for order, r in enumerate(data.get("reporting") or []):
        day, month = _deadline(r.get("deadline"))
        ReportingRequirement.objects.create(
            plan=plan,
            frequency=r["frequency"],
            deadline_day=day,
            deadline_month=month,
            reporters=r.get("reporters") or Reporters.ALL,
            recipient=r.get("to") or "",
            through=r.get("through") or "",
            text=r.get("text") or "",
            order=order,
        )
    return plan


def _link_stubs(plan: PlanDocument) -> None:
    """Chain referenced-only documents among themselves when one's title cites another ('177-KH/TU … thực hiện Chỉ thị số 28-CT/TW')."""
    refs = list(plan.references.select_related("referenced"))
    for ref in refs:
        stub = ref.referenced
        if stub is None or stub.status != PlanStatus.REFERENCE or stub.references.exists():
            continue
        for order, other in enumerate(r for r in refs if r.referenced_id and r.referenced_id != stub.pk):
            if other.number in stub.title:
                PlanReference.objects.create(
                    plan=stub,
                    number=other.number,
                    issued_on=other.issued_on,
                    doc_type=other.doc_type,
                    issuer=other.issuer,
                    title=other.title,
                    referenced=other.referenced,
                    order=order,
                )


def load_seed_plans(directory: Path = SEEDS_DIR) -> list[PlanDocument]:
    """Load every reviewed seed plan (seed_*.yaml with its text): an unchanged seed is left alone (its
    rounds and values keep pointing at the same targets), a changed one is replaced, none is duplicated."""
    plans = []
    for path in sorted(directory.glob("seed_*.yaml")):
        raw = path.read_bytes()
        data = yaml.safe_load(raw.decode("utf-8"))
        text_path = directory / (data.get("source") or path.with_suffix(".txt").name)
        full_text = nfc(text_path.read_text(encoding="utf-8")) if text_path.exists() else ""
        key = data.get("key") or path.stem
        digest = hashlib.sha256(raw + full_text.encode("utf-8")).hexdigest()
        existing = PlanDocument.objects.filter(key=key, content_hash=digest).first()
        if existing is not None:
            plans.append(existing)
            continue
        plan = store_plan(data, key=key, full_text=full_text, source_name=text_path.name)
        PlanDocument.objects.filter(pk=plan.pk).update(content_hash=digest)
        plans.append(plan)
    return plans


def parents(plan: PlanDocument) -> list[PlanDocument]:
    """The documents a plan implements (one level up)."""
    return [r.referenced for r in plan.references.select_related("referenced") if r.referenced_id]


def children(plan: PlanDocument):
    """The plans that implement this one (one level down)."""
    return PlanDocument.objects.filter(references__referenced=plan).distinct().order_by("issued_on")


def cascade_above(plan: PlanDocument) -> list[list[PlanDocument]]:
    """Chains of documents above a plan, nearest first, following every reference (no repeats)."""
    levels, seen, frontier = [], {plan.pk}, [plan]
    while frontier:
        nxt = []
        for p in frontier:
            for parent in parents(p):
                if parent.pk not in seen:
                    seen.add(parent.pk)
                    nxt.append(parent)
        if nxt:
            levels.append(nxt)
        frontier = nxt
    return levels


def cascade_below(plan: PlanDocument) -> list[list[PlanDocument]]:
    """Plans below a plan, level by level."""
    levels, seen, frontier = [], {plan.pk}, [plan]
    while frontier:
        nxt = []
        for p in frontier:
            for child in children(p):
                if child.pk not in seen:
                    seen.add(child.pk)
                    nxt.append(child)
        if nxt:
            levels.append(nxt)
        frontier = nxt
    return levels
