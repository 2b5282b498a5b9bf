"""Rounds generated from plans: the area that reports, who reports which value, and regeneration.

The rules, in short (docs/reporting.md has them in full):
- Values are always stored at commune level, so every level above is a plain sum over the closure table.
- Each (data element, commune) of a round has exactly ONE responsible submission (a database constraint):
  the agency leading the first target (in plan order) that uses the element, reporting it per commune,
  while its unit is in force; otherwise the commune itself.
- A plan outlives its unit: after its unit is abolished (1/7/2025), the area is the successor communes of
  the old communes, found through the succession table; the agencies of the abolished unit no longer
  receive rounds and every successor commune reports every element for itself. Consolidation goes to the
  successor communes' new province.
"""

from __future__ import annotations

import datetime
import logging
from collections import OrderedDict

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from treem.accounts.models import Sector
from treem.geo.models import AdministrativeUnit, Level, UnitSuccession
from treem.indicators.models import DataElement
from treem.indicators.rules import ensure_combos, load_validation_rules
from treem.plans.models import AssignmentRole, PlanDocument, PlanStatus, Reporters, TargetComponent

from .models import DataValue, ReportingSettings, Responsibility, Round, Submission, SubmissionStatus
from .periods import data_window, get_period, parse_period, rounds_in_year

log = logging.getLogger(__name__)
NON_REPORTING_SECTORS = {Sector.PEOPLE_COMMITTEE, Sector.PEOPLE_COUNCIL, Sector.PARTY_COMMITTEE}


def settings_of(plan: PlanDocument) -> ReportingSettings:
    """The plan's reporting settings (defaults when none were saved)."""
    try:
        return plan.reporting_settings
    except ReportingSettings.DoesNotExist:
        return ReportingSettings(plan=plan, reminder_days=[7, 1])


def plan_elements(plan: PlanDocument) -> OrderedDict[int, list]:
    """{target id: [data elements]} for the plan's targets in order: numerators and denominators of their indicators."""
    out: OrderedDict[int, list] = OrderedDict()
    components = (
        TargetComponent.objects.filter(target__plan=plan, indicator__isnull=False)
        .select_related("indicator__numerator", "indicator__denominator", "target")
        .order_by("target__order", "order")
    )
    for c in components:
        elements = out.setdefault(c.target_id, [])
        for de in (c.indicator.numerator, c.indicator.denominator):
            if de is not None and de not in elements:
                elements.append(de)
    return out


def area_communes(plan: PlanDocument, at: datetime.date) -> tuple[list[AdministrativeUnit], str]:
    """The communes that report for a plan on a date, and a plain note when the plan's unit no longer exists."""
    unit = plan.issuing_unit
    if unit.level == Level.COUNTRY:
        return list(AdministrativeUnit.objects.valid_at(at).filter(level=Level.COMMUNE).order_by("code")), ""
    if unit.valid_at(at):
        if unit.level == Level.COMMUNE:
            return [unit], ""
        qs = AdministrativeUnit.objects.filter(ancestor_links__ancestor=unit, level=Level.COMMUNE).valid_at(
            at
        )
        return list(qs.order_by("code")), ""
    # in two steps through the succession table: SQLite plans the one-query join from the unit side (0,2 s for a province)
    old = AdministrativeUnit.objects.filter(ancestor_links__ancestor=unit, level=Level.COMMUNE).values("pk")
    new_ids = set(
        UnitSuccession.objects.filter(predecessor_id__in=old, effective_date__lte=at).values_list(
            "successor_id", flat=True
        )
    )
    successors = (
        AdministrativeUnit.objects.filter(pk__in=new_ids, level=Level.COMMUNE).valid_at(at).order_by("code")
    )
    successors = list(successors)
    if not successors:
        return [], f"{unit.full_name} không còn hiệu lực và không tìm thấy đơn vị kế thừa."
    provinces = sorted(
        {
            p.full_name
            for p in AdministrativeUnit.objects.filter(
                descendant_links__descendant__in=successors, level=Level.PROVINCE
            )
        }
    )
    note = (
        f"{unit.full_name} không còn từ {unit.valid_to:%d/%m/%Y}. Kế hoạch vẫn được theo dõi: kỳ này do "
        f"{len(successors)} xã kế thừa báo cáo ({', '.join(u.name for u in successors)}), mỗi xã báo cáo mọi chỉ tiêu "
        f"cho địa bàn của mình; số liệu được tổng hợp theo các xã này và lên {', '.join(provinces)}."
    )
    return successors, note


