"""Browser walk (Playwright + Debian's Chromium) through the child registry with the demo data of `make run`:
the commune officer of Xã Văn Quan lists the children of the commune, finds one by part of the name, opens
the record (growth, vaccination and special-circumstance sections) and the registry-computed indicators; the
officer of Xã Điềm He can neither open that record (404) nor find the child in the Điềm He list.

Runs on pytest-django's live server; the test loads what `treem setup_treem` loads (units, catalogue, plans,
demo users, demo registry), because the live server flushes the session-loaded data.
Run apart from the other tests: pytest -m browser
"""

import datetime
import re

import pytest
from django.core.management import call_command

from tests.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "TreEm@2026"  # noqa: S105 — the demo accounts' shared password (treem.accounts.demo)
VAN_QUAN = "06253"  # Xã Văn Quan (from 1/7/2025)


@pytest.fixture
def demo_registry(chromium, transactional_db):
    """Units, catalogue, seed plans, demo users and the demo child registry, as `treem setup_treem` loads them
    (after the browser fixture, so that the test skips before this set-up when Chromium is missing)."""
    from treem.accounts.demo import create_demo_users
    from treem.registry.demo import load_demo_children

    call_command("setup_treem", "--no-demo", verbosity=0)
    create_demo_users()
    load_demo_children()


def _count(text: str) -> int:
    """The number in "557 trẻ em" / "1.234 trẻ em" (thousands separated by dots)."""
    return int(re.sub(r"\D", "", text))


def _pick_child(officer):
    """A demo child of Xã Văn Quan with as many of the growth, vaccination and circumstance sections filled as
    possible, and a part of its name (given names without the surname) that finds at most one page of children."""
    from django.db.models import Count

    from treem.registry.codes import ChildStatus
    from treem.registry.demo import demo_children
    from treem.registry.views import PAGE_SIZE, search_children

    children = (
        demo_children()
        .filter(commune__code=VAN_QUAN, status=ChildStatus.ACTIVE)
        .annotate(
            n_circ=Count("circumstances", distinct=True),
            n_meas=Count("measurements", distinct=True),
            n_vacc=Count("vaccinations", distinct=True),
        )
        .order_by("name_folded", "pk")
    )
    assert children.exists(), "the demo registry of Xã Văn Quan is empty"
    ranked = sorted(children, key=lambda c: -((c.n_circ > 0) + (c.n_meas > 0) + (c.n_vacc > 0)))
    for child in ranked:
        part = " ".join(child.full_name.split()[1:])
        found = search_children(officer, {"q": part})
        if found.filter(pk=child.pk).exists() and found.count() <= PAGE_SIZE:
            return child, part, found.count()
    raise AssertionError("no demo child of Xã Văn Quan can be found on one page by part of its name")


def _section(page, heading: str):
    return page.locator("main section.card").filter(has=page.get_by_role("heading", name=heading, exact=True))


def _search(page, text: str) -> None:
    page.fill("main form.filters input[name=q]", text)
    with page.expect_navigation():
        page.click("main form.filters button[type=submit]")


