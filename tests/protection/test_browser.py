"""Browser walk (Playwright + Debian's Chromium) through child protection with the demo data of `make run`:
the case worker of Xã Văn Quan opens the dashboard (tasks, own cases and their next deadlines), the case list,
a demo case with its steps and deadlines, and downloads a printed form (DOCX, Decree 30 header, Vietnamese
text in NFC); the officer of Xã Điềm He can neither open that case nor print its forms (404).

Runs on pytest-django's live server; the test loads what `treem setup_treem` loads (units, catalogue, plans,
demo users, demo registry and demo cases), because the live server flushes the session-loaded data.
Run apart from the other tests: pytest -m browser
"""

import io
import unicodedata

import pytest
from django.core.management import call_command

from tests.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "TreEm@2026"  # noqa: S105 — the demo accounts' shared password (treem.accounts.demo)
FORM = "04"  # Kế hoạch hỗ trợ, can thiệp: header, child, plan table, signature


@pytest.fixture
def demo_cases(chromium, transactional_db):
    """Units, catalogue, seed plans, demo users, the demo registry and the demo cases, as `treem setup_treem` loads
    them (after the browser fixture, so that the test skips before this set-up when Chromium is missing)."""
    from treem.accounts.demo import create_demo_users
    from treem.protection.demo import load_demo_cases
    from treem.registry.demo import load_demo_children

    call_command("setup_treem", "--no-demo", verbosity=0)
    create_demo_users()
    load_demo_children()
    load_demo_cases()


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _card(page, heading: str, exact: bool = False):
    """The card of the page under a heading."""
    return page.locator("main section.card").filter(
        has=page.get_by_role("heading", name=heading, exact=exact)
    )


def _docx_text(data: bytes) -> str:
    from docx import Document

    doc = Document(io.BytesIO(data))
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def test_case_worker_walks_to_a_printed_form_and_the_other_commune_cannot(
    live_server, browser_page, demo_cases, tmp_path
):
    from playwright.sync_api import expect

    from treem.accounts.models import User
    from treem.core.templatetags.vn import vn_datetime
    from treem.protection import policy, services
    from treem.protection.codes import CaseStatus

    page, base = browser_page, live_server.url
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    worker, other = User.objects.get(username="canbo.vanquan"), User.objects.get(username="xa.diemhe")
    case = policy.visible_cases(worker).get(
        external_ref__startswith="DEMO-", commune__code="06253", status=CaseStatus.IMPLEMENTING
    )
    url = f"/bao-ve/ho-so/{case.uid}/"
    link = f"a[href='{url}']"

    # dashboard: my tasks with their deadlines, my cases with the next deadline
    login(page, base, "canbo.vanquan", DEMO_PASSWORD, then="/bao-ve/")
    expect(page.locator("main h1")).to_have_text("Bảo vệ trẻ em – việc của tôi")
    tasks = _card(page, "Việc cần làm")
    expected_tasks = services.tasks_for(worker)
    assert any(t.case.pk == case.pk for t in expected_tasks)
    rows = tasks.locator("table.data tbody tr")
    expect(rows).to_have_count(len(expected_tasks))
    shown = rows.evaluate_all("rs => rs.map(r => [...r.cells].slice(0, 4).map(c => c.innerText.trim()))")
    assert sorted(shown) == sorted(
        [t.case.number, t.case.child_label, t.title, vn_datetime(t.due_at) or "—"] for t in expected_tasks
    )
    mine = _card(page, "Hồ sơ tôi phụ trách")
    row = mine.locator("table.data tbody tr").filter(has=page.locator(link))
    expect(row).to_have_count(1)
    next_due = services.my_cases(worker).get(pk=case.pk).next_due
    assert next_due is not None
    expect(row).to_contain_text(case.child_label)
    expect(row).to_contain_text(case.get_status_display())
    expect(row.locator("td").nth(4)).to_contain_text(vn_datetime(next_due))

    # the case list (only the cases the worker may see) → the demo case of Xã Văn Quan
    with page.expect_navigation():
        page.get_by_role("navigation", name="Bảo vệ trẻ em").get_by_role(
            "link", name="Hồ sơ", exact=True
        ).click()
    assert page.url == f"{base}/bao-ve/ho-so/"
    expect(page.locator("main h1")).to_have_text("Hồ sơ bảo vệ trẻ em")
    expect(page.locator("main table.data tbody tr")).to_have_count(policy.visible_cases(worker).count())
    row = page.locator("main table.data tbody tr").filter(has=page.locator(link))
    expect(row).to_contain_text("Xã Văn Quan")
    with page.expect_navigation():
        row.locator(link).click()
    assert page.url == f"{base}{url}"

    # the case file: its child, and every step with its deadline
    expect(page.locator("main h1")).to_have_text(f"Hồ sơ {case.number}")
    child = _card(page, "Trẻ em", exact=True)
    expect(child).to_contain_text(case.child_label)
    steps = _card(page, "Các bước và thời hạn")
    expected_steps = list(case.steps.order_by("cycle", "opened_at", "id"))
    assert len(expected_steps) >= 5
    rows = steps.locator("table.data tbody tr")
    expect(rows).to_have_count(len(expected_steps))
    shown = rows.evaluate_all("rs => rs.map(r => [...r.cells].slice(1, 4).map(c => c.innerText.trim()))")
    assert shown == [
        [s.get_kind_display(), vn_datetime(s.opened_at), vn_datetime(s.due_at) or "—"] for s in expected_steps
    ]

    # a printed form: DOCX with the Decree 30 header and Vietnamese text in NFC
    printed = _card(page, "In biểu mẫu (Nghị định 56/2017)")
    form_link = printed.locator(f"a[href='{url}mau-{FORM}.docx']")
    expect(form_link).to_contain_text(f"Mẫu {FORM}")
    with page.expect_download() as download:
        form_link.click()
    assert download.value.failure() is None
    assert download.value.suggested_filename == f"{case.number}-mau-{FORM}.docx"
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    text = _docx_text(path.read_bytes())
    assert unicodedata.is_normalized("NFC", text), "the printed form is not in NFC"
    assert not [ch for ch in text if unicodedata.combining(ch)], (
        "combining marks: Vietnamese letters not precomposed"
    )
    items = list(case.plan_items.filter(cycle=case.cycle))
    assert items
    for expected in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "ỦY BAN NHÂN DÂN",
        "XÃ VĂN QUAN",
        "KẾ HOẠCH",
        "Hỗ trợ, can thiệp đối với trẻ em",
        case.number,
        case.child_label,
        *(item.service for item in items),
    ]:
        assert _nfc(expected) in text, expected

    # another commune's officer: neither the case nor its forms are found, and the case is not in the list
    login(page, base, "xa.diemhe", DEMO_PASSWORD, then="/bao-ve/ho-so/")
    expect(page.locator("main h1")).to_have_text("Hồ sơ bảo vệ trẻ em")
    theirs = list(policy.visible_cases(other))
    assert theirs, "the officer of Xã Điềm He has no demo case"
    expect(page.locator("main table.data tbody tr")).to_have_count(len(theirs))
    for c in theirs:
        expect(page.locator(f"main a[href='/bao-ve/ho-so/{c.uid}/']")).to_have_text(c.number)
    expect(page.locator(f"main {link}")).to_have_count(0)
    response = page.goto(f"{base}{url}")
    assert response.status == 404
    expect(page.locator("main h1")).to_have_text("Không tìm thấy")
    expect(page.locator("main")).not_to_contain_text(case.child_label)
    assert page.request.get(f"{base}{url}mau-{FORM}.docx").status == 404
    assert not errors, errors
