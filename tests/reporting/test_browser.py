"""Browser walk (Playwright + Debian's Chromium): the education office fills and submits its report,
the district manager approves it, and the district total shows it at once.

Run apart from the other tests (live_server flushes the session-loaded data): pytest -m browser
"""

import os

import pytest
from django.core.management import call_command

from tests.conftest import PASSWORD, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_education_office_report_in_the_browser(live_server, browser_page, settings, tmp_path):
    call_command("setup_treem", "--no-demo", verbosity=0)
    from treem.accounts.models import Agency, Membership, Role, User
    from treem.geo.models import AdministrativeUnit, Level
    from treem.indicators.models import DataElement
    from treem.reporting.aggregation import aggregate
    from treem.reporting.models import Submission, SubmissionStatus

    settings.TREEM_TODAY = "2024-11-01"
    van_quan = AdministrativeUnit.objects.get(generation="pre2025", level=Level.DISTRICT, code="184")
    gd = Agency.objects.get(unit=van_quan, name="Phòng Giáo dục và Đào tạo")
    reporter = User.objects.create_user("gd.browser", password=PASSWORD)
    Membership.objects.create(user=reporter, unit=van_quan, agency=gd, role=Role.AGENCY_REPORTER)
    manager = User.objects.create_user("vq.browser", password=PASSWORD)
    Membership.objects.create(user=manager, unit=van_quan, role=Role.UNIT_MANAGER)
    sub = Submission.objects.get(round__plan__key="seed-003", round__period__code="2024", agency=gd)

    page, base = browser_page, live_server.url
    login(page, base, "gd.browser", then="/bao-cao/")
    page.click(f"a[href='{sub.get_absolute_url()}']")
    assert page.locator("tr.target-head").count() == 10
    inputs = page.locator("tr[data-combo='default'] input[name^='v-']")
    for i in range(inputs.count()):
        inputs.nth(i).fill("40")
    page.screenshot(path=str(tmp_path / "form.png"), full_page=False)
    page.click("#luu")
    page.wait_for_load_state()
    assert "Đã lưu" in page.content()
    page.click("#nop")
    page.wait_for_load_state()
    assert "Đã nộp báo cáo" in page.content()

    login(page, base, "vq.browser", then="/bao-cao/")
    assert page.locator("#cho-duyet").count() == 1
    page.click(f"#cho-duyet a[href='{sub.get_absolute_url()}']")
    page.click("#duyet")
    page.wait_for_load_state()
    assert "Đã duyệt" in page.content()
    sub.refresh_from_db()
    assert sub.status == SubmissionStatus.APPROVED
    page.goto(f"{base}{sub.round.get_absolute_url()}")
    page.screenshot(path=str(tmp_path / "round.png"), full_page=True)
    de = DataElement.objects.get(code="DE_TRUONG_HOC")
    total = {r.unit_id: r.value for r in aggregate([de], [sub.round.period], [van_quan])}[van_quan.pk]
    assert total == 40
    assert page.locator("td[data-element='DE_TRUONG_HOC']").text_content().strip() == "40"
    if os.environ.get("TREEM_SCREENSHOTS"):
        import shutil

        for name in ("form.png", "round.png"):
            shutil.copy(tmp_path / name, os.path.join(os.environ["TREEM_SCREENSHOTS"], name))
