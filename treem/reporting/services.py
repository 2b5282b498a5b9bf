"""Reporting services, the public face of the app (views, API, commands and other apps use these).

- rounds: `generate_rounds`, `generate_all`, `sync_round`, `area_communes`
- values: `save_values` (form, Excel, API, DHIS2 — one audited, optimistically locked path)
- workflow: `submit`, `approve`, `return_for_correction`, `reopen`
- aggregation: `aggregate`, `indicator_values`, `area_totals` (the monitoring engine builds on these)
- completeness: `rate_of`, `by_unit`, `hierarchy`, `not_reported`, `send_reminders`
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from treem.indicators.models import DataElement
from treem.indicators.rules import combos_by_element
from treem.plans.models import AssignmentRole, Target

from .aggregation import aggregate, area_totals, indicator_values  # noqa: F401
from .completeness import by_unit, hierarchy, not_reported, rate_of, send_reminders  # noqa: F401
from .entry import Change, SaveRejected, save_values  # noqa: F401
from .models import DataValue, Responsibility, Submission, ValueStatus
from .periods import get_period, previous_code
from .rounds import area_communes, generate_all, generate_rounds, plan_elements, sync_round  # noqa: F401
from .workflow import WorkflowError, approve, reopen, return_for_correction, submit  # noqa: F401

ALL_STATUSES = (ValueStatus.DRAFT, ValueStatus.SUBMITTED, ValueStatus.APPROVED)


@dataclass
class Cell:
    combo: object
    value: Decimal | None = None
    version: int = 0
    comment: str = ""
    previous: Decimal | None = None
    followup: bool = False
    status: str = ""
    typed: str | None = None  # what the reporter typed, shown back when a save was refused
    typed_comment: str | None = None
    error: bool = False


@dataclass
class Row:
    element: DataElement
    owned: bool
    owner: str = ""
    cells: list[Cell] = field(default_factory=list)


@dataclass
class TargetBlock:
    target: Target
    components: list
    rows: list[Row] = field(default_factory=list)


def form_units(sub: Submission):
    """The units a submission reports for (one commune, or every commune of an agency's area)."""
    from treem.geo.models import AdministrativeUnit

    return AdministrativeUnit.objects.filter(pk__in=sub.responsibilities.values("unit_id")).order_by("code")


def form_layout(sub: Submission, unit) -> list[TargetBlock]:
    """The form of a submission for one unit: the targets concerned, each data element once, its
    disaggregations, current values (with versions for optimistic locking) and last period's values."""
    rnd = sub.round
    owned = set(sub.responsibilities.filter(unit=unit).values_list("data_element_id", flat=True))
    by_target = plan_elements(rnd.plan)
    led = set()
    if sub.agency_id:
        led = set(
            rnd.plan.assignments.filter(agency_id=sub.agency_id, role=AssignmentRole.LEAD).values_list(
                "targets", flat=True
            )
        )
    target_ids = [t for t, des in by_target.items() if t in led or any(de.pk in owned for de in des)]
    targets = {
        t.pk: t for t in Target.objects.filter(pk__in=target_ids).prefetch_related("components__indicator")
    }
    elements = []
    for t in target_ids:
        for de in by_target[t]:
            if de not in elements:
                elements.append(de)
    combos = combos_by_element(elements)
    current = {
        (v.data_element_id, v.combo_id): v
        for v in DataValue.objects.filter(unit=unit, period=rnd.period, data_element__in=elements)
    }
    prev_period = get_period(previous_code(rnd.period.code))
    previous = {
        (r.data_element_id, r.combo_id): r.value
        for r in aggregate(elements, [prev_period], [unit], statuses=ALL_STATUSES)
        if r.unit_id == unit.pk
    }
    owners = {
        r.data_element_id: r.submission.reporter_name
        for r in Responsibility.objects.filter(
            round=rnd, unit=unit, data_element__in=elements
        ).select_related("submission__agency", "submission__unit")
    }
    blocks, shown = [], set()
    for t in target_ids:
        block = TargetBlock(targets[t], [c for c in targets[t].components.all() if c.indicator_id])
        for de in by_target[t]:
            if de.pk in shown:
                continue
            shown.add(de.pk)
            row = Row(de, de.pk in owned, owners.get(de.pk, "") if de.pk not in owned else "")
            for combo in combos[de.pk]:
                v = current.get((de.pk, combo.pk))
                row.cells.append(
                    Cell(
                        combo,
                        v.value if v else None,
                        v.version if v else 0,
                        v.comment if v else "",
                        previous.get((de.pk, combo.pk)),
                        v.followup if v else False,
                        v.status if v else "",
                    )
                )
            block.rows.append(row)
        blocks.append(block)
    return blocks
