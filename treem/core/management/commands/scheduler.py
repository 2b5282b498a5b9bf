"""`treem scheduler`: TreEm's periodic tasks without an extra server.

Runs each task's management command when it is due — the overdue alerts of protection cases every
hour, the reporting reminders every day — and remembers when each ran in a small state file
(``<TREEM_VAR_DIR>/scheduler.json``), so that a restart or a cron run does not repeat a task early.

    treem scheduler            # loop for ever (a systemd service); stops cleanly on SIGTERM / Ctrl+C
    treem scheduler --once     # run the tasks that are due, then exit (from cron, e.g. every 10 minutes)
    treem scheduler --list     # show the tasks, their intervals and when each is next due

Intervals can be changed with the setting ``TREEM_SCHEDULE`` ({"send_reminders": 3600, …}, in seconds;
0 turns a task off). Only one scheduler runs at a time per state file (a file lock); a second one exits.
The tasks are idempotent, so running one twice sends nothing twice. runserver never starts this.
"""

from __future__ import annotations

import datetime
import fcntl
import json
import logging
import signal
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from treem.core.jobs import describe

log = logging.getLogger("treem.scheduler")

HOUR, DAY = 3600, 86400
RETRY_AFTER = 600  # a failed task is tried again after 10 minutes (or its interval, if shorter)
MAX_SLEEP = 60  # the loop wakes at least once a minute


@dataclass(frozen=True)
class Task:
    command: str
    every: int  # seconds
    label: str  # what it does, in Vietnamese


TASKS = (
    Task("protection_alerts", HOUR, "cảnh báo quá hạn hồ sơ bảo vệ trẻ em"),
    Task("send_reminders", DAY, "nhắc nhở nộp báo cáo định kỳ"),
)


def clock() -> float:
    """The current time (seconds since the epoch); tests replace it."""
    return time.time()


def tasks() -> list[Task]:
    """The scheduled tasks with the intervals of setting TREEM_SCHEDULE applied; those set to 0 are off."""
    overrides = getattr(settings, "TREEM_SCHEDULE", None) or {}
    out = []
    for task in TASKS:
        every = int(overrides.get(task.command, task.every))
        if every > 0:
            out.append(Task(task.command, every, task.label))
    return out


def default_state_path() -> Path:
    return Path(getattr(settings, "VAR_DIR", Path.cwd())) / "scheduler.json"


def load_state(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def save_state(path: Path, state: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(path)


def next_due(task: Task, state: dict) -> float:
    """When the task is next due (0: never ran, due now)."""
    return float((state.get(task.command) or {}).get("next_at") or 0)


def _stamp(at: float) -> str:
    return datetime.datetime.fromtimestamp(at).astimezone().isoformat(timespec="seconds")


def run_due(path: Path, out, err) -> tuple[int, int]:
    """Run every task that is due, one after the other; returns (how many ran, how many failed)."""
    state = load_state(path)
    ran = failed = 0
    for task in tasks():
        started = clock()
        if started < next_due(task, state):
            continue
        out.write(f"[{_stamp(started)}] {task.label} (treem {task.command.replace('_', '-')})")
        try:
            call_command(task.command, stdout=out, stderr=err)
        except Exception as exc:  # noqa: BLE001 — one failing task does not stop the others
            failed += 1
            log.error("scheduled task %s failed: %s", task.command, describe(exc))
            err.write(
                f"  Lỗi khi chạy {task.command}: {type(exc).__name__} (chi tiết trong nhật ký máy chủ)."
            )
            ok, wait = False, min(RETRY_AFTER, task.every)
        else:
            ok, wait = True, task.every
        ran += 1
        finished = clock()
        state[task.command] = {
            "last_run": _stamp(started),
            "ok": ok,
            "seconds": round(finished - started, 1),
            "next_at": started + wait,
            "next_run": _stamp(started + wait),
        }
        save_state(path, state)
    return ran, failed


class _Lock:
    """An exclusive, non-blocking lock next to the state file: one scheduler at a time."""

    def __init__(self, state_path: Path):
        self.path = state_path.with_suffix(".lock")
        self.fh = None

    def acquire(self) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.fh = open(self.path, "a")  # held for the life of the scheduler
        try:
            fcntl.flock(self.fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self.fh.close()
            self.fh = None
            return False
        return True

    def release(self) -> None:
        if self.fh is not None:
            fcntl.flock(self.fh, fcntl.LOCK_UN)
            self.fh.close()
            self.fh = None


class Command(BaseCommand):
    help = (
        "Chạy các tác vụ định kỳ (cảnh báo quá hạn hồ sơ bảo vệ trẻ em mỗi giờ, nhắc nhở báo cáo mỗi ngày) "
        "không cần máy chủ riêng. --once: chạy các tác vụ đến hạn rồi thoát (dùng với cron)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="chạy các tác vụ đến hạn một lần rồi thoát")
        parser.add_argument("--list", action="store_true", help="liệt kê các tác vụ và lần chạy tới")
        parser.add_argument("--state", help="tệp ghi lần chạy (mặc định <TREEM_VAR_DIR>/scheduler.json)")

    def handle(self, *args, **options):
        path = Path(options["state"]) if options.get("state") else default_state_path()
        if options["list"]:
            self._list(path)
            return
        lock = _Lock(path)
        if not lock.acquire():
            message = f"Một bộ lập lịch khác đang chạy (khóa {lock.path}); không chạy thêm."
            if options["once"]:
                self.stdout.write(message)
                return
            raise CommandError(message)
        try:
            if options["once"]:
                ran, failed = run_due(path, self.stdout, self.stderr)
                self.stdout.write(f"Đã chạy {ran} tác vụ đến hạn.")
                if failed:
                    raise CommandError(f"{failed} tác vụ bị lỗi; xem nhật ký máy chủ.")
                return
            self._loop(path)
        finally:
            lock.release()

    def _list(self, path: Path) -> None:
        state = load_state(path)
        for task in tasks():
            info = state.get(task.command) or {}
            due = next_due(task, state)
            when = "đến hạn ngay" if due <= clock() else f"lần tới {info.get('next_run', _stamp(due))}"
            last = (
                f"lần trước {info['last_run']} ({'xong' if info.get('ok') else 'lỗi'})"
                if info
                else "chưa chạy"
            )
            self.stdout.write(f"{task.command}: mỗi {task.every} giây — {task.label}; {last}; {when}")

    def _loop(self, path: Path) -> None:
        stop = threading.Event()
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, lambda *_: stop.set())
        self.stdout.write(
            f"Bộ lập lịch TreEm đang chạy ({len(tasks())} tác vụ); dừng bằng SIGTERM hoặc Ctrl+C."
        )
        while not stop.is_set():
            close_old_connections()  # a long-lived process: drop connections the database has closed
            run_due(path, self.stdout, self.stderr)
            state = load_state(path)
            upcoming = [next_due(t, state) for t in tasks()]
            sleep = min(upcoming, default=clock() + MAX_SLEEP) - clock()
            stop.wait(max(1.0, min(sleep, MAX_SLEEP)))
        self.stdout.write("Bộ lập lịch đã dừng.")
