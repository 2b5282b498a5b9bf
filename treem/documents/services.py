"""Plan imports: who may see them, reading an upload in the background with progress, and turning the
reviewed extraction into a plan (created or updated through `store_plan`, audited)."""

from __future__ import annotations

import datetime
from datetime import timedelta
from difflib import SequenceMatcher

from django.conf import settings
from django.db import transaction
from django.db.models import ProtectedError, Q
from django.utils import timezone

from treem.accounts.models import EDITOR_ROLES
from treem.accounts.scoping import active_memberships, editable_units, is_system_admin
from treem.core import jobs
from treem.core.audit import record_change
from treem.core.text import fold
from treem.geo.models import AdministrativeUnit, Level
from treem.plans.models import PlanDocument, PlanStatus
from treem.plans.services import PlanError, store_plan

from . import readers
from .errors import DocumentError, error
from .extract import import_document
from .models import ImportStatus, PlanImport
from .review import prepare

STALL_AFTER = timedelta(minutes=15)
INTERNAL_ERROR = "Có lỗi ngoài dự kiến khi đọc tệp “{name}”; hãy thử lại hoặc báo quản trị hệ thống."
STALLED = "Việc đọc tệp “{name}” bị gián đoạn (máy chủ khởi động lại?); hãy tải lên lại."


def max_upload_bytes() -> int:
    """The largest file accepted (setting TREEM_IMPORT_MAX_BYTES, default the readers' limit)."""
    return int(getattr(settings, "TREEM_IMPORT_MAX_BYTES", readers.MAX_BYTES))


def imports_for_user(user):
    """Imports of the units the user may edit (their own units and everything below)."""
    qs = PlanImport.objects.all()
    if is_system_admin(user):
        return qs
    return qs.filter(unit__in=editable_units(user).values("id"))


def can_import(user) -> bool:
    """Whether the user may upload plans for at least one unit."""
    return editable_units(user).exists()


def unit_choices(user) -> list[AdministrativeUnit]:
    """Issuing units offered on upload: the user's editor units and those directly under them (admins: provinces)."""
    if is_system_admin(user) and not active_memberships(user).exists():
        return list(
            AdministrativeUnit.objects.filter(level__lte=Level.PROVINCE)
            .select_related("parent")
            .order_by("level", "generation", "name")
        )
    roots = [
        m.unit
        for m in active_memberships(user)
        .filter(role__in=list(EDITOR_ROLES))
        .select_related("unit", "unit__parent")
    ]
    out, seen = [], set()
    for root in roots:
        for u in [
            root,
            *root.children.filter(level__lte=Level.COMMUNE).select_related("parent").order_by("name"),
        ]:
            if u.pk not in seen:
                seen.add(u.pk)
                out.append(u)
    return out


def default_unit(user) -> AdministrativeUnit | None:
    """The unit of the user's first editor membership."""
    m = (
        active_memberships(user)
        .filter(role__in=list(EDITOR_ROLES))
        .select_related("unit")
        .order_by("pk")
        .first()
    )
    return m.unit if m else None


# ---------------------------------------------------------------- reading


def start_import(user, upload, unit: AdministrativeUnit) -> PlanImport:
    """Record an upload and start reading it; a file over the size limit is recorded as failed, unsaved."""
    name = upload.name.rsplit("/", 1)[-1][:250]
    imp = PlanImport(original_name=name, size=upload.size or 0, unit=unit, uploaded_by=user)
    limit = max_upload_bytes()
    if (upload.size or 0) > limit:
        exc = error("too_large", name=name, size=readers._mb(upload.size), limit=readers._mb(limit))
        imp.status, imp.error_code, imp.error_message = ImportStatus.FAILED, exc.code, exc.message
        imp.save()
        return imp
    imp.file.save(name, upload, save=False)
    imp.progress_message = "Đang chờ đọc tệp"
    imp.save()
    launch(imp.pk)
    return imp


def launch(pk: int) -> None:
    """Read an import on the core job runner: inline (sync mode), else in a thread once the upload is committed."""
    jobs.submit(_thread_main, pk, name=f"import-{pk}")


def _set(pk: int, **fields) -> None:
    PlanImport.objects.filter(pk=pk).update(updated_at=timezone.now(), **fields)


class ImportRow(jobs.Tracker):
    """A reading's state in its PlanImport row (status, progress, message, pages; on failure the error)."""

    def __init__(self, pk: int):
        self.pk, self.pages, self.imp = pk, None, None

    def claim(self) -> bool:
        claimed = PlanImport.objects.filter(pk=self.pk, status=ImportStatus.QUEUED).update(
            status=ImportStatus.READING,
            progress=2,
            progress_message="Đang đọc và phân tích văn bản",
            updated_at=timezone.now(),
        )
        if claimed:
            self.imp = PlanImport.objects.get(pk=self.pk)
        return bool(claimed)

    def progress(self, percent: int, message: str) -> None:
        pages = {"pages": self.pages} if self.pages else {}
        _set(self.pk, progress=percent, progress_message=message, **pages)

    def done(self, result) -> None:
        _set(
            self.pk,
            status=ImportStatus.READY,
            progress=100,
            progress_message=jobs.DONE,
            text=result.text,
            extraction=result.plan,
            warnings=result.warnings,
            kind=result.read.kind if result.read else "",
            pages=(result.read.pages if result.read and result.read.pages else None),
        )

    def failed(self, message: str, exc: BaseException) -> None:
        code = exc.code if isinstance(exc, DocumentError) else "internal"
        _fail(self.imp, code, message)


