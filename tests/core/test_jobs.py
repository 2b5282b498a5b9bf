"""The one background-job runner (treem/core/jobs.py): where jobs run, progress 0–100, failures recorded
with a Vietnamese message, and nothing personal in the log."""

import logging
import threading

import pytest

from treem.core import jobs

PERSONAL = "Nguyễn Thị Bé Na, sinh 03/04/2019, 0912 345 678"


class Recorder(jobs.Tracker):
    def __init__(self, claim=True):
        self.claimed, self.steps, self.result, self.failure = claim, [], None, None

    def claim(self):
        return self.claimed

    def progress(self, percent, message):
        self.steps.append((percent, message))

    def done(self, result):
        self.result = result

    def failed(self, message, exc):
        self.failure = (message, type(exc))


class Refusal(ValueError):
    """A refusal whose message is for the user."""


@pytest.fixture
def no_mode(settings, monkeypatch):
    settings.TREEM_JOBS = None
    settings.TREEM_SYNC_JOBS = False
    monkeypatch.delenv("TREEM_JOBS", raising=False)
    return settings


def test_the_mode_comes_from_the_setting_or_the_environment(no_mode, monkeypatch):
    assert jobs.mode() == "thread"  # the embedded default: no extra server
    monkeypatch.setenv("TREEM_JOBS", "worker")
    assert jobs.mode() == "worker"
    no_mode.TREEM_JOBS = "sync"
    assert jobs.mode() == "sync"  # the setting wins
    no_mode.TREEM_JOBS = "nonsense"
    assert jobs.mode() == "thread"
    no_mode.TREEM_JOBS = None
    monkeypatch.delenv("TREEM_JOBS")
    no_mode.TREEM_SYNC_JOBS = True  # the registry's older test setting
    assert jobs.mode() == "sync"


def test_progress_is_kept_between_0_and_99_until_done():
    tracker = Recorder()

    def task(report):
        report(-5, "Bắt đầu")
        report(42.7, "Đang tính")
        report(250, "Gần xong")
        report("?", "x" * 1000)
        return {"rows": 3}

    assert jobs.run(task, tracker, label="test #1") is True
    assert [p for p, _ in tracker.steps] == [0, 42, 99, 0]
    assert tracker.steps[1][1] == "Đang tính" and len(tracker.steps[3][1]) == jobs.MESSAGE_MAX
    assert tracker.result == {"rows": 3} and tracker.failure is None


def test_a_failure_is_recorded_in_vietnamese_and_logged_without_personal_data(caplog):
    tracker = Recorder()

    def task(report):
        raise RuntimeError(f"duplicate key: {PERSONAL}")

    with caplog.at_level(logging.INFO, logger="treem.core.jobs"):
        assert jobs.run(task, tracker, label="registry.import.apply #7", what="ghi danh sách vào sổ") is True
    message, kind = tracker.failure
    assert kind is RuntimeError and tracker.result is None
    assert message == "Có lỗi ngoài dự kiến khi ghi danh sách vào sổ; hãy thử lại hoặc báo quản trị hệ thống."
    logged = caplog.text
    assert "registry.import.apply #7" in logged and "RuntimeError" in logged and "test_jobs.py" in logged
    for part in ("Nguyễn", "Bé Na", "03/04/2019", "0912", "duplicate key"):
        assert part not in logged
    try:
        raise RuntimeError(PERSONAL)
    except RuntimeError as exc:
        described = jobs.describe(exc)
    assert (
        described.startswith("RuntimeError at ") and "Nguyễn" not in described and "/work/" not in described
    )


def test_a_refusal_keeps_its_own_message_and_a_custom_failure_message_is_used():
    refused, broken = Recorder(), Recorder()
    jobs.run(
        lambda r: (_ for _ in ()).throw(Refusal("Tệp trống.")), refused, label="t", user_errors=(Refusal,)
    )
    assert refused.failure == ("Tệp trống.", Refusal)
    jobs.run(lambda r: 1 / 0, broken, label="t", failure=lambda: "Đọc tệp “a.pdf” không được.")
    assert broken.failure == ("Đọc tệp “a.pdf” không được.", ZeroDivisionError)


def test_a_job_someone_else_claimed_does_not_run():
    ran = []
    assert jobs.run(lambda r: ran.append(1), Recorder(claim=False), label="t") is False
    assert ran == []


