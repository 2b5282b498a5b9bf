"""Browser walk (Playwright + Debian chromium): the district manager logs in, opens the Văn Quan plan dashboard,
one target, the commune ranking, and downloads the DOCX consolidated report made by a background thread.

Runs a real server (`treem runserver`) on its own SQLite file after `treem setup_treem`, so it uses the demo
account vanquan.quanly / TreEm@2026 exactly as `make run` does.
"""

import io
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import login

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
POPULATE = """
import datetime, django
django.setup()
from treem.plans.models import PlanDocument
from treem.reporting.models import DataValue
from treem.reporting.rounds import generate_rounds
from tests.analytics.conftest import old_communes, put_values, successor_communes
plan = PlanDocument.objects.get(key="seed-003")
if not DataValue.objects.filter(period__code="2024", unit__in=old_communes(plan)).exists():
    generate_rounds(plan, until=datetime.date(2026, 1, 31))
    put_values(plan, old_communes(plan), ["2023", "2024S1", "2024", "2025S1"], drift=-0.02)
    put_values(plan, successor_communes(plan), ["2025"], seed=9)
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(chromium, tmp_path_factory):
    """A real `treem runserver` on its own SQLite file, set up as `make run` does (after the browser
    fixture, so that the tests skip before this set-up when Chromium is missing)."""
    var = tmp_path_factory.mktemp("treem-var")
    env = {
        **os.environ,
        "TREEM_VAR_DIR": str(var),
        "DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": os.environ.get("TREEM_SERVER_SETTINGS", "treem.settings"),
        "TREEM_JOBS": "thread",
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
        "AXES_FAILURE_LIMIT": "50",
    }
    script = Path(sys.executable).with_name("treem")
    treem = [str(script)] if script.exists() else [sys.executable, str(ROOT / "manage.py")]
    subprocess.run(treem + ["migrate", "--noinput", "-v0"], env=env, check=True, cwd=ROOT, timeout=600)
    subprocess.run(treem + ["setup_treem"], env=env, check=True, cwd=ROOT, timeout=600, capture_output=True)
    subprocess.run([sys.executable, "-c", POPULATE], env=env, check=True, cwd=ROOT, timeout=600)
    port = _free_port()
    log = (var / "server.log").open("wb")  # the request log, printed when the module ends (shown on failure)
    proc = subprocess.Popen(
        treem + ["runserver", "--noreload", f"127.0.0.1:{port}"],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2)
            break
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.5)
    yield base
    proc.terminate()
    proc.wait(timeout=20)
    log.close()
    print("".join((var / "server.log").read_text(errors="replace").splitlines(keepends=True)[-60:]))


def _served(url: str) -> bool:
    try:
        return urllib.request.urlopen(url, timeout=5).status == 200
    except urllib.error.HTTPError:
        return False


def test_district_manager_walks_to_the_docx_report(server, browser_page, tmp_path):
    from docx import Document
    from playwright.sync_api import expect

    charts_served = _served(server + "/static/vendor/echarts/echarts.min.js")
    page = browser_page
    login(page, server, "vanquan.quanly", "TreEm@2026")
    expect(page.locator(".usernav .who")).to_be_visible()

    # plan dashboard: every one of the 24 targets, each with a status
    page.goto(server + "/theo-doi/")
    page.locator("tr", has_text="Văn Quan").get_by_role("link", name="Bảng theo dõi").click()
    expect(page.locator("#targets")).to_be_visible()
    numbers = set(
        page.locator("#targets tbody tr[data-target]").evaluate_all("rs => rs.map(r => r.dataset.target)")
    )
    assert numbers == {str(n) for n in range(1, 25)}
    assert page.locator("#targets .st").count() >= 24
    page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)

    # one target: status explained, chart with its table one click away
    page.locator("#targets tr[data-target='3'] a").first.click()
    expect(page.locator("h1")).to_contain_text("Chỉ tiêu 3")
    page.get_by_text("Xem bảng số liệu của biểu đồ").click()
    expect(page.locator("details[open] table")).to_be_visible()
    if charts_served:
        expect(page.locator("#chart-series[data-ready='1']")).to_have_count(1)
        with page.expect_download() as png:
            page.click("#png-series")
        assert png.value.suggested_filename.endswith(".png")

    # commune ranking: bar chart, table, status schematic of the successor communes
    page.click("#ranking-link")
    expect(page.locator("h1")).to_contain_text("Xếp hạng")
    assert page.locator("#tiles .tile").count() == 6
    assert page.locator("#ranking-table tbody tr").count() == 6
    if charts_served:
        expect(page.locator("#chart-ranking[data-ready='1']")).to_have_count(1)
    page.screenshot(path=str(tmp_path / "ranking.png"), full_page=True)

    # consolidated report: made in the background, progress bar, DOCX download
    page.go_back()
    page.go_back()
    page.click("#new-report")
    page.fill("#id_n_situation", "Toàn huyện có 12.345 trẻ em dưới 16 tuổi.")
    page.fill("#id_n_proposals", "Đề nghị tỉnh hỗ trợ kinh phí.")
    page.click("#save-report")
    expect(page.locator("#job-box .progress")).to_be_visible()
    expect(page.locator("#job-box[data-done='1']")).to_have_count(1, timeout=180_000)
    with page.expect_download() as dl:
        page.locator("#job-box a[data-format='docx']").click()
    path = tmp_path / dl.value.suggested_filename
    dl.value.save_as(path)
    assert path.suffix == ".docx"
    doc = Document(io.BytesIO(path.read_bytes()))
    text = "\n".join(
        [p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells]
    )
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "HUYỆN VĂN QUAN",
        "BÁO CÁO",
        "12.345 trẻ em",
        "Nơi nhận:",
        "Triệu Đức Dũng",
    ):
        assert expected in text, expected
