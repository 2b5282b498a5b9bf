"""Every page renders for an allowed user and shows what the plan says, the Vietnamese way."""

import re

import pytest
from django.urls import reverse

from treem.plans.models import PlanDocument

pytestmark = pytest.mark.django_db


def test_home_lists_memberships_and_plans(users, plans, login):
    html = login(users["van_quan"]).get(reverse("home")).content.decode()
    assert "Huyện Văn Quan" in html
    assert "Lãnh đạo, quản lý đơn vị" in html
    assert reverse("plans:detail", args=[plans["van_quan"].pk]) in html


def test_login_page_renders_in_vietnamese(client):
    html = client.get(reverse("login")).content.decode()
    assert "Đăng nhập" in html and "Mật khẩu" in html
    assert '<html lang="vi">' in html


def test_plan_page_shows_metadata_cascade_and_every_part(users, plans, login):
    plan = plans["van_quan"]
    response = login(users["van_quan"]).get(reverse("plans:detail", args=[plan.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    # metadata
    assert "UBND huyện Văn Quan" in html and "Triệu Đức Dũng" in html and "2021 - 2030" in html
    # the documents it implements, with dates dd/mm/yyyy, linked
    for number, date in [
        ("28-CT/TW", "25/12/2023"),
        ("177-KH/TU", "23/06/2024"),
        ("194/KH-UBND", "12/08/2024"),
    ]:
        assert number in html and date in html
        assert reverse("plans:detail", args=[PlanDocument.objects.get(number=number).pk]) in html
    # targets: 24 targets, 66 components, every milestone with a decimal comma
    assert "24 chỉ tiêu" in html
    n_components = sum(t.components.count() for t in plan.targets.all())
    assert f"{n_components} mốc đo lường" in html
    for value in ("9,5", "12,5", "18,5"):
        assert f'<td class="num">{value}</td>' in html
    assert "trên 1.000 trẻ đẻ sống" in html
    assert "không quá" in html and "đạt ít nhất" in html
    assert ">2030<" in html and "2.030" not in html and "2.025" not in html
    for t in plan.targets.all():
        assert reverse("plans:target", args=[plan.pk, t.pk]) in html
    # assignment matrix: role letters with colours
    assert 'class="role role-lead"' in html and 'class="role role-guide"' in html
    assert "Phòng Giáo dục và Đào tạo" in html
    # tasks, reporting regime (deadline dd/mm), full text collapsible
    assert "Nhiệm vụ, giải pháp" in html
    assert "trước ngày 15/11" in html and "trước ngày 15/05" in html
    assert '<details class="fulltext">' in html


def test_plan_page_shows_issue_date_and_place(users, plans, login):
    html = login(users["admin"]).get(reverse("plans:detail", args=[plans["khanh_hoa"].pk])).content.decode()
    assert "48-KH/TU" in html and "20/02/2013" in html and "Nha Trang" in html


def test_plan_page_lead_agency_of_each_target(users, plans, login):
    """The targets table names the leading agency (seed 003: education leads target 7)."""
    plan = plans["van_quan"]
    html = login(users["van_quan"]).get(reverse("plans:detail", args=[plan.pk])).content.decode()
    row = html.split(reverse("plans:target", args=[plan.pk, plan.targets.get(number="7").pk]), 1)[1].split(
        "</tr>"
    )[0]
    assert "Phòng Giáo dục và Đào tạo" in row


def test_relative_target_reads_as_a_reduction(users, plans, login):
    """Seed 000 (Khánh Hòa): "số trẻ em bị bạo lực giảm 20% vào năm 2015" — comparator in words, value, year."""
    plan = plans["khanh_hoa"]
    target = next(t for t in plan.targets.all() if t.components.filter(comparator="reduce_by").exists())
    html = login(users["admin"]).get(reverse("plans:target", args=[plan.pk, target.pk])).content.decode()
    assert "số trẻ em bị bạo lực" in html
    assert "giảm 20% (2015)" in html and "giảm 40% (2020)" in html


def test_seed_004_page(users, plans, login):
    html = (
        login(users["huong_tra"]).get(reverse("plans:detail", args=[plans["huong_tra"].pk])).content.decode()
    )
    assert "18 chỉ tiêu" in html
    assert "trước ngày 30/11" in html


def test_target_page(users, plans, login):
    plan = plans["van_quan"]
    target = plan.targets.get(number="3")
    response = login(users["van_quan"]).get(reverse("plans:target", args=[plan.pk, target.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Chỉ tiêu 3" in html
    assert "tỷ suất tử vong trẻ sơ sinh" in html
    assert html.count('<td class="num">') == 6
    assert "9,5" in html and "Trung tâm Y tế" in html and "Chủ trì" in html
    assert reverse("plans:detail", args=[plan.pk]) in html
    assert "Chỉ tiêu 2" in html and "Chỉ tiêu 4" in html  # previous / next


def test_plan_list_filters(users, plans, units, login):
    client = login(users["admin"])
    url = reverse("plans:list")

    def listed(**params):
        html = client.get(url, params).content.decode()
        return {name for name, p in plans.items() if f'href="{reverse("plans:detail", args=[p.pk])}"' in html}

    assert {"van_quan", "huong_tra", "khanh_hoa", "ct28"} <= listed()
    assert listed(level=2) == {"van_quan", "huong_tra"}
    assert listed(level=0) == {"ct28"}
    assert listed(unit=units["huong_tra"].pk) == {"huong_tra"}
    assert "khanh_hoa" in listed(year=2013) and "van_quan" not in listed(year=2013)
    assert "van_quan" in listed(year=2028)
    assert listed(doc_type="chi_thi") >= {"ct28"} and "van_quan" not in listed(doc_type="chi_thi")
    assert listed(q="48-KH") == {"khanh_hoa"}
    assert "xa_diem_he" in listed(q="bao ve tre em xa diem he")  # accents optional
    assert listed(q="Điềm He") == {"xa_diem_he"}
    assert listed(status="reference") >= {"ct28", "kh177"} and "van_quan" not in listed(status="reference")


def test_plan_list_paginates_without_thousand_separators(users, login):
    html = login(users["admin"]).get(reverse("plans:list")).content.decode()
    assert re.search(r"\d+ văn bản", html)


def test_unit_page_children_at_a_date(users, units, login):
    client = login(users["van_quan"])
    url = reverse("geo:detail", args=[units["van_quan"].pk])
    # the district no longer exists: by default its last day in force is shown, with its communes
    html = client.get(url).content.decode()
    assert "30/06/2025" in html and "Thị trấn Văn Quan" in html
    assert "Xã Văn Quan" in html  # successor
    html = client.get(url, {"at": "01/01/2026"}).content.decode()
    assert "Không có đơn vị trực thuộc" in html
    html = client.get(url, {"at": "32/13/2024"}).content.decode()
    assert "Ngày không hợp lệ" in html


def test_new_province_children_today_and_before_reform(users, units, login):
    client = login(users["admin"])
    url = reverse("geo:detail", args=[units["vn"].pk])
    today = client.get(url).content.decode()
    assert "34 đơn vị" in today
    before = client.get(url, {"at": "30/06/2025"}).content.decode()
    assert "63 đơn vị" in before


def test_new_commune_shows_predecessors_and_ancestors(users, units, login):
    html = (
        login(users["van_quan"]).get(reverse("geo:detail", args=[units["xa_van_quan"].pk])).content.decode()
    )
    assert "Hình thành từ" in html and "Thị trấn Văn Quan" in html
    assert "Tỉnh Lạng Sơn" in html and "Việt Nam" in html


def test_unit_page_lists_agencies_and_plans(users, units, plans, login):
    html = login(users["van_quan"]).get(reverse("geo:detail", args=[units["van_quan"].pk])).content.decode()
    assert "Phòng Giáo dục và Đào tạo" in html
    assert reverse("plans:detail", args=[plans["van_quan"].pk]) in html


def test_unit_list_shows_own_units_and_searches(users, units, login):
    client = login(users["van_quan"])
    html = client.get(reverse("geo:list")).content.decode()
    assert reverse("geo:detail", args=[units["van_quan"].pk]) in html
    html = client.get(reverse("geo:list"), {"q": "tran ninh"}).content.decode()
    assert "Xã Trấn Ninh" in html


def test_english_interface(users, plans, login):
    client = login(users["van_quan"])
    html = client.get("/en" + reverse("plans:detail", args=[plans["van_quan"].pk])).content.decode()
    assert '<html lang="en">' in html
    assert "Targets" in html and "Assignments" in html
    assert "9,5" in html  # numbers keep the Vietnamese notation of the documents


def test_language_switch(users, login):
    client = login(users["van_quan"])
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("plans:list")})
    assert response.status_code == 302
    assert response["Location"] == "/en" + reverse("plans:list")


def test_every_asset_is_served_locally(users, plans, login):
    """No page loads anything from another host (officials often work on closed networks)."""
    client = login(users["van_quan"])
    for url in (
        reverse("home"),
        reverse("plans:detail", args=[plans["van_quan"].pk]),
        reverse("login"),
        reverse("api-docs"),
    ):
        html = client.get(url).content.decode()
        for ref in re.findall(r'(?:src|href)="([^"]+)"', html):
            assert not re.match(r"(https?:)?//", ref), (url, ref)


def test_stylesheet_is_found_by_staticfiles():
    from django.contrib.staticfiles import finders

    assert finders.find("treem/treem.css")
