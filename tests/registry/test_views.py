"""Registry pages: each view works for the commune's officer and leaks nothing to another commune."""

import datetime

import pytest
from django.urls import reverse

from treem.core.models import AccessEvent, AuditEvent
from treem.registry import linkage, services
from treem.registry.models import (
    Child,
    GrowthMeasurement,
    ImportBatch,
    ListExport,
    MatchCandidate,
    SpecialCircumstance,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def child(make_child):
    c = make_child(
        full_name="Hoàng Thị Bí Mật",
        personal_id="020321001234",
        sex="f",
        birth_date=datetime.date(2021, 5, 5),
    )
    SpecialCircumstance.objects.create(child=c, group="b", from_date=datetime.date(2022, 1, 1))
    return c


def _child_urls(c):
    """Every URL that shows or changes one child."""
    return [
        ("get", reverse("registry:detail", args=[c.uid])),
        ("get", reverse("registry:edit", args=[c.uid])),
        ("post", reverse("registry:edit", args=[c.uid])),
        *[
            ("get", reverse("registry:related_add", args=[c.uid, k]))
            for k in ("nguoi-cham-soc", "hoan-canh", "tro-giup", "hoc-tap", "can-do", "tiem-chung")
        ],
        ("post", reverse("registry:related_add", args=[c.uid, "can-do"])),
        ("post", reverse("registry:related_delete", args=[c.uid, "hoan-canh", c.circumstances.first().pk])),
    ]


def test_officer_sees_list_detail_and_sensitive_fields(client, officer, child):
    client.force_login(officer)
    r = client.get(reverse("registry:list"), {"q": "bi mat"})
    assert r.status_code == 200 and "Hoàng Thị Bí Mật" in r.text
    r = client.get(reverse("registry:detail", args=[child.uid]))
    assert r.status_code == 200
    assert "020321001234" in r.text and "Trẻ em bị bỏ rơi" in r.text
    assert AccessEvent.objects.filter(
        object_type="registry.child", object_id=str(child.pk), user=officer
    ).exists()


def test_viewer_does_not_see_sensitive_fields(client, viewer, child):
    client.force_login(viewer)
    r = client.get(reverse("registry:detail", args=[child.uid]))
    assert r.status_code == 200
    assert "020321001234" not in r.text and "bị bỏ rơi" not in r.text
    r = client.get(reverse("registry:export", args=["csv"]))
    assert "020321001234" not in r.content.decode() and "Hoàng Thị Bí Mật" in r.content.decode()
    r = client.get(reverse("registry:list"), {"group": "b"})
    assert r.status_code == 200


def test_other_commune_cannot_read_search_export_or_change(client, other_officer, child):
    client.force_login(other_officer)
    for method, url in _child_urls(child):
        r = getattr(client, method)(url, {"full_name": "X", "measured_on": "01/01/2024", "weight_kg": "9"})
        assert r.status_code == 404, (method, url)
    assert (
        not AccessEvent.objects.filter(object_id=str(child.pk))
        .exclude(user__isnull=True)
        .exclude(user__username="canbo_vanquan")
        .exists()
    )
    assert SpecialCircumstance.objects.filter(child=child).exists()
    assert not GrowthMeasurement.objects.filter(child=child).exists()
    r = client.get(reverse("registry:list"), {"q": "bi mat"})
    assert "Bí Mật" not in r.text
    r = client.get(reverse("registry:list"), {"commune": child.commune_id})
    assert "Bí Mật" not in r.text
    for fmt in ("csv", "xlsx"):
        r = client.get(reverse("registry:export", args=[fmt]))
        assert r.status_code == 200
    assert ListExport.objects.filter(user=other_officer).count() == 2
    assert all(e.n_rows == 0 for e in ListExport.objects.filter(user=other_officer))


def test_anonymous_is_sent_to_login(client, child):
    for method, url in _child_urls(child) + [
        ("get", reverse("registry:list")),
        ("get", reverse("registry:review")),
    ]:
        r = getattr(client, method)(url)
        assert r.status_code == 302 and "dang-nhap" in r["Location"], url


def test_create_and_edit_through_the_form(client, officer, xa_van_quan):
    client.force_login(officer)
    r = client.post(
        reverse("registry:create"),
        {
            "full_name": "  lường   văn  tú ",
            "birth": "5/3/2020",
            "sex": "m",
            "commune": xa_van_quan.pk,
            "personal_id": "",
            "status": "active",
            "birth_registration": "",
        },
    )
    assert r.status_code == 302, r.text[:3000]
    child = Child.objects.get(name_folded="luong van tu")
    assert child.full_name == "Lường Văn Tú" and child.birth_date == datetime.date(2020, 3, 5)
    r = client.post(
        reverse("registry:edit", args=[child.uid]),
        {
            "full_name": child.full_name,
            "birth": "2020",
            "sex": "m",
            "commune": xa_van_quan.pk,
            "status": "active",
            "personal_id": "0202200",
            "birth_registration": "",
        },
    )
    assert r.status_code == 200 and "12 chữ số" in r.text
    child.refresh_from_db()
    assert child.birth_date_precision == "day"
    assert AuditEvent.objects.filter(object_type="registry.child", object_id=str(child.pk)).count() == 1


def test_invalid_date_in_form_is_named(client, officer, xa_van_quan):
    client.force_login(officer)
    r = client.post(
        reverse("registry:create"),
        {
            "full_name": "Lò Văn A",
            "birth": "31/02/2020",
            "sex": "m",
            "commune": xa_van_quan.pk,
            "status": "active",
        },
    )
    assert r.status_code == 200 and "không phải ngày có thật" in r.text
    assert not Child.objects.filter(name_folded="lo van a").exists()


def test_cannot_create_in_another_commune(client, other_officer, xa_van_quan):
    client.force_login(other_officer)
    r = client.post(
        reverse("registry:create"),
        {"full_name": "Lò Văn B", "birth": "2020", "sex": "m", "commune": xa_van_quan.pk, "status": "active"},
    )
    assert r.status_code == 200 and "Lựa chọn" in r.text or "hợp lệ" in r.text
    assert not Child.objects.filter(name_folded="lo van b").exists()


def test_related_records_through_the_pages(client, officer, child):
    client.force_login(officer)
    r = client.post(
        reverse("registry:related_add", args=[child.uid, "can-do"]),
        {
            "measured_on": "05/05/2023",
            "weight_kg": "10,5".replace(",", "."),
            "lenhei_cm": "85",
            "measure": "h",
        },
    )
    assert r.status_code == 302, r.text[:2000]
    assert child.measurements.get().zlen is not None
    r = client.post(
        reverse("registry:related_add", args=[child.uid, "can-do"]),
        {"measured_on": "05/05/2019", "weight_kg": "10"},
    )
    assert r.status_code == 200 and "trước ngày sinh" in r.text
    r = client.get(reverse("registry:detail", args=[child.uid]))
    assert "Cân đo" in r.text


def test_import_pages_are_private_to_the_uploader(client, officer, other_officer, xa_van_quan):
    from treem.registry import imports

    data = "Họ và tên,Ngày sinh,Giới tính\nLò Văn Một,01/02/2020,Nam\n".encode()
    batch = imports.upload(officer, xa_van_quan, "ds.csv", data)
    client.force_login(other_officer)
    for name in ("registry:import_detail", "registry:import_progress", "registry:import_report"):
        assert client.get(reverse(name, args=[batch.uid])).status_code == 404
    assert (
        client.post(reverse("registry:import_detail", args=[batch.uid]), {"action": "apply"}).status_code
        == 404
    )
    client.force_login(officer)
    assert client.get(reverse("registry:import_detail", args=[batch.uid])).status_code == 200
    assert ImportBatch.objects.get(pk=batch.pk).status == ImportBatch.Status.UPLOADED


def test_review_pages_do_not_leak_pairs(client, officer, other_officer, make_child):
    a = make_child(full_name="Đinh Văn Trùng", birth_date=datetime.date(2020, 4, 4))
    b = make_child(full_name="Dinh Van Trung", birth_date=datetime.date(2020, 4, 4))
    run = linkage.LinkageRun.objects.create(kind="dedupe", unit=a.commune, started_by=officer)
    cand = MatchCandidate.objects.create(run=run, left=a, right=b, probability=0.8)
    client.force_login(other_officer)
    r = client.get(reverse("registry:review"))
    assert "Trùng" not in r.text
    assert client.get(reverse("registry:review_pair", args=[cand.pk])).status_code == 404
    assert (
        client.post(reverse("registry:review_pair", args=[cand.pk]), {"decision": "accept"}).status_code
        == 404
    )
    cand.refresh_from_db()
    assert cand.status == "pending"
    client.force_login(officer)
    assert client.get(reverse("registry:review_pair", args=[cand.pk])).status_code == 200
    r = client.post(reverse("registry:review_pair", args=[cand.pk]), {"decision": "accept", "keep": "left"})
    assert r.status_code == 302
    b.refresh_from_db()
    assert b.status == "merged" and b.merged_into_id == a.pk


def test_viewer_cannot_run_linkage(client, viewer):
    client.force_login(viewer)
    assert client.get(reverse("registry:review")).status_code == 403


def test_stats_page_shows_counts_only(client, officer, child):
    client.force_login(officer)
    r = client.get(reverse("registry:stats"))
    assert r.status_code == 200 and "Bí Mật" not in r.text and "BV_HCDB" in r.text


def test_merge_undo_is_scoped(client, officer, other_officer, make_child):
    a = make_child(full_name="Mã Văn Gộp")
    b = make_child(full_name="Ma Van Gop")
    event = linkage.merge(officer, a, b)
    client.force_login(other_officer)
    assert client.post(reverse("registry:merge_undo", args=[event.pk])).status_code == 404
    client.force_login(officer)
    assert client.post(reverse("registry:merge_undo", args=[event.pk])).status_code == 302
    b.refresh_from_db()
    assert b.status == "active"


def test_hostile_input_is_refused_cleanly(client, officer, child):
    client.force_login(officer)
    assert client.get("/tre-em/not-a-uuid/").status_code == 404
    assert client.get(reverse("registry:related_add", args=[child.uid, "khong-co"])).status_code == 404
    r = client.get(
        reverse("registry:list"), {"born_from": "'; drop table x;--", "q": "<script>alert(1)</script>"}
    )
    assert r.status_code == 200 and "<script>alert(1)</script>" not in r.text
    r = client.get(reverse("registry:export", args=["pdf"]))
    assert r.status_code == 404
    r = client.post(
        reverse("registry:edit", args=[child.uid]),
        {"full_name": "<b>x</b>1", "birth": "2020", "commune": child.commune_id, "status": "merged"},
    )
    assert r.status_code == 200
    child.refresh_from_db()
    assert child.status == "active"


def test_services_audit_on_related(officer, child):
    services.record_vaccination(officer, child, "bcg", 1, datetime.date(2021, 5, 6))
    assert AuditEvent.objects.filter(object_type="registry.vaccination").exists()


def test_linkage_run_cannot_target_another_commune(client, other_officer, officer, make_child, xa_van_quan):
    make_child(full_name="Hà Thị Xa")
    client.force_login(other_officer)
    r = client.post(reverse("registry:review"), {"kind": "dedupe", "unit": xa_van_quan.pk})
    assert r.status_code == 200 and not linkage.LinkageRun.objects.exists()
    client.force_login(officer)
    r = client.post(reverse("registry:review"), {"kind": "dedupe", "unit": xa_van_quan.pk})
    assert r.status_code == 302 and linkage.LinkageRun.objects.filter(unit=xa_van_quan).count() == 1


def test_register_run_without_extract_is_a_clear_message(client, officer, xa_van_quan, settings, tmp_path):
    settings.TREEM_POPULATION_REGISTER = {"backend": "csv", "path": str(tmp_path / "khong-co.csv")}
    client.force_login(officer)
    r = client.post(reverse("registry:review"), {"kind": "register", "unit": xa_van_quan.pk}, follow=True)
    assert "Không tìm thấy tệp trích xuất" in r.text


def test_the_menu_offers_duplicates_only_to_those_who_may_link(client, officer, viewer):
    """A viewer is not shown a link that would answer 403; the commune's officer is."""
    review = reverse("registry:review")
    client.force_login(viewer)
    page = client.get(reverse("registry:list"))
    assert page.status_code == 200 and f'href="{review}"' not in page.content.decode()
    assert client.get(review).status_code == 403
    client.force_login(officer)
    page = client.get(reverse("registry:list"))
    assert f'href="{review}"' in page.content.decode()
    assert client.get(review).status_code == 200
