"""The Django admin at /quan-tri/: in Vietnamese, every model registered, scoped for staff who are not administrators."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.urls import reverse

from treem.accounts.models import Role

pytestmark = pytest.mark.django_db

ADMIN_APPS = ["geo", "accounts", "indicators", "plans", "core"]


def test_every_model_is_registered():
    missing = [
        m._meta.label
        for app in ADMIN_APPS
        for m in apps.get_app_config(app).get_models()
        if not admin.site.is_registered(m)
    ]
    assert missing == []


def test_admin_is_in_vietnamese(users, login):
    response = login(users["admin"]).get(reverse("admin:index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("admin:index").startswith("/quan-tri/")
    assert "TreEm – Quản trị" in html and "Văn bản kế hoạch" in html and "Đơn vị hành chính" in html
    assert "Thoát" in html and "Đổi mật khẩu" in html


def test_every_changelist_and_add_page_opens(users, login):
    client = login(users["admin"])
    for model in admin.site._registry:
        if model._meta.app_label not in ADMIN_APPS:
            continue
        info = (model._meta.app_label, model._meta.model_name)
        assert client.get(reverse(f"admin:{info[0]}_{info[1]}_changelist")).status_code == 200, info
        assert client.get(reverse(f"admin:{info[0]}_{info[1]}_add")).status_code in (200, 403), info


def test_plan_change_page_with_inlines(users, plans, login):
    client = login(users["admin"])
    html = client.get(
        reverse("admin:plans_plandocument_change", args=[plans["van_quan"].pk])
    ).content.decode()
    assert "Chỉ tiêu" in html and "Phân công" in html and "Chế độ báo cáo" in html
    target = plans["van_quan"].targets.get(number="3")
    html = client.get(reverse("admin:plans_target_change", args=[target.pk])).content.decode()
    assert "tỷ suất tử vong trẻ sơ sinh" in html


def test_unit_search_ignores_accents(users, login):
    html = (
        login(users["admin"])
        .get(reverse("admin:geo_administrativeunit_changelist"), {"q": "diem he"})
        .content.decode()
    )
    assert "Xã Điềm He" in html


@pytest.fixture
def vq_staff(make_user, units):
    """A Văn Quan manager given staff status and the plan permissions."""
    user = make_user(units["van_quan"], Role.UNIT_MANAGER, username="vq.staff")
    user.is_staff = True
    user.save()
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label__in=["plans", "accounts", "geo"])
    )
    return user


def test_staff_sees_only_plans_in_scope(vq_staff, plans, login):
    client = login(vq_staff)
    html = client.get(reverse("admin:plans_plandocument_changelist")).content.decode()
    assert reverse("admin:plans_plandocument_change", args=[plans["van_quan"].pk]) in html
    assert reverse("admin:plans_plandocument_change", args=[plans["huong_tra"].pk]) not in html
    response = client.get(reverse("admin:plans_plandocument_change", args=[plans["huong_tra"].pk]))
    assert response.status_code == 302  # the admin answers "not found" with a redirect to its index
    html = client.get(reverse("admin:plans_target_changelist")).content.decode()
    assert reverse("admin:plans_target_change", args=[plans["huong_tra"].targets.first().pk]) not in html


def test_staff_reads_but_cannot_change_plans_from_above(vq_staff, plans, login):
    client = login(vq_staff)
    url = reverse("admin:plans_plandocument_change", args=[plans["kh177"].pk])
    response = client.get(url)
    assert response.status_code == 200
    assert 'name="_save"' not in response.content.decode()
    assert (
        'name="_save"'
        in client.get(
            reverse("admin:plans_plandocument_change", args=[plans["van_quan"].pk])
        ).content.decode()
    )


def test_staff_cannot_see_users_or_units_elsewhere(vq_staff, units, login):
    client = login(vq_staff)
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 403
    html = client.get(reverse("admin:geo_administrativeunit_changelist"), {"q": "huong tra"}).content.decode()
    assert reverse("admin:geo_administrativeunit_change", args=[units["huong_tra"].pk]) not in html
