"""The one background-job runner of TreEm: report generation (analytics), reading an uploaded plan
(documents) and checking/applying a registry import (registry) all run through it.

Where a job runs — setting ``TREEM_JOBS`` (or the environment variable of that name):

- ``"thread"`` (default, the embedded set-up): a daemon thread of the web process, started once the
  current transaction commits; no extra server.
- ``"sync"``: at once, in the caller (tests; the legacy setting ``TREEM_SYNC_JOBS = True`` means the same).
- ``"worker"``: jobs kept in a queue table (the analytics ``Job``) are only queued, for a separate
  ``treem run_jobs`` process; jobs without a queue table still run in a thread.

What a job does is a *task*: ``task(report)`` where ``report(percent, message)`` records progress
(0–100: up to 99 while running, 100 when done; the message in Vietnamese). Where the job's state lives (a table row, a file) is a
:class:`Tracker` each app supplies. :func:`run` claims the job, reports progress, and records the result
or the failure — with a Vietnamese message for the user. The log gets the job's label, the exception's
type and where it was raised, never the exception's message (it can carry names, addresses, row data).
"""

from __future__ import annotations

import functools
import logging
import os
import threading
import traceback
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection, transaction

log = logging.getLogger(__name__)

MODES = ("thread", "sync", "worker")
FAILURE = "Có lỗi ngoài dự kiến khi {what}; hãy thử lại hoặc báo quản trị hệ thống."
DONE = "Xong"
MESSAGE_MAX = 300

Report = Callable[..., None]


def mode() -> str:
    """How jobs run here: "thread", "sync" or "worker" (unknown values fall back to "thread")."""
    value = getattr(settings, "TREEM_JOBS", None) or os.environ.get("TREEM_JOBS", "")
    if not value and getattr(settings, "TREEM_SYNC_JOBS", False):
        value = "sync"
    return value if value in MODES else "thread"


def clamp(percent) -> int:
    """A progress figure as an integer between 0 and 100."""
    try:
        return max(0, min(100, int(percent)))
    except (TypeError, ValueError):
        return 0


def describe(exc: BaseException, frames: int = 6) -> str:
    """What failed and where, for logs and administrators — without the exception's message."""
    kind = type(exc)
    name = (
        kind.__qualname__
        if kind.__module__ in ("builtins", None)
        else f"{kind.__module__}.{kind.__qualname__}"
    )
    stack = traceback.extract_tb(exc.__traceback__)[-frames:]
    where = " ← ".join(f"{_short(f.filename)}:{f.lineno} {f.name}" for f in reversed(stack))
    return f"{name} at {where}" if where else name


def _short(path: str) -> str:
    """A source path from the package on (treem/…, django/…), so logs do not show server paths."""
    parts = path.replace("\\", "/").split("/")
    for anchor in ("site-packages", "treem"):
        if anchor in parts:
            i = len(parts) - 1 - parts[::-1].index(anchor)
            return "/".join(parts[i + (anchor == "site-packages") :])
    return parts[-1]


class Tracker:
    """Where a job keeps its state; each app subclasses it for its own store. This base keeps nothing."""

    def claim(self) -> bool:
        """Take the job (e.g. a conditional UPDATE queued → running); False: someone else has it."""
        return True

    def progress(self, percent: int, message: str) -> None:
        """Record progress: 0–99 while running, with a Vietnamese message."""

    def done(self, result: Any) -> None:
        """Record success (progress 100) and the task's result."""

    def failed(self, message: str, exc: BaseException) -> None:
        """Record the failure; ``message`` is Vietnamese and meant for the user."""


def run(
    task: Callable[[Report], Any],
    tracker: Tracker | None = None,
    *,
    label: str,
    what: str = "chạy tác vụ nền",
    failure: str | Callable[[], str] | None = None,
    user_errors: tuple[type[BaseException], ...] = (),
) -> bool:
    """Run one job here and now: claim it, run ``task(report)``, record the result or the failure.

    ``label`` names the job in the log (kind and id — no personal data). An exception of ``user_errors``
    is a refusal whose message is already for the user (Vietnamese); any other exception is recorded
    with ``failure`` (a message, or a function making it; default "Có lỗi ngoài dự kiến khi {what}; …").
    Progress is kept to 0–99 while the task runs; the tracker's ``done`` records 100. Returns False when
    the job was not claimed; never raises what the task raises.
    """
    tracker = tracker or Tracker()
    if not tracker.claim():
        return False

    def report(percent, message: str = "") -> None:
        tracker.progress(min(clamp(percent), 99), str(message)[:MESSAGE_MAX])

    try:
        result = task(report)
    except user_errors as exc:
        log.info("job %s refused: %s", label, type(exc).__name__)
        tracker.failed(user_message(exc)[: MESSAGE_MAX * 4], exc)
    except Exception as exc:  # noqa: BLE001 — a failed job records its failure for the user
        log.error("job %s failed: %s", label, describe(exc))
        message = failure() if callable(failure) else failure
        tracker.failed(message or FAILURE.format(what=what), exc)
    else:
        tracker.done(result)
    return True


def user_message(exc: BaseException) -> str:
    """The Vietnamese message a refusal carries (its ``message`` attribute, else its text)."""
    return str(getattr(exc, "message", "") or exc)


def background(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Make ``fn`` the body of a job thread: its own database connection, closed at the end; an
    exception escaping ``fn`` is logged (type and place only). ``entry.inline`` is ``fn`` itself,
    which :func:`submit` calls in sync mode."""

    @functools.wraps(fn)
    def entry(*args, **kwargs):
        close_old_connections()
        try:
            return fn(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 — nothing may escape a daemon thread unlogged
            log.error("background job %s failed: %s", getattr(fn, "__qualname__", fn), describe(exc))
            return None
        finally:
            connection.close()

    entry.inline = fn
    return entry


def submit(entry: Callable[..., Any], *args, name: str = "treem-job", queued: bool = False) -> bool:
    """Start a job made with :func:`background`: in sync mode run it now (returns True); otherwise start
    a daemon thread once the current transaction commits. ``queued``: the job waits in a queue table, so
    in worker mode nothing is started here (a ``treem run_jobs`` process picks it up)."""
    current = mode()
    if current == "sync":
        getattr(entry, "inline", entry)(*args)
        return True
    if current == "worker" and queued:
        return False
    transaction.on_commit(lambda: threading.Thread(target=entry, args=args, daemon=True, name=name).start())
    return False