def run_import(pk: int) -> None:
    """Read, clean and extract one import, reporting progress; a bad document fails with its message."""
    row = ImportRow(pk)
    last = {"pct": 2}

    def read(report) -> object:
        def progress(done: int, total: int) -> None:
            pct = 5 + int(80 * done / max(total, 1))
            if pct != last["pct"] or done == total:
                last["pct"] = pct
                row.pages = total
                message = (
                    f"Đang đọc trang {done}/{total}"
                    if done < total
                    else f"Đã đọc {total} trang; đang phân tích nội dung"
                )
                report(min(pct, 85), message)

        with row.imp.file.open("rb") as fh:
            data = fh.read()
        return import_document(data, filename=row.imp.original_name, progress=progress, require_targets=True)

    jobs.run(
        read,
        row,
        label=f"documents.import #{pk}",
        user_errors=(DocumentError,),
        failure=lambda: INTERNAL_ERROR.format(name=row.imp.original_name),
    )


_thread_main = jobs.background(run_import)


def _fail(imp: PlanImport, code: str, message: str) -> None:
    """Record the failure and its message; keep nothing of the document."""
    if imp.file:
        imp.file.delete(save=False)
    _set(
        imp.pk,
        status=ImportStatus.FAILED,
        error_code=code,
        error_message=message,
        progress=0,
        progress_message="",
        file="",
        text="",
        extraction=None,
    )


def check_stalled(imp: PlanImport) -> PlanImport:
    """An import left reading for too long (the process died) is failed so the user can upload again."""
    if imp.is_running and imp.updated_at and timezone.now() - imp.updated_at > STALL_AFTER:
        _fail(imp, "stalled", STALLED.format(name=imp.original_name))
        imp.refresh_from_db()
    return imp


# ---------------------------------------------------------------- review and confirmation


def review_data(imp: PlanImport) -> dict:
    """What the review screen starts from: the saved review, else the extraction prepared for editing."""
    return imp.reviewed or prepare(imp.extraction or {}, imp.unit)


def save_review(imp: PlanImport, data: dict) -> None:
    """Keep the official's edits without creating the plan."""
    imp.reviewed = data
    imp.save(update_fields=["reviewed", "updated_at"])


def find_existing_plan(imp: PlanImport, data: dict) -> PlanDocument | None:
    """The plan this document already is in TreEm: this import's, same number (and date) in the unit, a stub, or same title."""
    if imp.plan_id and PlanDocument.objects.filter(pk=imp.plan_id).exists():
        return imp.plan
    doc = data.get("document") or {}
    number, date = (doc.get("number") or "").strip(), _valid_date(doc.get("date"))
    date_q = Q(issued_on=date) | Q(issued_on__isnull=True) if date else Q()
    if number:
        same = PlanDocument.objects.filter(date_q, number=number)
        return (
            same.filter(issuing_unit=imp.unit).exclude(status=PlanStatus.REFERENCE).order_by("pk").first()
            or same.filter(status=PlanStatus.REFERENCE).order_by("pk").first()
        )
    title = fold(doc.get("title") or "")
    if not title:
        return None
    for plan in PlanDocument.objects.filter(date_q, issuing_unit=imp.unit, number="").exclude(
        status=PlanStatus.REFERENCE
    ):
        if SequenceMatcher(None, fold(plan.title), title).ratio() >= 0.9:
            return plan
    return None


def parents_in_treem(data: dict) -> list[tuple[dict, PlanDocument | None]]:
    """Each document the plan implements, with the document in TreEm it will be linked to (None: a stub is made)."""
    from treem.plans.services import resolve_reference

    out = []
    for ref in (data.get("document") or {}).get("implements") or []:
        found = resolve_reference(ref["number"], _valid_date(ref.get("date"))) if ref.get("number") else None
        out.append((ref, found))
    return out


def _valid_date(value) -> datetime.date | None:
    """An ISO date string as a date; None when empty or not a date (an edit not yet corrected)."""
    try:
        return datetime.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


class ConfirmError(ValueError):
    """The plan could not be stored; the message is Vietnamese."""