def _agency_reports_at(agency, at: datetime.date) -> bool:
    return (
        agency is not None
        and agency.active
        and agency.sector not in NON_REPORTING_SECTORS
        and agency.unit.valid_at(at)
    )


def owners(rnd: Round) -> tuple[list[AdministrativeUnit], OrderedDict[int, object], dict[int, list[int]]]:
    """(area communes, {data element id: agency or None (= each commune)}, {element id: target ids}) for a round."""
    plan = rnd.plan
    communes, _ = area_communes(plan, rnd.deadline)
    by_target = plan_elements(plan)
    leads: dict[int, list] = {}
    for a in (
        plan.assignments.filter(role=AssignmentRole.LEAD, agency__isnull=False)
        .select_related("agency__unit")
        .order_by("order")
    ):
        for t in a.targets.all():
            leads.setdefault(t.pk, []).append(a.agency)
    reporters = rnd.reporters
    lead_office = None
    if reporters in (Reporters.AGENCIES, Reporters.LEAD_OFFICE):
        from treem.plans.services import match_agency

        if rnd.requirement_id and rnd.requirement.through:
            lead_office = match_agency(plan.issuing_unit, rnd.requirement.through)
        if lead_office is None:
            lead_office = next((a for agencies in leads.values() for a in agencies), None)
        if not _agency_reports_at(lead_office, rnd.deadline):
            lead_office = None
    owner: OrderedDict[int, object] = OrderedDict()
    targets_of: dict[int, list[int]] = {}
    for target_id, elements in by_target.items():
        lead = next((a for a in leads.get(target_id, []) if _agency_reports_at(a, rnd.deadline)), None)
        for de in elements:
            targets_of.setdefault(de.pk, []).append(target_id)
            if de.pk in owner:
                continue
            if reporters == Reporters.COMMUNES:
                owner[de.pk] = None
            elif lead is not None:
                owner[de.pk] = lead
            elif reporters in (Reporters.AGENCIES, Reporters.LEAD_OFFICE) and lead_office is not None:
                owner[de.pk] = lead_office
            else:
                owner[de.pk] = None
    return communes, owner, targets_of


@transaction.atomic
def sync_round(rnd: Round) -> dict:
    """Create the round's submissions and responsibilities from the plan as it is now (idempotent).

    Approved submissions keep their responsibilities; a responsibility that moves to another reporter
    is moved only while neither submission is approved. Values are never deleted.
    """
    communes, owner, _ = owners(rnd)
    subs = {
        (s.agency_id, s.unit_id if s.agency_id is None else None): s
        for s in rnd.submissions.select_related("agency")
    }
    wanted: dict[tuple[int, int], Submission] = {}
    used = set()

    def submission_for(agency, commune) -> Submission:
        key = (agency.pk, None) if agency is not None else (None, commune.pk)
        sub = subs.get(key)
        if sub is None:
            sub = Submission.objects.create(
                round=rnd, agency=agency, unit=agency.unit if agency is not None else commune
            )
            subs[key] = sub
        used.add(sub.pk)
        return sub

    for de_id, agency in owner.items():
        for commune in communes:
            wanted[(de_id, commune.pk)] = submission_for(agency, commune)
    existing = {(r.data_element_id, r.unit_id): r for r in rnd.responsibilities.select_related("submission")}
    create, moved, removed = [], 0, 0
    for key, sub in wanted.items():
        r = existing.pop(key, None)
        if r is None:
            create.append(Responsibility(round=rnd, submission=sub, data_element_id=key[0], unit_id=key[1]))
        elif (
            r.submission_id != sub.pk
            and r.submission.status != SubmissionStatus.APPROVED
            and sub.status != SubmissionStatus.APPROVED
        ):
            r.submission = sub
            r.save(update_fields=["submission"])
            moved += 1
        else:
            used.add(r.submission_id)
    for r in existing.values():
        if r.submission.status == SubmissionStatus.APPROVED:
            used.add(r.submission_id)
            continue
        r.delete()
        removed += 1
    Responsibility.objects.bulk_create(create, batch_size=2000)
    # Submissions left without anything to report and without values go away.
    stale = rnd.submissions.exclude(pk__in=used).filter(responsibilities__isnull=True)
    dropped = 0
    for sub in stale:
        if not DataValue.objects.filter(submission=sub).exists() and sub.status == SubmissionStatus.DRAFT:
            sub.delete()
            dropped += 1
    return {
        "created": len(create),
        "moved": moved,
        "removed": removed,
        "submissions": len(used),
        "dropped": dropped,
    }


