"""De-duplication within the registry and linkage to the population register: runs, the review queue,
merges that keep every source record (undoable), register links.

Only users with a linkage role (commune officer, case worker, supervisor) over the children's communes
may run, review or merge; every candidate pair is re-checked against the user's scope when shown or decided.
"""

from __future__ import annotations

import datetime

import pandas as pd
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from treem.core import versions
from treem.core.audit import record_change, snapshot
from treem.geo.models import AdministrativeUnit, UnitSuccession
from treem.geo.services import descendants

from . import matching, policy, services
from .codes import ChildStatus
from .connectors import PopulationRegister, get_register
from .models import (
    Caregiver,
    Child,
    GrowthMeasurement,
    LinkageRun,
    MatchCandidate,
    MergeEvent,
    RegisterLink,
    Schooling,
    SpecialCircumstance,
    Vaccination,
)

FILLABLE = [
    "birth_date",
    "birth_date_precision",
    "sex",
    "ethnicity_code",
    "ethnicity_list",
    "personal_id",
    "birth_registration",
    "birth_registration_date",
    "birth_registration_place",
    "village",
    "village_name",
    "address",
    "disability_type",
    "disability_level",
]
RELATED = {
    "caregivers": (Caregiver, None),
    "circumstances": (SpecialCircumstance, None),
    "schooling": (Schooling, "school_year"),
    "vaccinations": (Vaccination, ("antigen", "dose")),
    "measurements": (GrowthMeasurement, None),
    "register_links": (RegisterLink, "register"),
}


class LinkageError(ValueError):
    """A refused linkage operation (Vietnamese message)."""


def unit_ids(unit: AdministrativeUnit) -> set[int]:
    """The unit, everything under it, and the current units that succeeded any of them."""
    ids = set(descendants(unit, include_self=True).values_list("id", flat=True))
    succ = set(UnitSuccession.objects.filter(predecessor_id__in=ids).values_list("successor_id", flat=True))
    if succ:
        ids |= set(
            AdministrativeUnit.objects.filter(ancestor_links__ancestor_id__in=succ).values_list(
                "id", flat=True
            )
        )
    return ids


def _children(user, unit) -> QuerySet:
    if (
        not policy.units_for_roles(user, policy.LINKAGE_ROLES).filter(pk=unit.pk).exists()
        and not policy.Access(user).admin
    ):
        raise PermissionDenied(f"Bạn không có quyền tìm trùng, đối chiếu hồ sơ trẻ em của {unit.full_name}.")
    return policy.linkable_children(user).live().filter(commune_id__in=unit_ids(unit))


def records_frame(children: QuerySet) -> pd.DataFrame:
    """The linkage input of registry children."""
    rows = children.values_list(
        "pk", "full_name", "birth_date", "birth_date_precision", "sex", "commune__code", "personal_id"
    )
    return pd.DataFrame(
        list(rows),
        columns=[
            "unique_id",
            "full_name",
            "birth_date",
            "birth_date_precision",
            "sex",
            "commune",
            "personal_id",
        ],
    )


def _reasons(row) -> dict:
    return matching.explain(row)


