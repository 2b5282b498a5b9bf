"""Registry services: the one audited path for writes and the one logged accessor for reads.

Views, the API, imports and the protection app call these; none of them writes a child directly.
Audit events name the fields that changed; values of personal fields are never written to the
audit log (only categorical, non-identifying ones such as status or commune).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

import numpy as np
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet

from treem.core import versions
from treem.core.audit import diff, record_access, record_change, snapshot
from treem.geo.models import Level

from . import anthro, policy
from .cleaning import ERROR, check_birth_date, clean_name, validate_personal_id
from .codes import (
    BIRTH_REGISTRATION_DAYS,
    BirthRegistration,
    ChildStatus,
    DatePrecision,
    RecordSource,
)
from .models import (
    Caregiver,
    Child,
    EpiDose,
    GrowthMeasurement,
    Schooling,
    SpecialCircumstance,
    Support,
    Vaccination,
)

# Values of these fields may appear in the audit log; every other field is logged as "changed" only.
LOGGABLE_VALUES = {
    "status",
    "birth_date_precision",
    "commune_id",
    "source_unit_id",
    "village_id",
    "source",
    "birth_registration",
    "ethnicity_list",
    "merged_into_id",
    "import_batch_id",
    "child_id",
    "group",
    "subgroup",
    "kind",
    "relationship",
    "school_year",
    "level",
    "grade",
    "antigen",
    "dose",
    "measure",
    "is_primary",
    "lives_with_child",
}
HIDDEN = "•••"
CHILD_FIELDS = [
    "full_name",
    "birth_date",
    "birth_date_precision",
    "sex",
    "ethnicity_code",
    "ethnicity_list",
    "personal_id",
    "birth_registration",
    "birth_registration_date",
    "birth_registration_place",
    "commune",
    "source_unit",
    "village",
    "village_name",
    "address",
    "disability_type",
    "disability_level",
    "status",
]


class RegistryError(ValueError):
    """A refused registry operation, with a Vietnamese message and the field it concerns."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.message = message
        self.field = field


def masked(changes: dict) -> dict:
    """An audit diff without personal values: {field: [old, new]} or {field: "•••"}."""
    return {k: (v if k in LOGGABLE_VALUES else HIDDEN) for k, v in changes.items()}


def _audit(user, action: str, obj, before: dict | None, unit=None, reason: str = "") -> None:
    after = snapshot(obj) if action != "delete" else {}
    changes = (
        diff(before or {}, after) if action != "delete" else {k: [v, None] for k, v in (before or {}).items()}
    )
    changes.pop("updated_at", None)
    changes.pop("created_at", None)
    changes.pop("name_folded", None)
    if action == "update" and not changes:
        return
    record_change(user, action, obj, masked(changes), unit=unit, reason=reason)


# ---------------------------------------------------------------------------------------- reads


def get_child_for(user, key, purpose: str = "", channel: str = "web") -> Child:
    """A child the user may read, by id or uid; logs the read. Raises Child.DoesNotExist otherwise."""
    qs = policy.visible_children(user).select_related("commune", "source_unit", "village", "merged_into")
    child = qs.get(uid=key) if not str(key).isdigit() else qs.get(pk=int(key))
    record_access(user, child, channel=channel, purpose=purpose)
    return child


def child_view(child: Child, access: policy.Access) -> dict:
    """The child's data as the user may see it (sensitive groups removed otherwise)."""
    groups = access.groups(child)
    data = {
        "uid": str(child.uid),
        "full_name": child.full_name,
        "birth_date": child.birth_date,
        "birth_date_precision": child.birth_date_precision,
        "birth_date_display": child.birth_date_display,
        "sex": child.sex,
        "ethnicity_code": child.ethnicity_code,
        "ethnicity_list": child.ethnicity_list,
        "birth_registration": child.birth_registration,
        "birth_registration_date": child.birth_registration_date,
        "birth_registration_place": child.birth_registration_place,
        "commune": child.commune.full_name,
        "commune_code": child.commune.code,
        "source_unit": child.source_unit.full_name if child.source_unit_id else "",
        "village": child.village.full_name if child.village_id else child.village_name,
        "address": child.address,
        "status": child.status,
        "fully_immunised_on": child.fully_immunised_on,
    }
    if policy.IDENTITY in groups:
        data["personal_id"] = child.personal_id
    if policy.DISABILITY in groups:
        data["disability_type"] = child.disability_type
        data["disability_level"] = child.disability_level
    return data