def ensure_reference_data() -> None:
    """Disaggregation combos and validation rules (cheap, idempotent)."""
    ensure_combos()
    load_validation_rules()


def _clock() -> datetime.date:
    from .entry import today

    return today()


def merge_reporters(kinds: set[str]) -> str:
    """The reporters of a round asked for by several requirements (e.g. agencies yearly + communes yearly → all)."""
    if not kinds:
        return Reporters.ALL
    if kinds == {Reporters.COMMUNES}:
        return Reporters.COMMUNES
    if kinds <= {Reporters.AGENCIES, Reporters.LEAD_OFFICE}:
        return Reporters.LEAD_OFFICE if kinds == {Reporters.LEAD_OFFICE} else Reporters.AGENCIES
    return Reporters.ALL


def _not_before(plan: PlanDocument) -> datetime.date | None:
    """The first day a round's deadline may fall on: the plan's date, else the latest document it implements."""
    if plan.issued_on:
        return plan.issued_on
    dates = [r.issued_on for r in plan.references.all() if r.issued_on]
    if dates:
        return max(dates)
    return datetime.date(plan.period_start, 1, 1) if plan.period_start else None


@transaction.atomic
def generate_rounds(plan: PlanDocument, until: datetime.date | None = None) -> list[Round]:
    """Create or update the plan's rounds whose deadline is at most `until` (default: a year from today).

    Requirements asking for the same period (a yearly report from the agencies and one from the
    communes) make ONE round whose reporters are merged; responsibilities then decide who reports what.
    """
    today = timezone.localdate()
    until = until or max(today, _clock()) + datetime.timedelta(days=365)
    if plan.status != PlanStatus.ACTIVE or not plan_elements(plan):
        plan.rounds.filter(active=True).update(active=False)
        return []
    ensure_reference_data()
    cfg = settings_of(plan)
    not_before = _not_before(plan) or datetime.date(today.year, 1, 1)
    first_year = not_before.year
    last_year = min(plan.period_end or until.year + 1, until.year + 1)
    wanted: dict[str, dict] = {}
    for req in plan.reporting_requirements.order_by("order"):
        for year in range(first_year, last_year + 1):
            for code, deadline in rounds_in_year(
                req.frequency, year, req.deadline_day, req.deadline_month, cfg.default_deadline_days
            ):
                if deadline < not_before or deadline > until:
                    continue
                if plan.period_end and parse_period(code).start.year > plan.period_end:
                    continue
                w = wanted.setdefault(code, {"req": req, "deadline": deadline, "kinds": set()})
                w["deadline"] = min(w["deadline"], deadline)
                w["kinds"].add(req.reporters)
    rounds = []
    for code, w in wanted.items():
        req, deadline = w["req"], w["deadline"]
        period = get_period(code)
        data_from, data_to = data_window(code, cfg.cutoff or req.cutoff)
        _, note = area_communes(plan, deadline)
        rnd, _ = Round.objects.update_or_create(
            plan=plan,
            period=period,
            defaults=dict(
                requirement=req,
                frequency=req.frequency,
                reporters=merge_reporters(w["kinds"]),
                data_from=data_from,
                data_to=data_to,
                opens_on=deadline - datetime.timedelta(days=cfg.open_days_before_deadline),
                deadline=deadline,
                locks_on=deadline + datetime.timedelta(days=cfg.lock_days_after_deadline),
                area_note=note,
                active=True,
            ),
        )
        rounds.append(rnd)
    plan.rounds.exclude(pk__in=[r.pk for r in rounds]).filter(active=True).update(active=False)
    for rnd in rounds:
        sync_round(rnd)
    return sorted(rounds, key=lambda r: r.deadline)


def generate_all(until: datetime.date | None = None) -> dict:
    """Generate the rounds of every active plan; returns {plan: number of rounds}."""
    out = {}
    for plan in PlanDocument.objects.filter(Q(status=PlanStatus.ACTIVE)).select_related("issuing_unit"):
        rounds = generate_rounds(plan, until)
        if rounds:
            out[str(plan)] = len(rounds)
    return out


def elements_of_submission(sub: Submission) -> list[DataElement]:
    """The data elements a submission is responsible for, in plan order."""
    ids = set(sub.responsibilities.values_list("data_element_id", flat=True))
    ordered = [de for elements in plan_elements(sub.round.plan).values() for de in elements if de.pk in ids]
    seen, out = set(), []
    for de in ordered:
        if de.pk not in seen:
            seen.add(de.pk)
            out.append(de)
    return out
