"""`treem scheduler`: the periodic tasks (protection alerts hourly, reporting reminders daily) run when due,
`--once` runs the due ones and exits, a failing task does not stop the others, one scheduler at a time."""

import io
import json
import logging

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from treem.core.management.commands import scheduler

T0 = 1_780_000_000.0  # a fixed "now"


@pytest.fixture
def state(tmp_path, settings):
    settings.VAR_DIR = tmp_path
    settings.TREEM_SCHEDULE = None
    return tmp_path / "scheduler.json"


@pytest.fixture
def calls(monkeypatch):
    """Count the runs of the two task functions the commands call."""
    import treem.protection.services as protection
    import treem.reporting.management.commands.send_reminders as reminders

    seen = []
    monkeypatch.setattr(protection, "send_due_alerts", lambda: seen.append("alerts") or 0)
    monkeypatch.setattr(
        reminders,
        "send_reminders",
        lambda on: seen.append("reminders") or {"reminders": 0, "notifications": 0, "emails": 0},
    )
    return seen


def once(**kwargs) -> str:
    out = io.StringIO()
    call_command("scheduler", "--once", stdout=out, stderr=io.StringIO(), **kwargs)
    return out.getvalue()


def test_once_runs_the_real_tasks_and_records_when_they_ran(db, state):
    out = once()
    assert "Cảnh báo đã gửi: 0" in out  # treem protection_alerts
    assert "nhắc nhở" in out and "thông báo" in out  # treem send_reminders
    assert "Đã chạy 2 tác vụ đến hạn." in out
    saved = json.loads(state.read_text())
    assert set(saved) == {"protection_alerts", "send_reminders"}
    assert all(entry["ok"] for entry in saved.values())


def test_once_runs_only_what_is_due_at_its_interval(db, state, calls, monkeypatch):
    monkeypatch.setattr(scheduler, "clock", lambda: T0)
    assert "Đã chạy 2 tác vụ" in once()
    assert calls == ["alerts", "reminders"]
    once()  # nothing is due yet
    assert calls == ["alerts", "reminders"]
    monkeypatch.setattr(scheduler, "clock", lambda: T0 + 3600)  # an hour later: the alerts only
    once()
    assert calls == ["alerts", "reminders", "alerts"]
    monkeypatch.setattr(scheduler, "clock", lambda: T0 + 86400)  # a day later: both
    once()
    assert calls == ["alerts", "reminders", "alerts", "alerts", "reminders"]
    listing = io.StringIO()
    call_command("scheduler", "--list", stdout=listing)
    assert (
        "protection_alerts: mỗi 3600 giây" in listing.getvalue()
        and "send_reminders: mỗi 86400 giây" in listing.getvalue()
    )


def test_intervals_come_from_the_setting_and_zero_turns_a_task_off(db, state, calls, settings):
    settings.TREEM_SCHEDULE = {"send_reminders": 0}
    once()
    assert calls == ["alerts"]


def test_a_failing_task_does_not_stop_the_other_and_is_retried_soon(db, state, calls, monkeypatch, caplog):
    import treem.protection.services as protection

    def broken():
        raise RuntimeError("không gửi được thư tới nguyen.thi.a@example.vn")

    monkeypatch.setattr(protection, "send_due_alerts", broken)
    monkeypatch.setattr(scheduler, "clock", lambda: T0)
    with caplog.at_level(logging.ERROR), pytest.raises(CommandError, match="1 tác vụ bị lỗi"):
        once()
    assert calls == ["reminders"]
    saved = json.loads(state.read_text())
    assert saved["protection_alerts"]["ok"] is False and saved["send_reminders"]["ok"] is True
    assert saved["protection_alerts"]["next_at"] == T0 + scheduler.RETRY_AFTER
    assert "protection_alerts" in caplog.text and "RuntimeError" in caplog.text
    assert "example.vn" not in caplog.text


def test_a_second_scheduler_does_not_run_while_one_holds_the_lock(db, state, calls):
    lock = scheduler._Lock(state)
    assert lock.acquire()
    try:
        assert "Một bộ lập lịch khác đang chạy" in once()
        assert calls == []
        with pytest.raises(CommandError):
            call_command("scheduler", stdout=io.StringIO())
    finally:
        lock.release()
    once()
    assert calls == ["alerts", "reminders"]
