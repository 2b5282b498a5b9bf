"""Scoping in the web interface: every view answers 404 (or leaves out) what lies outside the user's units,
and shows the documents above them; anonymous users are sent to the login page."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def plan_url(plan):
    return reverse("plans:detail", args=[plan.pk])


def target_url(plan):
    return reverse("plans:target", args=[plan.pk, plan.targets.first().pk])


def unit_url(unit):
    return reverse("geo:detail", args=[unit.pk])


def village_url(unit):
    return reverse("geo:village_add", args=[unit.pk])


# (user, kind, object) that must answer 404
DENIED = [
    ("xa_van_quan", "plan", "xa_diem_he"),
    ("xa_van_quan", "target", "xa_diem_he"),
    ("xa_van_quan", "unit", "xa_diem_he"),
    ("xa_van_quan", "village", "xa_diem_he"),
    ("xa_van_quan", "plan", "huong_tra"),
    ("xa_van_quan", "unit", "van_quan"),
    ("xa_diem_he", "plan", "xa_van_quan"),
    ("xa_diem_he", "target", "xa_van_quan"),
    ("xa_diem_he", "unit", "xa_van_quan"),
    ("xa_diem_he", "village", "xa_van_quan"),
    ("van_quan", "plan", "huong_tra"),
    ("van_quan", "target", "huong_tra"),
    ("van_quan", "unit", "huong_tra"),
    ("van_quan", "plan", "khanh_hoa"),
    ("huong_tra", "plan", "van_quan"),
    ("huong_tra", "target", "van_quan"),
    ("huong_tra", "unit", "van_quan"),
    ("huong_tra", "unit", "lang_son"),
    ("huong_tra", "plan", "xa_van_quan"),
    ("huong_tra", "village", "xa_van_quan"),
]

# (user, kind, object) that must answer 200
ALLOWED = [
    ("van_quan", "plan", "van_quan"),
    ("van_quan", "target", "van_quan"),
    ("van_quan", "plan", "kh177"),
    ("van_quan", "plan", "kh194"),
    ("van_quan", "plan", "ct28"),
    ("van_quan", "unit", "van_quan"),
    ("van_quan", "unit", "xa_van_quan"),
    ("huong_tra", "plan", "huong_tra"),
    ("huong_tra", "target", "huong_tra"),
    ("huong_tra", "plan", "ct28"),
    ("huong_tra", "unit", "huong_tra"),
    ("xa_van_quan", "plan", "xa_van_quan"),
    ("xa_van_quan", "target", "xa_van_quan"),
    ("xa_van_quan", "unit", "xa_van_quan"),
    ("xa_diem_he", "plan", "xa_diem_he"),
    ("xa_diem_he", "unit", "xa_diem_he"),
]


def url_for(kind, name, plans, units):
    if kind == "plan":
        return plan_url(plans[name])
    if kind == "target":
        return target_url(plans[name])
    if kind == "unit":
        return unit_url(units[name])
    return village_url(units[name])


@pytest.mark.parametrize("who,kind,name", DENIED)
def test_outside_scope_is_not_found(who, kind, name, users, plans, units, login):
    response = login(users[who]).get(url_for(kind, name, plans, units))
    assert response.status_code == 404


@pytest.mark.parametrize("who,kind,name", ALLOWED)
def test_inside_scope_and_above_is_shown(who, kind, name, users, plans, units, login):
    response = login(users[who]).get(url_for(kind, name, plans, units))
    assert response.status_code == 200


def test_target_cannot_be_reached_through_a_readable_plan(users, plans, login):
    """A foreign target under the id of a plan the user may read is still 404."""
    foreign = plans["huong_tra"].targets.first()
    response = login(users["van_quan"]).get(reverse("plans:target", args=[plans["van_quan"].pk, foreign.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize(
    "who,hidden,shown",
    [
        ("xa_van_quan", ["xa_diem_he", "huong_tra"], ["xa_van_quan"]),
        ("xa_diem_he", ["xa_van_quan", "huong_tra"], ["xa_diem_he"]),
        # Xã Điềm He (2025) was formed from communes of the old Văn Quan district: it is under Văn Quan's successors
        (
            "van_quan",
            ["huong_tra", "khanh_hoa"],
            ["van_quan", "kh177", "kh194", "ct28", "xa_van_quan", "xa_diem_he"],
        ),
        ("huong_tra", ["van_quan", "kh177", "kh194", "xa_van_quan"], ["huong_tra", "ct28"]),
    ],
)
def test_plan_list_and_home_leave_out_other_units_plans(who, hidden, shown, users, plans, login):
    client = login(users[who])
    for page in (reverse("plans:list"), reverse("home")):
        html = client.get(page).content.decode()
        for name in hidden:
            assert f'href="{plan_url(plans[name])}"' not in html, (page, name)
        if page == reverse("plans:list"):
            for name in shown:
                assert f'href="{plan_url(plans[name])}"' in html, (page, name)


def test_plan_list_unit_filter_offers_only_readable_issuers(users, plans, units, login):
    client = login(users["xa_van_quan"])
    html = client.get(reverse("plans:list")).content.decode()
    assert f'value="{units["xa_van_quan"].pk}"' in html
    assert f'value="{units["xa_diem_he"].pk}"' not in html
    response = client.get(reverse("plans:list"), {"unit": units["xa_diem_he"].pk})
    assert plan_url(plans["xa_diem_he"]) not in response.content.decode()


def test_unit_search_leaves_out_other_communes(users, units, login):
    client = login(users["xa_van_quan"])
    html = client.get(reverse("geo:list"), {"q": "diem he"}).content.decode()
    assert unit_url(units["xa_diem_he"]) not in html
    html = client.get(reverse("geo:list"), {"q": "van quan"}).content.decode()
    assert unit_url(units["xa_van_quan"]) in html


def test_cascade_below_shows_only_readable_plans(users, plans, login):
    """28-CT/TW is implemented by Văn Quan's plan: Văn Quan sees it below, Hương Trà does not."""
    url = plan_url(plans["ct28"])
    assert plan_url(plans["van_quan"]) in login(users["van_quan"]).get(url).content.decode()
    assert plan_url(plans["van_quan"]) not in login(users["huong_tra"]).get(url).content.decode()


def test_breadcrumb_links_only_visible_units(users, units, login):
    html = login(users["van_quan"]).get(unit_url(units["van_quan"])).content.decode()
    assert "Tỉnh Lạng Sơn" in html
    assert f'href="{unit_url(units["lang_son"])}"' not in html


def test_commune_page_does_not_list_a_sibling_commune_s_plan(users, plans, units, login):
    html = login(users["van_quan"]).get(unit_url(units["xa_van_quan"])).content.decode()
    assert plan_url(plans["xa_van_quan"]) in html
    assert plan_url(plans["xa_diem_he"]) not in html


@pytest.mark.parametrize("name", ["home", "plans:list", "geo:list", "password_change"])
def test_anonymous_is_sent_to_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("kind", ["plan", "target", "unit", "village"])
def test_anonymous_is_sent_to_login_from_detail_pages(client, kind, plans, units):
    url = url_for(kind, "van_quan" if kind in ("plan", "target", "unit") else "xa_van_quan", plans, units)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