# ---------------------------------------------------------------------------------------- writes


def _check_editable(user, child: Child | None = None, commune=None) -> None:
    commune = commune or (child.commune if child else None)
    if child is not None and child.pk and not policy.editable_children(user).filter(pk=child.pk).exists():
        raise PermissionDenied("Bạn không có quyền sửa hồ sơ trẻ em này.")
    if commune is not None:
        from treem.accounts.scoping import can_edit_unit

        if not can_edit_unit(user, commune):
            raise PermissionDenied(f"Bạn không có quyền ghi hồ sơ trẻ em của {commune.full_name}.")


def _check_group(user, child: Child, group: str) -> None:
    if not policy.Access(user).sees(child, group):
        raise PermissionDenied(
            f"Vai trò của bạn không được xem, sửa {policy.GROUP_LABELS[group]} của trẻ em."
        )


def birth_registration_status(child: Child) -> str:
    """On time (within 60 days of birth) or late when both dates are known to the day, else as recorded."""
    if child.birth_registration_date and child.birth_date and child.birth_date_precision == DatePrecision.DAY:
        days = (child.birth_registration_date - child.birth_date).days
        return BirthRegistration.ON_TIME if days <= BIRTH_REGISTRATION_DAYS else BirthRegistration.LATE
    if child.birth_registration_date and child.birth_registration in ("", BirthRegistration.NOT_REGISTERED):
        return BirthRegistration.REGISTERED
    return child.birth_registration


def validate_child(child: Child) -> None:
    """Check a child's identity fields; raise RegistryError naming the field."""
    name = clean_name(child.full_name)
    for issue in name.issues:
        if issue.severity == ERROR:
            raise RegistryError(issue.message, "full_name")
    child.full_name = name.value
    if child.birth_date is not None or child.status != ChildStatus.PROVISIONAL:
        for issue in check_birth_date(child.birth_date):
            if issue.severity == ERROR:
                raise RegistryError(issue.message, "birth_date")
    if (
        child.birth_date
        and child.birth_date_precision == DatePrecision.YEAR
        and (child.birth_date.month, child.birth_date.day) != (1, 1)
    ):
        child.birth_date = child.birth_date.replace(month=1, day=1)
    if child.birth_date and child.birth_date_precision == DatePrecision.MONTH and child.birth_date.day != 1:
        child.birth_date = child.birth_date.replace(day=1)
    if child.personal_id:
        child.personal_id = child.personal_id.replace(" ", "")
        year = child.birth_date.year if child.birth_date else None
        for issue in validate_personal_id(child.personal_id, child.sex, year):
            raise RegistryError(issue.message, "personal_id")
    if child.commune_id and child.commune.level != Level.COMMUNE:
        raise RegistryError("Nơi ở phải là một xã, phường hoặc đặc khu.", "commune")
    if child.commune_id and not child.commune.is_current:
        raise RegistryError(
            f"{child.commune.full_name} không còn hiệu lực: hãy chọn xã, phường hiện nay.", "commune"
        )
    if child.village_id and child.village.parent_id not in {child.commune_id, child.source_unit_id}:
        raise RegistryError("Thôn, tổ dân phố không thuộc xã, phường đã chọn.", "village")
    if (
        child.birth_registration_date
        and child.birth_date
        and child.birth_registration_date < child.birth_date
    ):
        raise RegistryError("Ngày đăng ký khai sinh trước ngày sinh.", "birth_registration_date")
    child.birth_registration = birth_registration_status(child)


@transaction.atomic
def create_child(user, data: dict, source: str = RecordSource.MANUAL) -> Child:
    """Create a child record (audited); `data` holds model field values (commune as a unit)."""
    child = Child(
        **{k: v for k, v in data.items() if k in CHILD_FIELDS or k in ("import_batch", "import_row")}
    )
    child.source = source
    child.created_by = user if getattr(user, "is_authenticated", False) else None
    _check_editable(user, commune=child.commune)
    access = policy.Access(user)
    for group, fields in policy.CHILD_FIELDS.items():
        if any(getattr(child, f) for f in fields) and not access.sees(child, group):
            raise PermissionDenied(f"Vai trò của bạn không được ghi {policy.GROUP_LABELS[group]} của trẻ em.")
    validate_child(child)
    child.save()
    _audit(user, "create", child, {}, unit=child.commune)
    return child