def test_sync_mode_runs_the_job_in_the_caller(no_mode):
    no_mode.TREEM_JOBS = "sync"
    seen = []
    entry = jobs.background(lambda x: seen.append((x, threading.current_thread())))
    assert jobs.submit(entry, 5) is True
    assert seen == [(5, threading.current_thread())]


def test_thread_mode_starts_a_thread_once_the_transaction_commits(
    no_mode, db, django_capture_on_commit_callbacks
):
    seen, finished = [], threading.Event()

    def work(x):
        seen.append((x, threading.current_thread().name))
        finished.set()

    entry = jobs.background(work)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert jobs.submit(entry, 9, name="treem-test-job") is False
    assert seen == [] and len(callbacks) == 1  # nothing runs before the commit
    callbacks[0]()
    assert finished.wait(10)
    assert seen == [(9, "treem-test-job")]


def test_worker_mode_leaves_queued_jobs_to_the_worker(no_mode, db, django_capture_on_commit_callbacks):
    no_mode.TREEM_JOBS = "worker"
    entry = jobs.background(lambda: None)
    with django_capture_on_commit_callbacks() as callbacks:
        assert jobs.submit(entry, queued=True) is False
    assert callbacks == []
    with django_capture_on_commit_callbacks() as callbacks:
        jobs.submit(entry)  # a job without a queue table still runs in a thread
    assert len(callbacks) == 1


def test_an_exception_escaping_a_job_thread_is_logged_without_its_message(db, caplog):
    def boom():
        raise KeyError(PERSONAL)

    with caplog.at_level(logging.ERROR, logger="treem.core.jobs"):
        thread = threading.Thread(target=jobs.background(boom))
        thread.start()
        thread.join(10)
    assert "KeyError" in caplog.text and "Nguyễn" not in caplog.text


def test_the_report_job_of_analytics_records_its_failure_in_vietnamese(db, settings, caplog):
    from treem.analytics import jobs as analytics_jobs
    from treem.analytics.models import JobStatus

    settings.TREEM_JOBS = "sync"
    job = analytics_jobs.enqueue("consolidated_report", {"report_id": 999_999})
    assert job.status == JobStatus.FAILED
    assert (
        job.message
        == "Có lỗi ngoài dự kiến khi tạo báo cáo tổng hợp; hãy thử lại hoặc báo quản trị hệ thống."
    )
    assert "DoesNotExist" in job.error and "999999" not in job.error
    assert f"analytics.consolidated_report #{job.pk}" in caplog.text


def test_the_registry_import_steps_record_refusals_and_failures_on_the_batch(
    db, settings, tmp_path, make_user, caplog, monkeypatch
):
    from pathlib import Path

    from tests.conftest import unit
    from treem.accounts.models import Role
    from treem.geo.models import Generation, Level
    from treem.registry import imports
    from treem.registry import jobs as registry_jobs
    from treem.registry.models import ImportBatch

    settings.TREEM_JOBS = "sync"
    settings.MEDIA_ROOT = tmp_path / "media"
    commune = unit("06253", Level.COMMUNE, Generation.Y2025)  # Xã Văn Quan
    officer = make_user(commune, Role.COMMUNE_OFFICER)
    messy = (Path(__file__).parents[1] / "registry" / "data" / "messy_commune_list.xlsx").read_bytes()
    batch = imports.upload(officer, commune, "danh sach xa.xlsx", messy)
    imports.set_mapping(officer, batch, batch.mapping)

    registry_jobs.start_check(officer, batch)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.CHECKED and batch.counts["rows_with_errors"] > 0

    registry_jobs.start_apply(officer, batch)  # refused: rows with errors, not skipped
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED and batch.message.startswith("Danh sách còn")

    def broken(*args, **kwargs):
        raise RuntimeError(PERSONAL)

    ImportBatch.objects.filter(pk=batch.pk).update(skip_errors=True)
    batch.refresh_from_db()
    monkeypatch.setattr(imports, "record_change", broken)  # fails inside the apply transaction
    with caplog.at_level(logging.INFO, logger="treem.core.jobs"):
        registry_jobs.start_apply(officer, batch)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED
    assert batch.message.startswith("Ghi vào sổ không thành công; không có dữ liệu nào được ghi.")
    assert f"registry.import.apply #{batch.pk}" in caplog.text and "Nguyễn" not in caplog.text
