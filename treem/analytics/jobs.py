"""Background jobs in a database table: the embedded default runs each job in a thread of the web
process (no extra server); `treem run_jobs` runs them in a separate worker; tests run them inline.

Mode (setting TREEM_JOBS or environment variable TREEM_JOBS): "thread" (default), "worker" (only
queue; a `treem run_jobs` process picks jobs up), "sync" (run at once in the caller).
A job claims itself with a conditional UPDATE (queued → running), so two workers never run it twice.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import traceback
from collections.abc import Callable

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

from .models import Job, JobStatus

log = logging.getLogger(__name__)
Handler = Callable[[Job, Callable[[int, str], None]], dict]
HANDLERS: dict[str, Handler] = {}


def register(kind: str):
    """Decorator: register the function that runs jobs of a kind (it returns the job's result dict)."""

    def wrap(fn: Handler) -> Handler:
        HANDLERS[kind] = fn
        return fn

    return wrap


def mode() -> str:
    """How jobs run here: thread, worker or sync."""
    return getattr(settings, "TREEM_JOBS", None) or os.environ.get("TREEM_JOBS", "thread")


def enqueue(kind: str, params: dict, user=None) -> Job:
    """Queue a job and start it according to the mode."""
    if kind not in HANDLERS:
        _load_handlers()
    job = Job.objects.create(kind=kind, params=params, created_by=user if getattr(user, "pk", None) else None)
    m = mode()
    if m == "sync":
        run_job(job.pk)
        job.refresh_from_db()
    elif m == "thread":
        from django.db import transaction

        transaction.on_commit(lambda: threading.Thread(target=_thread_main, args=(job.pk,), daemon=True).start())
    return job


def _thread_main(job_id: int) -> None:
    try:
        run_job(job_id)
    finally:
        connection.close()


def _load_handlers() -> None:
    from . import reports  # noqa: F401  (registers its handlers)


def run_job(job_id: int) -> bool:
    """Claim and run one queued job; False when another worker already has it."""
    _load_handlers()
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=timezone.now(), worker=f"{socket.gethostname()}:{os.getpid()}", progress=1
    )
    if not claimed:
        return False
    job = Job.objects.get(pk=job_id)

    def progress(pct: int, message: str = "") -> None:
        Job.objects.filter(pk=job_id).update(progress=max(1, min(99, int(pct))), message=message[:300])

    try:
        result = HANDLERS[job.kind](job, progress)
        Job.objects.filter(pk=job_id).update(status=JobStatus.DONE, progress=100, result=result or {},
                                             message="Xong", finished_at=timezone.now())
    except Exception as exc:  # noqa: BLE001 — a failed job records its error for the user
        log.exception("job %s failed", job_id)
        Job.objects.filter(pk=job_id).update(status=JobStatus.FAILED, error=f"{exc}\n{traceback.format_exc()[-2000:]}",
                                             message=str(exc)[:300], finished_at=timezone.now())
    return True


def run_pending(limit: int | None = None) -> int:
    """Run queued jobs, oldest first; returns how many ran."""
    done = 0
    for job_id in Job.objects.filter(status=JobStatus.QUEUED).order_by("created_at").values_list("pk", flat=True):
        if limit is not None and done >= limit:
            break
        done += run_job(job_id)
    return done


def work_forever(poll_seconds: float = 2.0, stop: threading.Event | None = None) -> None:
    """The `run_jobs` worker loop."""
    while stop is None or not stop.is_set():
        close_old_connections()
        if not run_pending(limit=1):
            time.sleep(poll_seconds)