def create_provisional_child(
    user,
    commune,
    full_name: str,
    birth_date: datetime.date | None = None,
    birth_date_precision: str = DatePrecision.DAY,
    sex: str = "",
    **extra,
) -> Child:
    """A provisional record (e.g. from a protection case) to be verified and linked later."""
    data = dict(
        extra,
        commune=commune,
        full_name=full_name,
        birth_date=birth_date,
        birth_date_precision=birth_date_precision,
        sex=sex,
        status=ChildStatus.PROVISIONAL,
    )
    return create_child(user, data, source=extra.pop("source", RecordSource.PROTECTION))


@transaction.atomic
def update_child(user, child: Child, data: dict, reason: str = "") -> Child:
    """Change a child's fields (audited); sensitive fields only for roles allowed them."""
    child = Child.objects.select_for_update().get(pk=child.pk)
    _check_editable(user, child)
    access = policy.Access(user)
    before = snapshot(child)
    for group, fields in policy.CHILD_FIELDS.items():
        if any(f in data and data[f] != getattr(child, f) for f in fields) and not access.sees(child, group):
            raise PermissionDenied(f"Vai trò của bạn không được sửa {policy.GROUP_LABELS[group]} của trẻ em.")
    for k, v in data.items():
        if k not in CHILD_FIELDS:
            raise RegistryError(f"Không sửa được trường “{k}”.", k)
        setattr(child, k, v)
    if "commune" in data:
        _check_editable(user, commune=child.commune)
    if child.status == ChildStatus.MERGED and before["status"] != ChildStatus.MERGED:
        raise RegistryError("Chỉ gộp hồ sơ qua chức năng gộp.", "status")
    validate_child(child)
    child.save()
    _audit(user, "update", child, before, unit=child.commune, reason=reason)
    return child


def _save_related(user, obj, child: Child, group: str | None = None) -> None:
    _check_editable(user, child)
    if group:
        _check_group(user, child, group)
    before = snapshot(obj) if obj.pk else {}
    obj.full_clean(exclude=["child", "circumstance"])
    obj.save()
    _audit(user, "update" if before else "create", obj, before, unit=child.commune)


@transaction.atomic
def save_caregiver(user, caregiver: Caregiver) -> Caregiver:
    """Add or change a caregiver (the personal ID only for roles allowed identities)."""
    child = caregiver.child
    if caregiver.personal_id:
        _check_group(user, child, policy.IDENTITY)
        for issue in validate_personal_id(caregiver.personal_id, birth_year=caregiver.birth_year):
            raise RegistryError(
                issue.message.replace("Số định danh", "Số định danh người chăm sóc"), "personal_id"
            )
    _save_related(user, caregiver, child)
    return caregiver


@transaction.atomic
def save_circumstance(user, circ: SpecialCircumstance) -> SpecialCircumstance:
    """Add or change a special circumstance (roles allowed circumstances only)."""
    if circ.subgroup and not circ.subgroup.startswith(circ.group[0]):
        raise RegistryError("Nhóm nhỏ không thuộc nhóm hoàn cảnh đã chọn.", "subgroup")
    if circ.to_date and circ.to_date < circ.from_date:
        raise RegistryError("Ngày kết thúc trước ngày bắt đầu.", "to_date")
    _save_related(user, circ, circ.child, policy.CIRCUMSTANCES)
    return circ


@transaction.atomic
def save_support(user, support: Support) -> Support:
    """Record support received for a special circumstance."""
    if support.to_date and support.to_date < support.from_date:
        raise RegistryError("Ngày kết thúc trước ngày bắt đầu.", "to_date")
    _save_related(user, support, support.circumstance.child, policy.CIRCUMSTANCES)
    return support


@transaction.atomic
def save_schooling(user, row: Schooling) -> Schooling:
    """Record a child's schooling for a school year."""
    _save_related(user, row, row.child)
    return row


@transaction.atomic
def delete_related(user, obj, reason: str = "") -> None:
    """Delete a caregiver, circumstance, support, schooling, vaccination or measurement (audited)."""
    child = obj.circumstance.child if isinstance(obj, Support) else obj.child
    _check_editable(user, child)
    if isinstance(obj, (SpecialCircumstance, Support)):
        _check_group(user, child, policy.CIRCUMSTANCES)
    before = snapshot(obj)
    record_change(
        user,
        "delete",
        obj,
        masked({k: [v, None] for k, v in before.items()}),
        unit=child.commune,
        reason=reason,
    )
    obj.delete()
    if isinstance(obj, Vaccination):
        refresh_immunisation([child.pk])