@transaction.atomic
def run_dedupe(user, unit, auto_merge: bool = True) -> LinkageRun:
    """Find duplicate records among the children of a unit: auto-merge the certain, queue the uncertain."""
    children = _children(user, unit)
    run = LinkageRun.objects.create(
        kind=LinkageRun.Kind.DEDUPE,
        unit=unit,
        started_by=user,
        settings={
            "review_threshold": matching.REVIEW_THRESHOLD,
            "auto_threshold": matching.AUTO_THRESHOLD,
            "auto_merge": auto_merge,
        },
    )
    frame = records_frame(children)
    result = matching.score(frame) if len(frame) > 1 else None
    pairs = result.pairs if result is not None else pd.DataFrame()
    rejected = set(
        MatchCandidate.objects.filter(status=MatchCandidate.Status.REJECTED, right__isnull=False).values_list(
            "left_id", "right_id"
        )
    )
    pending = set(
        MatchCandidate.objects.filter(status=MatchCandidate.Status.PENDING, right__isnull=False).values_list(
            "left_id", "right_id"
        )
    )
    n_auto = n_review = 0
    objs = []
    for row in pairs.to_dict("records"):
        a, b = sorted((int(row["unique_id_l"]), int(row["unique_id_r"])))
        if (a, b) in rejected or (a, b) in pending:
            continue
        p = float(row["match_probability"])
        auto = p >= matching.AUTO_THRESHOLD
        objs.append(
            MatchCandidate(
                run=run,
                left_id=a,
                right_id=b,
                probability=p,
                reasons=_reasons(row),
                method="deterministic" if row.get("mw_personal_id", 0) > 5 else "probabilistic",
                status=MatchCandidate.Status.AUTO if auto and auto_merge else MatchCandidate.Status.PENDING,
            )
        )
        n_auto += auto and auto_merge
        n_review += not (auto and auto_merge)
    MatchCandidate.objects.bulk_create(objs, batch_size=2000)
    if auto_merge:
        for cand in run.candidates.filter(status=MatchCandidate.Status.AUTO).order_by("-probability"):
            left, right = _current(cand.left), _current(cand.right)
            if left.pk != right.pk:
                merge(user, survivor=left, duplicate=right, candidate=cand, automatic=True)
    run.n_records, run.n_pairs, run.n_auto, run.n_review = len(frame), len(objs), n_auto, n_review
    run.finished_at = timezone.now()
    run.save()
    record_change(
        user,
        "other",
        run,
        {"kind": [None, run.kind], "pairs": [None, run.n_pairs]},
        unit=unit,
        reason="tìm hồ sơ trùng",
    )
    return run


def _current(child: Child) -> Child:
    """Follow merges to the record that survives."""
    seen = set()
    while child.merged_into_id and child.pk not in seen:
        seen.add(child.pk)
        child = child.merged_into
    return child


@transaction.atomic
def run_register(user, unit, register: PopulationRegister | None = None) -> LinkageRun:
    """Link the children of a unit to citizens of the population register extract."""
    children = _children(user, unit)
    register = register or get_register()
    run = LinkageRun.objects.create(
        kind=LinkageRun.Kind.REGISTER, unit=unit, started_by=user, settings={"register": register.name}
    )
    codes = set(
        AdministrativeUnit.objects.filter(id__in=unit_ids(unit), level=3).values_list("code", flat=True)
    )
    born_after = datetime.date.today().replace(year=datetime.date.today().year - 17)
    citizens = {c.key: c for c in register.citizens(codes, born_after)}
    linked = set(
        RegisterLink.objects.filter(register=register.name, child__in=children).values_list(
            "child_id", flat=True
        )
    )
    frame = records_frame(children.exclude(pk__in=linked))
    other = pd.DataFrame(
        [
            (
                f"r{c.key}",
                c.full_name,
                c.birth_date,
                c.birth_date_precision,
                c.sex,
                c.commune_code,
                c.personal_id,
            )
            for c in citizens.values()
        ],
        columns=[
            "unique_id",
            "full_name",
            "birth_date",
            "birth_date_precision",
            "sex",
            "commune",
            "personal_id",
        ],
    )
    frame["unique_id"] = frame["unique_id"].map(lambda i: f"c{i}")
    result = matching.score(frame, other) if len(frame) and len(other) else None
    pairs = (
        result.pairs
        if result is not None
        else pd.DataFrame(columns=["unique_id_l", "unique_id_r", "match_probability"])
    )
    best = (
        pairs.sort_values("match_probability", ascending=False).drop_duplicates("unique_id_l")
        if len(pairs)
        else pairs
    )
    taken = set()
    n_auto = n_review = 0
    for row in best.to_dict("records"):
        a, r = row["unique_id_l"], row["unique_id_r"]
        if a.startswith("r"):
            a, r = r, a
        child_id, key = int(a[1:]), r[1:]
        p = float(row["match_probability"])
        citizen = citizens[key]
        auto = p >= matching.AUTO_THRESHOLD and key not in taken
        cand = MatchCandidate.objects.create(
            run=run,
            left_id=child_id,
            register_key=key,
            register_data=citizen.as_dict(),
            probability=p,
            reasons=_reasons(row),
            status=MatchCandidate.Status.AUTO if auto else MatchCandidate.Status.PENDING,
            method="deterministic" if row.get("mw_personal_id", 0) > 5 else "probabilistic",
        )
        if auto:
            taken.add(key)
            _link_register(user, cand, register.name)
            n_auto += 1
        else:
            n_review += 1
    run.n_records, run.n_pairs, run.n_auto, run.n_review = len(frame), n_auto + n_review, n_auto, n_review
    run.finished_at = timezone.now()
    run.save()
    record_change(
        user,
        "other",
        run,
        {"kind": [None, run.kind], "pairs": [None, run.n_pairs]},
        unit=unit,
        reason="đối chiếu CSDL dân cư",
    )
    return run