def test_commune_officer_finds_a_child_and_the_other_commune_cannot(live_server, browser_page, demo_registry):
    from playwright.sync_api import expect

    from treem.accounts.models import User
    from treem.accounts.scoping import active_memberships
    from treem.core.text import format_vn_date
    from treem.registry import policy
    from treem.registry.codes import ChildStatus
    from treem.registry.indicators import registry_values
    from treem.registry.models import EpiDose
    from treem.registry.views import search_children

    page, base = browser_page, live_server.url
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    officer, other = User.objects.get(username="xa.vanquan"), User.objects.get(username="xa.diemhe")
    child, part, n_found = _pick_child(officer)
    detail = f"/tre-em/{child.uid}/"
    listed = [ChildStatus.ACTIVE, ChildStatus.PROVISIONAL]

    # the list: the children of Xã Văn Quan only
    login(page, base, "xa.vanquan", DEMO_PASSWORD, then="/tre-em/")
    expect(page.locator("main h1")).to_have_text("Sổ theo dõi trẻ em")
    total = page.locator("main section.card .page-head p.muted")
    expect(total).to_contain_text("trẻ em")
    assert _count(total.inner_text()) == policy.visible_children(officer).filter(status__in=listed).count()
    communes = page.locator("main table.data tbody tr td:nth-child(4)")
    expect(communes.first).to_have_text("Xã Văn Quan")
    assert set(communes.all_inner_texts()) == {"Xã Văn Quan"}

    # search by part of the name (the search folds diacritics): the child is among the results
    _search(page, part)
    assert "q=" in page.url
    expect(page.locator("main form.filters input[name=q]")).to_have_value(part)
    link = page.locator(f"main table.data a[href='{detail}']")
    expect(link).to_have_count(1)
    expect(link).to_have_text(child.full_name)
    assert _count(total.inner_text()) == n_found
    assert page.locator("main table.data tbody tr").count() == n_found

    # the child's record
    with page.expect_navigation():
        link.click()
    assert page.url == f"{base}{detail}"
    expect(page.locator("main h1")).to_have_text(child.full_name)
    expect(page.locator("main .lede")).to_contain_text("Xã Văn Quan")

    # special circumstances (a commune officer sees them): one row per circumstance, or "none"
    circ = _section(page, "Hoàn cảnh đặc biệt, khuyết tật")
    expect(circ).to_have_count(1)
    circumstances = list(child.circumstances.all())
    if circumstances:
        expect(circ.locator("table.data tbody tr")).to_have_count(len(circumstances))
        for c in circumstances:
            expect(circ.locator("table.data")).to_contain_text(c.get_group_display())
    else:
        expect(circ).to_contain_text("Không thuộc nhóm nào.")
    expect(circ.locator(".lock")).to_have_count(0)

    # vaccination: the whole EPI schedule, with a date for each dose received
    vacc = _section(page, "Tiêm chủng mở rộng")
    schedule = list(EpiDose.objects.filter(schedule="tt10_2024"))
    assert schedule, "no EPI schedule loaded"
    rows = vacc.locator("table.data tbody tr")
    expect(rows).to_have_count(len(schedule))
    got = {(v.antigen, v.dose) for v in child.vaccinations.all()}
    dated = [t for t in rows.locator("td:nth-child(4)").all_inner_texts() if t.strip() != "—"]
    assert len(dated) == len(got & {(d.antigen, d.dose) for d in schedule}), dated
    if child.fully_immunised_on:
        expect(vacc.locator(".badge-active")).to_contain_text(format_vn_date(child.fully_immunised_on))

    # growth: one row per measurement, by date
    growth = _section(page, "Cân đo và Z-score (WHO 2006)")
    measurements = list(child.measurements.all())
    if measurements:
        rows = growth.locator("table.data tbody tr")
        expect(rows).to_have_count(len(measurements))
        shown = {t.strip() for t in rows.locator("td:first-child").all_inner_texts()}
        assert shown == {format_vn_date(m.measured_on) for m in measurements}
    else:
        expect(growth).to_contain_text("Chưa có lần cân đo.")

    # the registry-computed indicators of the commune, with their figures (through the list's sub-navigation)
    with page.expect_navigation():
        page.locator("main .breadcrumb").get_by_role("link", name="Sổ trẻ em").click()
    assert page.url == f"{base}/tre-em/"
    with page.expect_navigation():
        page.locator("main nav.subnav").get_by_role("link", name="Chỉ số từ sổ").click()
    assert page.url == f"{base}/tre-em/chi-so/"
    expect(page.locator("main h1")).to_contain_text("Chỉ số tính từ sổ trẻ em")
    end = page.locator("main .lede").inner_text()
    units = [m.unit for m in active_memberships(officer).select_related("unit")]
    day = re.search(r"(\d\d)/(\d\d)/(\d{4})", end)
    expected = registry_values(None, units, datetime.date(int(day[3]), int(day[2]), int(day[1])))
    rows = page.locator("main table.data tbody tr")
    expect(rows).to_have_count(len(expected))
    shown = rows.evaluate_all(
        "rs => rs.map(r => [...r.cells].map(c => c.innerText.trim()))"
    )  # unit, indicator (code), numerator, denominator, %, records
    assert {r[0] for r in shown} == {"Xã Văn Quan"}
    figures = {
        re.search(r"\(([^()]+)\)$", r[1])[1]: (_count(r[2]), _count(r[3]), _count(r[5])) for r in shown
    }
    assert figures == {r["indicator"]: (r["numerator"], r["denominator"], r["n_records"]) for r in expected}
    assert any(n > 0 for _, _, n in figures.values()), figures

    # another commune's officer: the record is not found, and the child is not in the Điềm He list
    login(page, base, "xa.diemhe", DEMO_PASSWORD, then="/tre-em/")
    expect(page.locator("main h1")).to_have_text("Sổ theo dõi trẻ em")
    assert _count(total.inner_text()) == policy.visible_children(other).filter(status__in=listed).count() > 0
    expect(communes.first).to_have_text("Xã Điềm He")
    assert set(communes.all_inner_texts()) == {"Xã Điềm He"}
    response = page.goto(f"{base}{detail}")
    assert response.status == 404
    expect(page.locator("main h1")).to_have_text("Không tìm thấy")
    expect(page.locator("main")).not_to_contain_text(child.full_name)
    page.goto(f"{base}/tre-em/")
    _search(page, part)
    expect(page.locator("main form.filters input[name=q]")).to_have_value(part)
    expect(page.locator(f"main a[href='{detail}']")).to_have_count(0)
    assert _count(total.inner_text()) == search_children(other, {"q": part}).count()
    assert set(communes.all_inner_texts()) <= {"Xã Điềm He"}
    assert not errors, errors