# ---------------------------------------------------------------------------------------- immunisation


def full_schedule(schedule: str = "tt10_2024") -> list[tuple[str, int]]:
    """The (antigen, dose) pairs that make a child under 1 fully immunised."""
    return list(
        EpiDose.objects.filter(schedule=schedule, for_full_under1=True).values_list("antigen", "dose")
    )


def refresh_immunisation(child_ids: Iterable[int], schedule: str = "tt10_2024") -> None:
    """Recompute `fully_immunised_on` for children: the last required dose, if all came before age 1."""
    required = set(full_schedule(schedule))
    ids = list(child_ids)
    if not ids:
        return
    doses: dict[int, dict] = {i: {} for i in ids}
    for cid, antigen, dose, date in Vaccination.objects.filter(child_id__in=ids).values_list(
        "child_id", "antigen", "dose", "date"
    ):
        doses[cid][(antigen, dose)] = date
    births = dict(Child.objects.filter(pk__in=ids).values_list("pk", "birth_date"))
    updates = []
    for cid in ids:
        got = doses[cid]
        birth = births.get(cid)
        value = None
        if required and birth and required <= set(got):
            last = max(got[k] for k in required)
            first_birthday = _add_years(birth, 1)
            value = last if last < first_birthday else None
        updates.append(Child(pk=cid, fully_immunised_on=value))
    Child.objects.bulk_update(updates, ["fully_immunised_on"], batch_size=1000)
    versions.bump("records")


def _add_years(d: datetime.date, years: int) -> datetime.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:
        return d.replace(year=d.year + years, day=28)


@transaction.atomic
def record_vaccination(
    user, child: Child, antigen: str, dose: int, date: datetime.date, place: str = ""
) -> Vaccination:
    """Record a dose of the schedule (audited) and refresh the derived full-immunisation date."""
    _check_editable(user, child)
    if not EpiDose.objects.filter(antigen=antigen, dose=dose).exists():
        raise RegistryError(
            f"Vắc xin “{antigen}” mũi {dose} không có trong lịch tiêm chủng mở rộng.", "antigen"
        )
    if child.birth_date and date < child.birth_date:
        raise RegistryError("Ngày tiêm trước ngày sinh.", "date")
    if date > datetime.date.today():
        raise RegistryError("Ngày tiêm ở tương lai.", "date")
    vac = Vaccination.objects.filter(child=child, antigen=antigen, dose=dose).first()
    before = snapshot(vac) if vac else {}
    vac = vac or Vaccination(child=child, antigen=antigen, dose=dose)
    vac.date, vac.place = date, place
    vac.save()
    _audit(user, "update" if before else "create", vac, before, unit=child.commune)
    refresh_immunisation([child.pk])
    return vac


# ---------------------------------------------------------------------------------------- growth

Z_COLUMNS = ("zlen", "zwei", "zwfl", "zbmi")
FLAG_COLUMNS = ("flen", "fwei", "fwfl", "fbmi")
CLASS_COLUMNS = {
    "stunted": "stunting",
    "severely_stunted": "severe_stunting",
    "underweight": "underweight",
    "wasted": "wasting",
    "overweight": "overweight",
    "obese": "obesity",
}


def _nan(v) -> float:
    return np.nan if v is None else float(v)


