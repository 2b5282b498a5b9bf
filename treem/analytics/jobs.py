"""Queued background jobs of the monitoring app (consolidated reports) in the ``Job`` table, run by the
core job runner (`treem.core.jobs`): a thread of the web process by default, inline with
``TREEM_JOBS=sync``, or — with ``TREEM_JOBS=worker`` — by a separate ``treem run_jobs`` process.
A job claims itself with a conditional UPDATE (queued → running), so two workers never run it twice.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable

from django.db import close_old_connections
from django.utils import timezone

from treem.core import jobs

from .models import Job, JobStatus

Handler = Callable[[Job, Callable[[int, str], None]], dict]
HANDLERS: dict[str, Handler] = {}
WHAT = {"consolidated_report": "tạo báo cáo tổng hợp"}


def register(kind: str):
    """Decorator: register the function that runs jobs of a kind (it returns the job's result dict)."""

    def wrap(fn: Handler) -> Handler:
        HANDLERS[kind] = fn
        return fn

    return wrap


def enqueue(kind: str, params: dict, user=None) -> Job:
    """Queue a job and start it according to the mode."""
    if kind not in HANDLERS:
        _load_handlers()
    job = Job.objects.create(kind=kind, params=params, created_by=user if getattr(user, "pk", None) else None)
    if jobs.submit(_thread_main, job.pk, name=f"job-{job.pk}", queued=True):
        job.refresh_from_db()
    return job


def _load_handlers() -> None:
    from . import reports  # noqa: F401  (registers its handlers)


class JobRow(jobs.Tracker):
    """A job's state in its ``Job`` row."""

    def __init__(self, job_id: int):
        self.rows = Job.objects.filter(pk=job_id)

    def claim(self) -> bool:
        return bool(
            self.rows.filter(status=JobStatus.QUEUED).update(
                status=JobStatus.RUNNING,
                started_at=timezone.now(),
                worker=f"{socket.gethostname()}:{os.getpid()}",
                progress=1,
                message="Đang bắt đầu",
            )
        )

    def progress(self, percent: int, message: str) -> None:
        self.rows.update(progress=max(1, percent), message=message)

    def done(self, result) -> None:
        self.rows.update(
            status=JobStatus.DONE,
            progress=100,
            result=result or {},
            message=jobs.DONE,
            finished_at=timezone.now(),
        )

    def failed(self, message: str, exc: BaseException) -> None:
        self.rows.update(
            status=JobStatus.FAILED,
            message=message[:300],
            error=jobs.describe(exc),
            finished_at=timezone.now(),
        )


def run_job(job_id: int) -> bool:
    """Claim and run one queued job; False when another worker already has it."""
    _load_handlers()
    kind = Job.objects.filter(pk=job_id).values_list("kind", flat=True).first()
    if kind is None:
        return False

    def task(report):
        return HANDLERS[kind](Job.objects.get(pk=job_id), report)

    return jobs.run(
        task, JobRow(job_id), label=f"analytics.{kind} #{job_id}", what=WHAT.get(kind, "chạy tác vụ nền")
    )


_thread_main = jobs.background(run_job)


def run_pending(limit: int | None = None) -> int:
    """Run queued jobs, oldest first; returns how many ran."""
    done = 0
    for job_id in (
        Job.objects.filter(status=JobStatus.QUEUED).order_by("created_at").values_list("pk", flat=True)
    ):
        if limit is not None and done >= limit:
            break
        done += run_job(job_id)
    return done


def work_forever(poll_seconds: float = 2.0, stop: threading.Event | None = None) -> None:
    """The `run_jobs` worker loop."""
    stop = stop or threading.Event()
    while not stop.is_set():
        close_old_connections()
        if not run_pending(limit=1):
            stop.wait(poll_seconds)