def _link_register(user, cand: MatchCandidate, register: str) -> RegisterLink:
    child = cand.left
    link, _ = RegisterLink.objects.update_or_create(
        child=child,
        register=register,
        defaults={
            "citizen_key": cand.register_key,
            "method": cand.method,
            "probability": cand.probability,
            "linked_by": user,
        },
    )
    record_change(
        user,
        "create",
        link,
        {"register": [None, register]},
        unit=child.commune,
        reason="liên kết CSDL dân cư",
    )
    data = cand.register_data
    fill = {}
    if not child.personal_id and data.get("personal_id"):
        fill["personal_id"] = data["personal_id"]
    if not child.birth_registration_date and data.get("birth_registration_date"):
        fill["birth_registration_date"] = datetime.date.fromisoformat(data["birth_registration_date"])
        fill["birth_registration_place"] = (
            child.birth_registration_place or data.get("birth_registration_place", "")[:250]
        )
    if fill:
        before = snapshot(child)
        for k, v in fill.items():
            setattr(child, k, v)
        try:
            services.validate_child(child)
        except services.RegistryError:
            child.refresh_from_db()
            return link
        child.save()
        services._audit(user, "update", child, before, unit=child.commune, reason="bổ sung từ CSDL dân cư")
    return link


# ---------------------------------------------------------------------------------------- review


def review_queue(user) -> QuerySet:
    """Pending pairs whose records the user may link (both sides)."""
    mine = policy.linkable_children(user).values("id")
    return (
        MatchCandidate.objects.filter(status=MatchCandidate.Status.PENDING, left_id__in=mine)
        .filter(Q(right__isnull=True) | Q(right_id__in=mine))
        .select_related("left", "left__commune", "right", "right__commune", "run")
    )


def get_candidate_for(user, pk: int) -> MatchCandidate:
    """A candidate the user may review (both records in their linkage scope); logs the reads."""
    from treem.core.audit import record_access

    mine = policy.linkable_children(user).values("id")
    cand = (
        MatchCandidate.objects.filter(left_id__in=mine)
        .filter(Q(right__isnull=True) | Q(right_id__in=mine))
        .select_related("left", "left__commune", "right", "right__commune", "run")
        .get(pk=pk)
    )
    record_access(user, cand.left, purpose="xem cặp nghi trùng")
    if cand.right_id:
        record_access(user, cand.right, purpose="xem cặp nghi trùng")
    return cand


@transaction.atomic
def decide(user, cand: MatchCandidate, accept: bool, keep: str = "left") -> MatchCandidate:
    """Accept (merge, or link to the register) or reject a pair."""
    cand = get_candidate_for(user, cand.pk)
    if cand.status != MatchCandidate.Status.PENDING:
        raise LinkageError("Cặp này đã được xử lý.")
    cand.status = MatchCandidate.Status.ACCEPTED if accept else MatchCandidate.Status.REJECTED
    cand.decided_by, cand.decided_at = user, timezone.now()
    cand.save(update_fields=["status", "decided_by", "decided_at"])
    record_change(
        user,
        "update",
        cand,
        {"status": ["pending", cand.status]},
        unit=cand.left.commune,
        reason="xem xét cặp nghi trùng",
    )
    if accept:
        if cand.right_id:
            a, b = _current(cand.left), _current(cand.right)
            if a.pk == b.pk:
                return cand
            survivor, duplicate = (a, b) if keep != "right" else (b, a)
            merge(user, survivor=survivor, duplicate=duplicate, candidate=cand)
        else:
            _link_register(user, cand, cand.run.settings.get("register", "csdlqg_dc"))
    return cand