@transaction.atomic
def confirm_import(imp: PlanImport, data: dict, user) -> PlanDocument:
    """Create or update the plan from the reviewed data, link the import to it, and audit the change."""
    existing = find_existing_plan(imp, data)
    try:
        with transaction.atomic():
            plan = store_plan(
                data,
                key=existing.key if existing else None,
                full_text=imp.text,
                status=PlanStatus.ACTIVE,
                source_name=imp.original_name,
                unit=imp.unit,
                replace=existing,
            )
    except (PlanError, ProtectedError) as exc:
        message = (
            str(exc)
            if isinstance(exc, PlanError)
            else "Kế hoạch đang được dùng ở nơi khác, không cập nhật được."
        )
        raise ConfirmError(message) from exc
    created = existing is None
    imp.plan, imp.reviewed, imp.status = plan, data, ImportStatus.CONFIRMED
    imp.confirmed_by, imp.confirmed_at = user, timezone.now()
    imp.save()
    record_change(
        user,
        "create" if created else "update",
        plan,
        unit=imp.unit,
        changes={
            "import": imp.pk,
            "source": imp.original_name,
            "targets": len(data.get("targets") or []),
            "components": sum(len(t.get("components") or []) for t in data.get("targets") or []),
            "corrections": corrections(imp.extraction or {}, data),
        },
        reason=f"Nhập từ văn bản “{imp.original_name}”, đã rà soát và xác nhận.",
    )
    return plan


def corrections(extracted: dict, reviewed: dict) -> list[str]:
    """Which parts the official changed: "document.title", "targets[3].components[0].value", "+targets[19]" …"""
    out: list[str] = []
    before_doc, after_doc = extracted.get("document") or {}, reviewed.get("document") or {}
    for key in ("type", "number", "date", "issuer", "title", "signer", "place"):
        if (before_doc.get(key) or None) != (after_doc.get(key) or None):
            out.append(f"document.{key}")
    before_t, after_t = extracted.get("targets") or [], reviewed.get("targets") or []
    fields = ("indicator", "indicator_code", "comparator", "value", "unit", "year", "qualifier")
    for i, t in enumerate(after_t):
        if i >= len(before_t):
            out.append(f"+targets[{i}]")
            continue
        b = before_t[i]
        for key in ("number", "text"):
            if (b.get(key) or None) != (t.get(key) or None):
                out.append(f"targets[{i}].{key}")
        bc, ac = b.get("components") or [], t.get("components") or []
        for j, c in enumerate(ac):
            if j >= len(bc):
                out.append(f"+targets[{i}].components[{j}]")
                continue
            for key in fields:
                if _norm(bc[j].get(key)) != _norm(c.get(key)):
                    out.append(f"targets[{i}].components[{j}].{key}")
        if len(bc) > len(ac):
            out.append(f"-targets[{i}].components[{len(ac)}:]")
    if len(before_t) > len(after_t):
        out.append(f"-targets[{len(after_t)}:]")
    for kind in ("assignments", "reporting", "tasks"):
        if len(extracted.get(kind) or []) != len(reviewed.get(kind) or []):
            out.append(f"{kind} ({len(extracted.get(kind) or [])} → {len(reviewed.get(kind) or [])})")
    return out[:200]


def _norm(value):
    """Compare 5 and 5.0 and "" and None alike."""
    if value in ("", None):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    return value


def indicator_codes() -> set[str]:
    """Codes of the indicator catalogue."""
    from treem.indicators.models import Indicator

    return set(Indicator.objects.values_list("code", flat=True))


def review_context(imp: PlanImport, data: dict, errors=None) -> dict:
    """Everything the review screen shows: the highlighted text, the form rows, the catalogue, what exists."""
    from treem.accounts.models import Agency
    from treem.indicators.models import Indicator

    from .review import CHOICES, DOC_TYPES, blank_rows, form_rows, highlight, spans_of

    parents = parents_in_treem(data)
    rows = form_rows(data, errors, parents)
    low = sum(r.low for r in rows["targets"]) + sum(c.low for r in rows["targets"] for c in r.children)
    low += sum(r.low for kind in ("assignments", "reporting", "tasks") for r in rows[kind]) + len(
        rows["meta_low"]
    )
    catalogue: dict[str, list] = {}
    for ind in Indicator.objects.order_by("sector", "name_vi"):
        catalogue.setdefault(ind.get_sector_display(), []).append(ind)
    return {
        "imp": imp,
        "source": highlight(imp.text, spans_of(data)),
        "rows": rows,
        "blank": blank_rows(),
        "errors": errors or {},
        "error_summary": getattr(errors, "summary", []),
        "low_count": low,
        "catalogue": catalogue,
        "indicator_names": dict(Indicator.objects.values_list("code", "name_vi")),
        "agencies": Agency.objects.filter(unit=imp.unit, active=True)
        .order_by("name")
        .values_list("name", flat=True),
        "existing": find_existing_plan(imp, data),
        "warnings": imp.warnings or [],
        "choices": {**CHOICES, "doc_type": [(t, t) for t in DOC_TYPES]},
    }