def compute_growth(
    measurements: list[GrowthMeasurement], births: dict[int, tuple], sexes: dict[int, str]
) -> None:
    """Fill age, WHO z-scores, flags and classes on measurements, vectorised (one NumPy call for all)."""
    n = len(measurements)
    if not n:
        return
    age = np.full(n, np.nan)
    for i, m in enumerate(measurements):
        birth, precision = births.get(m.child_id, (None, None))
        if birth and precision == DatePrecision.DAY and m.measured_on >= birth:
            age[i] = (m.measured_on - birth).days
    sex = np.array([{"m": 1, "f": 2}.get(sexes.get(m.child_id, ""), 0) for m in measurements])
    weight = np.array([_nan(m.weight_kg) for m in measurements])
    lenhei = np.array([_nan(m.lenhei_cm) for m in measurements])
    measure = np.array([m.measure or "" for m in measurements], dtype=object)
    oedema = np.array(["y" if m.oedema else "n" for m in measurements], dtype=object)
    z = anthro.compute_zscores(sex, age, weight, lenhei, measure, oedema, age_unit="days", workers=1)
    classes = anthro.classify(z, oedema=oedema)

    def val(a, i, cast):
        v = a[i]
        return None if v != v else cast(v)

    for i, m in enumerate(measurements):
        m.age_days = None if age[i] != age[i] else int(age[i])
        for c in Z_COLUMNS:
            setattr(m, c, val(z[c], i, float))
        for c in FLAG_COLUMNS:
            setattr(m, c, val(z[c], i, lambda v: bool(v == 1)))
        for col, key in CLASS_COLUMNS.items():
            setattr(m, col, val(classes[key], i, lambda v: bool(v == 1)))


def _growth_inputs(child_ids) -> tuple[dict, dict]:
    rows = Child.objects.filter(pk__in=set(child_ids)).values_list(
        "pk", "birth_date", "birth_date_precision", "sex"
    )
    births, sexes = {}, {}
    for pk, b, p, s in rows:
        births[pk] = (b, p)
        sexes[pk] = s
    return births, sexes


@transaction.atomic
def add_measurement(user, m: GrowthMeasurement) -> GrowthMeasurement:
    """Record a growth measurement with its z-scores (audited)."""
    child = m.child
    _check_editable(user, child)
    if m.measured_on > datetime.date.today():
        raise RegistryError("Ngày cân đo ở tương lai.", "measured_on")
    if child.birth_date and m.measured_on < child.birth_date:
        raise RegistryError("Ngày cân đo trước ngày sinh.", "measured_on")
    if m.weight_kg is None and m.lenhei_cm is None:
        raise RegistryError("Cần ít nhất cân nặng hoặc chiều dài/chiều cao.", "weight_kg")
    if m.weight_kg is not None and not 0.5 <= m.weight_kg <= 150:
        raise RegistryError("Cân nặng phải từ 0,5 đến 150 kg.", "weight_kg")
    if m.lenhei_cm is not None and not 30 <= m.lenhei_cm <= 200:
        raise RegistryError("Chiều dài/chiều cao phải từ 30 đến 200 cm.", "lenhei_cm")
    births, sexes = _growth_inputs([child.pk])
    compute_growth([m], births, sexes)
    before = snapshot(m) if m.pk else {}
    m.save()
    _audit(user, "update" if before else "create", m, before, unit=child.commune)
    return m


def recompute_growth(queryset: QuerySet | None = None, batch: int = 50_000) -> int:
    """Recompute z-scores of stored measurements in batches (after a change of birth date or of the method)."""
    qs = (queryset if queryset is not None else GrowthMeasurement.objects.all()).order_by("pk")
    fields = ["age_days", *Z_COLUMNS, *FLAG_COLUMNS, *CLASS_COLUMNS]
    done, last = 0, 0
    while True:
        chunk = list(qs.filter(pk__gt=last)[:batch])
        if not chunk:
            return done
        births, sexes = _growth_inputs(m.child_id for m in chunk)
        compute_growth(chunk, births, sexes)
        GrowthMeasurement.objects.bulk_update(chunk, fields, batch_size=2000)
        versions.bump("records")
        done += len(chunk)
        last = chunk[-1].pk


# ---------------------------------------------------------------------------------------- EPI schedule


def load_epi_schedule(apps=None) -> int:
    """Create or update the EPI schedule doses from ``data/epi_schedule.csv`` (idempotent)."""
    import csv

    from .codes import DATA_DIR

    model = apps.get_model("registry", "EpiDose") if apps else EpiDose
    n = 0
    with open(DATA_DIR / "epi_schedule.csv", encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            model.objects.update_or_create(
                schedule=r["schedule"],
                antigen=r["antigen"],
                dose=int(r["dose"]),
                defaults={
                    "name_vi": r["name_vi"],
                    "diseases": r["diseases"],
                    "due_age_days": int(r["due_age_days"]),
                    "min_age_days": int(r["min_age_days"]),
                    "for_full_under1": r["for_full_under1"] == "1",
                    "order": int(r["order"]),
                },
            )
            n += 1
    return n
