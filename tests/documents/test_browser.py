"""Browser walk (Playwright + Debian's Chromium): an official uploads seed 004, watches it being read,
corrects one target in the review screen, adds a component, confirms, and finds the plan on its page.

Run apart from the other tests (live_server flushes the session-loaded data): pytest -m browser
"""

import os
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.conftest import PASSWORD, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEED_004 = Path(__file__).resolve().parents[2] / "treem" / "plans" / "seeds" / "seed_004.txt"
SHOTS = Path(os.environ.get("TREEM_SCREENSHOTS", "")) if os.environ.get("TREEM_SCREENSHOTS") else None


@pytest.fixture
def huong_tra_manager(transactional_db, settings, tmp_path):
    """Units, catalogue and seed plans loaded again (live_server flushes them), and Hương Trà's manager."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.TREEM_JOBS = "thread"  # read in the background, as in the embedded default
    call_command("setup_treem", "--no-demo", verbosity=0)
    from treem.accounts.models import Membership, Role, User
    from treem.geo.models import AdministrativeUnit, Level

    huong_tra = AdministrativeUnit.objects.get(generation="pre2025", level=Level.DISTRICT, code="480")
    user = User.objects.create_user("ht.browser", password=PASSWORD, first_name="An", last_name="Lê")
    Membership.objects.create(user=user, unit=huong_tra, role=Role.UNIT_MANAGER)
    return user


def shot(page, tmp_path, name):
    page.screenshot(path=str((SHOTS or tmp_path) / f"{name}.png"), full_page=False)


def test_upload_review_correct_and_confirm_in_the_browser(
    live_server, browser_page, huong_tra_manager, tmp_path
):
    from treem.core.models import AuditEvent
    from treem.documents.models import ImportStatus, PlanImport
    from treem.plans.models import PlanDocument

    page, base = browser_page, live_server.url
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_viewport_size({"width": 1600, "height": 1000})  # the review screen shows both sides
    login(page, base, "ht.browser", then="/nhap-van-ban/")

    # upload: the issuing unit defaults to the official's own
    assert "Hương Trà" in page.locator("select[name=unit] option:checked").inner_text()
    page.set_input_files("input[name=file]", str(SEED_004))
    page.click("#upload-form button[type=submit]")
    # the progress page polls until the document is read, then opens the review screen
    page.wait_for_url(re.compile(r"/nhap-van-ban/\d+/ra-soat/$"), timeout=60_000)
    imp = PlanImport.objects.get()
    assert imp.status == ImportStatus.READY

    # both sides: the highlighted text and the editable plan
    assert page.locator("#source mark.hl-comp").count() >= 30
    assert page.locator("#review-form .item-target").count() == 18
    low = int(page.locator("#low-count").get_attribute("data-count"))
    assert low > 0 and page.locator(".item.is-low").count() > 0
    # the catalogue is offered in every indicator choice
    assert page.locator("#f-targets-1-components-0-indicator_code option").count() > 20
    shot(page, tmp_path, "review")

    # clicking a highlighted passage brings its item into view, and the item's ⇠ brings back the passage
    page.click("#src-t1c0")
    row = page.locator("#plan-scroll [data-ref='t1c0']")
    assert "active" in row.get_attribute("class")
    assert page.evaluate("document.activeElement.id") == "f-targets-1-components-0-indicator"
    page.locator("#plan-scroll [data-ref='t5'] > .target-head [data-locate]").click()
    assert "active" in page.locator("#src-t5").get_attribute("class")

    # correct one target: newborn mortality below 0,8‰ instead of 1
    value = page.locator("#f-targets-1-components-0-value")
    assert value.input_value() == "1"
    value.fill("0,8")
    # an edited low-confidence item is no longer flagged
    page.fill("#f-targets-0-components-0-year", "2025")
    assert "is-low" not in page.locator("#plan-scroll [data-ref='t0c0']").get_attribute("class")
    assert int(page.locator("#low-count").get_attribute("data-count")) < low

    # add a component to the last target, choosing its indicator from the catalogue; remove a task
    last = page.locator("#review-form .item-target").last
    last.locator("[data-add=component]").click()
    added = last.locator(".item-comp").last
    added.locator("input[name$='-indicator']").fill("trẻ em có hoàn cảnh đặc biệt được trợ giúp")
    added.locator("select[name$='-comparator']").select_option("ge")
    added.locator("input[name$='-value']").fill("95")
    added.locator("select[name$='-unit']").select_option("%")
    added.locator("input[name$='-year']").fill("2025")
    tasks = page.locator("[data-rows=tasks] > .item").count()
    page.locator("[data-rows=tasks] > .item").last.locator("[data-remove]").click()
    assert page.locator("[data-rows=tasks] > .item").count() == tasks - 1
    shot(page, tmp_path, "review-edited")

    page.click("#confirm-button")
    page.wait_for_url(re.compile(r"/ke-hoach/\d+/$"))
    plan = PlanDocument.objects.get(key="seed-004")
    assert page.url.endswith(f"/ke-hoach/{plan.pk}/")
    content = page.content()
    assert "Đẩy mạnh công tác bảo vệ, chăm sóc trẻ em" in content
    assert "18 chỉ tiêu" in content
    newborn = page.locator("#chi-tieu tr", has_text="tỷ suất tử vong trẻ sơ sinh").first
    assert "0,8" in newborn.inner_text()
    assert page.locator("#chi-tieu tr", has_text="trẻ em có hoàn cảnh đặc biệt được trợ giúp").count() == 1
    shot(page, tmp_path, "plan")

    target = plan.targets.get(number="2")
    assert [float(c.value) for c in target.components.all()] == [0.8, 0.3, 0.5]
    assert plan.tasks.count() == tasks - 1
    imp.refresh_from_db()
    assert imp.status == ImportStatus.CONFIRMED and imp.plan == plan
    assert AuditEvent.objects.filter(
        object_type="plans.plandocument", object_id=str(plan.pk), user=huong_tra_manager
    ).exists()
    assert not errors, errors