@transaction.atomic
def merge(
    user, survivor: Child, duplicate: Child, candidate: MatchCandidate | None = None, automatic: bool = False
) -> MergeEvent:
    """Merge a duplicate into a survivor: related records move, empty fields are filled, the duplicate is kept."""
    mine = policy.linkable_children(user)
    if not mine.filter(pk=survivor.pk).exists() or not mine.filter(pk=duplicate.pk).exists():
        raise PermissionDenied("Bạn không có quyền gộp các hồ sơ này.")
    survivor = Child.objects.select_for_update().get(pk=survivor.pk)
    duplicate = Child.objects.select_for_update().get(pk=duplicate.pk)
    if survivor.pk == duplicate.pk:
        raise LinkageError("Không thể gộp một hồ sơ vào chính nó.")
    if ChildStatus.MERGED in (survivor.status, duplicate.status):
        raise LinkageError("Một trong hai hồ sơ đã được gộp trước đó.")
    if survivor.personal_id and duplicate.personal_id and survivor.personal_id != duplicate.personal_id:
        raise LinkageError("Hai hồ sơ có số định danh khác nhau: không gộp được.")
    before_survivor, before_dup = snapshot(survivor), snapshot(duplicate)
    moved: dict[str, list[int]] = {}
    for name, (model, unique) in RELATED.items():
        qs = model.objects.filter(child=duplicate)
        if unique:
            fields = unique if isinstance(unique, tuple) else (unique,)
            taken = set(model.objects.filter(child=survivor).values_list(*fields))
            ids = [o.pk for o in qs if tuple(getattr(o, f) for f in fields) not in taken]
        else:
            ids = list(qs.values_list("pk", flat=True))
        model.objects.filter(pk__in=ids).update(child=survivor)
        versions.bump("records")
        moved[name] = ids
    filled = {}
    for f in FILLABLE:
        attr = Child._meta.get_field(f).attname
        if getattr(survivor, attr) in ("", None) and getattr(duplicate, attr) not in ("", None):
            filled[attr] = True
            setattr(survivor, attr, getattr(duplicate, attr))
    if "birth_date" in filled:
        survivor.birth_date_precision = duplicate.birth_date_precision
    elif (
        survivor.birth_date_precision != "day"
        and duplicate.birth_date_precision == "day"
        and duplicate.birth_date
        and survivor.birth_date
        and duplicate.birth_date.year == survivor.birth_date.year
    ):
        survivor.birth_date, survivor.birth_date_precision = duplicate.birth_date, "day"
        filled["birth_date"] = True
    survivor.birth_registration = services.birth_registration_status(survivor)
    survivor.save()
    duplicate.status, duplicate.merged_into = ChildStatus.MERGED, survivor
    duplicate.save(update_fields=["status", "merged_into", "updated_at"])
    reason = "gộp tự động" if automatic else "gộp hồ sơ trùng"
    # Records of later apps that point at the duplicate (protection cases: Case.child) follow it to the survivor,
    # each audited. The registry does not import those apps (apps depend only on earlier ones): it finds them
    # through the reverse relations of Child. Their ids are kept in the snapshot under "links".
    links: dict[str, list] = {}
    for rel in Child._meta.related_objects:
        model = rel.related_model
        if not rel.one_to_many or model._meta.app_label == Child._meta.app_label:  # foreign keys to Child
            continue
        name = rel.field.name
        by_commune = any(f.name == "commune" and f.many_to_one for f in model._meta.fields)
        qs = model._base_manager.select_for_update().filter(**{name: duplicate}).order_by("pk")
        rows = list(
            qs.values_list("pk", "commune_id")
            if by_commune
            else ((pk, None) for pk in qs.values_list("pk", flat=True))
        )
        if not rows:
            continue
        model._base_manager.filter(pk__in=[pk for pk, _ in rows]).update(**{name: survivor})
        versions.bump("records")
        units = AdministrativeUnit.objects.in_bulk({c for _, c in rows if c})
        for (
            pk,
            commune_id,
        ) in rows:  # ids only: nothing else of the record (e.g. a case's encrypted fields) is read
            record_change(
                user,
                "update",
                model(pk=pk),
                {rel.field.attname: [duplicate.pk, survivor.pk]},
                unit=units.get(commune_id, survivor.commune),
                reason=reason,
            )
        links[f"{model._meta.label_lower}.{name}"] = [pk for pk, _ in rows]
    event = MergeEvent.objects.create(
        survivor=survivor,
        merged=duplicate,
        candidate=candidate,
        by=user,
        snapshot={"survivor": before_survivor, "merged": before_dup, **({"links": links} if links else {})},
        moved=moved,
        filled={k: before_survivor.get(k) for k in filled},
    )
    services._audit(user, "update", survivor, before_survivor, unit=survivor.commune, reason=reason)
    services._audit(user, "update", duplicate, before_dup, unit=duplicate.commune, reason=reason)
    services.refresh_immunisation([survivor.pk])
    if "birth_date" in filled or moved["measurements"]:
        services.recompute_growth(GrowthMeasurement.objects.filter(child=survivor))
    return event


