"""Background steps of the registry — checking and applying an import — on the core job runner
(`treem.core.jobs`): a thread of the web process, inline in tests (``TREEM_JOBS=sync``).

The steps write their own progress (phase, rows done, rows in all) to a file, readable while the
apply transaction is open; a refusal or failure is recorded on the batch with a Vietnamese message.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from treem.core import jobs

from . import imports
from .models import ImportBatch

USER_ERRORS = (
    imports.ImportFileError,
    imports.ImportRefused,
    PermissionDenied,
)  # their messages are Vietnamese
CHECK_FAILED = "Kiểm tra không thành công; hãy thử lại hoặc báo quản trị."
APPLY_FAILED = "Ghi vào sổ không thành công; không có dữ liệu nào được ghi. Hãy thử lại hoặc báo quản trị."


class BatchRow(jobs.Tracker):
    """A step's failure on its ImportBatch row (status FAILED and the message)."""

    def __init__(self, batch_pk: int):
        self.rows = ImportBatch.objects.filter(pk=batch_pk)

    def failed(self, message: str, exc: BaseException) -> None:
        if isinstance(exc, USER_ERRORS):
            self.rows.update(status=ImportBatch.Status.FAILED, message=message)
        else:  # keep the message the step recorded itself (apply: "nothing was written")
            self.rows.exclude(status=ImportBatch.Status.FAILED).update(
                status=ImportBatch.Status.FAILED, message=message
            )


def _step(action: str, user, batch: ImportBatch) -> None:
    step, failure = (imports.check, CHECK_FAILED) if action == "check" else (imports.apply, APPLY_FAILED)
    jobs.run(
        lambda report: step(user, batch),
        BatchRow(batch.pk),
        label=f"registry.import.{action} #{batch.pk}",
        failure=failure,
        user_errors=USER_ERRORS,
    )


_thread_main = jobs.background(_step)


def start_check(user, batch: ImportBatch) -> None:
    """Clean every row and store the report, in the background."""
    jobs.submit(_thread_main, "check", user, batch, name=f"registry-check-{batch.pk}")


def start_apply(user, batch: ImportBatch) -> None:
    """Write the clean rows into the registry, in the background."""
    jobs.submit(_thread_main, "apply", user, batch, name=f"registry-apply-{batch.pk}")