@transaction.atomic
def undo_merge(user, event: MergeEvent) -> None:
    """Reverse a merge: related records go back, filled fields are emptied, the duplicate is live again."""
    if event.undone_at:
        raise LinkageError("Lần gộp này đã được hoàn tác.")
    mine = policy.linkable_children(user)
    if not mine.filter(pk=event.survivor_id).exists():
        raise PermissionDenied("Bạn không có quyền hoàn tác lần gộp này.")
    survivor = Child.objects.select_for_update().get(pk=event.survivor_id)
    merged = Child.objects.select_for_update().get(pk=event.merged_id)
    before_s, before_m = snapshot(survivor), snapshot(merged)
    for name, ids in event.moved.items():
        RELATED[name][0].objects.filter(pk__in=ids, child=survivor).update(child=merged)
        versions.bump("records")
    for label, ids in (
        event.snapshot.get("links") or {}
    ).items():  # records of later apps (cases) go back too, audited
        model_label, name = label.rsplit(".", 1)
        model = apps.get_model(model_label)
        field = model._meta.get_field(name)
        back = list(
            model._base_manager.select_for_update()
            .filter(pk__in=ids, **{name: survivor})
            .values_list("pk", flat=True)
        )
        model._base_manager.filter(pk__in=back).update(**{name: merged})
        versions.bump("records")
        for pk in back:
            record_change(
                user,
                "update",
                model(pk=pk),
                {field.attname: [survivor.pk, merged.pk]},
                unit=merged.commune,
                reason="hoàn tác gộp",
            )
    for attr, old in event.filled.items():
        field = next(f for f in Child._meta.concrete_fields if f.attname == attr)
        value = old
        if field.get_internal_type() == "DateField" and isinstance(old, str):
            value = datetime.date.fromisoformat(old)
        setattr(survivor, attr, value)
    if "birth_date" in event.filled:
        survivor.birth_date_precision = event.snapshot["survivor"].get(
            "birth_date_precision", survivor.birth_date_precision
        )
    survivor.save()
    merged.status = event.snapshot["merged"].get("status", ChildStatus.ACTIVE)
    merged.merged_into = None
    merged.save(update_fields=["status", "merged_into", "updated_at"])
    event.undone_at = timezone.now()
    event.save(update_fields=["undone_at"])
    services._audit(user, "update", survivor, before_s, unit=survivor.commune, reason="hoàn tác gộp")
    services._audit(user, "update", merged, before_m, unit=merged.commune, reason="hoàn tác gộp")
    services.refresh_immunisation([survivor.pk, merged.pk])
    services.recompute_growth(GrowthMeasurement.objects.filter(child__in=[survivor, merged]))
