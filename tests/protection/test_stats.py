"""Statistics from cases for the plans: the abuse indicator for Văn Quan computed from cases (also for the district
abolished in 2025), criterion 6, timeliness; small counts suppressed below the commune; no identity in exports."""

import datetime

import pytest

from tests.conftest import unit
from treem.geo.models import Generation, Level
from treem.protection import policy, services, stats
from treem.protection.codes import Finding
from treem.protection.models import Case

from .conftest import at, notification, post_hotline


def _harmed(client, key, officer, ref, **over):
    if over.get("harm_kind", "sexual_abuse") != "sexual_abuse":
        over.setdefault("sexual_abuse_details", "")
    r = post_hotline(client, key, notification(reference=ref, **over))
    assert r.status_code == 201, r.content
    uid = r.json()["case"]
    case = Case.objects.get(uid=uid)
    services.complete_initial_assessment(
        officer,
        policy.CaseAccess(officer, case),
        finding=Finding.HARMED,
        emergency_needed=False,
        create_child=True,
    )
    return Case.objects.get(pk=case.pk)


def values(rows, code, unit_obj, combo="default"):
    return [
        r["value"]
        for r in rows
        if r["data_element"] == code and r["unit_id"] == unit_obj.pk and r["combo"] == combo
    ]


@pytest.mark.django_db
def test_abuse_counts_for_van_quan_by_sex_age_kind(client, clock, hotline_key, people, vq, dh, province):
    officer = people["officer"]
    a = _harmed(client, hotline_key, officer, "r1")
    _harmed(
        client,
        hotline_key,
        officer,
        "r2",
        harm_kind="violence",
        harm_subkind="v1",
        child={"full_name": "Nông Văn Tú", "age": 4, "sex": "m"},
    )
    # the same child twice counts once among children harmed, twice among cases
    uid = post_hotline(
        client,
        hotline_key,
        notification(reference="r3", harm_kind="neglect", harm_subkind="", sexual_abuse_details=""),
    ).json()["case"]
    c3 = Case.objects.get(uid=uid)
    services.complete_initial_assessment(
        officer, policy.CaseAccess(officer, c3), finding=Finding.HARMED, emergency_needed=False, child=a.child
    )
    # not counted: unfounded, and another commune's case only in its commune
    uid = post_hotline(client, hotline_key, notification(reference="r4")).json()["case"]
    services.complete_initial_assessment(
        officer,
        policy.CaseAccess(officer, Case.objects.get(uid=uid)),
        finding=Finding.UNFOUNDED,
        emergency_needed=False,
    )
    _harmed(client, hotline_key, people["other_officer"], "r5", commune_code="06280")

    old_district = unit("184", Level.DISTRICT, Generation.PRE_2025)
    rows = stats.case_values(["BV_XAM_HAI", "DE_VU_XAM_HAI"], [vq, dh, province, old_district], "2026")
    assert values(rows, "DE_TRE_BI_XAM_HAI", vq) == [2]
    assert values(rows, "DE_VU_XAM_HAI", vq) == [3]
    assert values(rows, "DE_TRE_BI_XAM_HAI", dh) == [1]
    assert values(rows, "DE_TRE_BI_XAM_HAI", province) == [3]
    assert values(rows, "DE_TRE_BI_XAM_HAI", old_district) == [
        3
    ]  # Văn Quan district's communes, now in the new communes
    assert values(rows, "DE_TRE_BI_XAM_HAI", vq, "sex.F") == [1]
    assert values(rows, "DE_TRE_BI_XAM_HAI", vq, "age_group.A03_05") == [1]
    assert values(rows, "DE_TRE_BI_XAM_HAI", vq, "age_group.A11_14") == [1]
    assert values(rows, "DE_VU_XAM_HAI", vq, "abuse_form.XAM_HAI_TINH_DUC") == [1]
    assert values(rows, "DE_VU_XAM_HAI", vq, "abuse_setting.CONG_DONG") == [3]
    assert stats.case_values(["BV_XAM_HAI"], [vq], "2025")[0]["value"] == 0
    assert stats.case_values(["BV_XAM_HAI"], [vq], "2026S1")[0]["value"] == 2
    assert stats.case_values(["KHONG_CO"], [vq], "2026") == []
    ind = {
        (r["indicator"], r["unit_id"]): r
        for r in stats.indicator_values(["BV_XAM_HAI", "BV_TC6_KE_HOACH"], [vq, old_district], "2026")
    }
    assert ind[("BV_XAM_HAI", vq.pk)]["numerator"] == 2 and ind[("BV_XAM_HAI", vq.pk)]["denominator"] is None
    assert ind[("BV_XAM_HAI", old_district.pk)]["numerator"] == 3
    assert (
        ind[("BV_TC6_KE_HOACH", vq.pk)]["denominator"] == 1
        and ind[("BV_TC6_KE_HOACH", vq.pk)]["numerator"] == 0
    )


@pytest.mark.django_db
def test_criterion_6_and_timeliness(client, clock, hotline_key, people, vq):
    officer, chairman = people["officer"], people["chairman"]
    c1 = _harmed(client, hotline_key, officer, "t1")
    _harmed(client, hotline_key, officer, "t2", harm_kind="abandonment", harm_subkind="")
    a = policy.CaseAccess(officer, c1)
    services.complete_info_gathering(officer, a, meeting_date=datetime.date(2026, 4, 23))
    services.add_plan_item(
        officer,
        a,
        service="Tư vấn",
        start=datetime.date(2026, 4, 24),
        end=datetime.date(2026, 5, 8),
        agency_name="Trạm Y tế",
    )
    services.submit_plan(officer, a)
    services.approve_plan(chairman, policy.CaseAccess(chairman, c1))
    rows = stats.case_values(["BV_TC6_KE_HOACH", "BV_CA_DUNG_HAN"], [vq], "2026")
    assert values(rows, "DE_VU_TC6", vq) == [2]
    assert values(rows, "DE_VU_TC6_CO_KE_HOACH", vq) == [1]
    assert values(rows, "DE_BUOC_DEN_HAN", vq, "step.approval") == [1]
    assert values(rows, "DE_BUOC_DUNG_HAN", vq, "step.approval") == [1]


@pytest.mark.django_db
def test_small_counts_suppressed_below_commune_and_no_identity_in_exports(
    client, clock, hotline_key, people, vq, make_user
):
    from treem.accounts.models import Role

    officer = people["officer"]
    _harmed(client, hotline_key, officer, "s1")
    rows = stats.case_values(["BV_XAM_HAI"], [vq], "2026")
    shown = stats.suppress(rows)
    total = [r for r in shown if r["combo"] == "default"][0]
    assert total["value"] == 1 and not total["suppressed"]  # the commune total is reported
    assert all(r["suppressed"] for r in shown if r["combo"] != "default" and r["value"] is None)
    assert [r for r in shown if r["combo"] == "sex.F"][0]["suppressed"]
    village_rows = stats.suppress(
        [total], levels={vq.pk: Level.VILLAGE}
    )  # the same count reported for a village
    assert village_rows[0]["suppressed"] and village_rows[0]["value"] is None
    assert not stats.suppress([{**total, "combo": "sex.F"}], levels={vq.pk: Level.DISTRICT})[0]["suppressed"]
    manager = make_user(vq, Role.UNIT_MANAGER, username="lanhdao_vq")
    client.force_login(manager)
    for url in (
        "/bao-ve/thong-ke/?period=2026&format=csv",
        "/api/v1/protection/statistics/?period=2026",
        "/bao-ve/thong-ke/?period=2026",
    ):
        r = client.get(url)
        assert r.status_code == 200
        text = r.content.decode("utf-8")
        for secret in ("Hoàng Thị Bích", "Lường Văn Báo", "Thôn Bản Cóc", "06253-2026-0001", "Hàng xóm"):
            assert secret not in text, (url, secret)
    csv_text = client.get("/bao-ve/thong-ke/?period=2026&format=csv").content.decode("utf-8")
    assert "DE_TRE_BI_XAM_HAI" in csv_text and "Xã Văn Quan" in csv_text
    assert client.get("/api/v1/protection/statistics/?period=20X6").status_code == 400


@pytest.mark.django_db
def test_dashboard_counts_and_average_step_time(client, clock, hotline_key, people, vq):
    officer = people["officer"]
    case = _harmed(client, hotline_key, officer, "d1")
    assert case.steps.get(kind="initial_assessment").completed_at == at(2026, 4, 23, 9, 0)
    cases = policy.visible_cases(officer)
    assert ("sexual_abuse", "Xâm hại tình dục", 1) in stats.counts_by(cases, "harm_kind")
    times = stats.average_step_days(cases)
    assert times and times[0][0] == "initial_assessment" and times[0][2] == 0.0
    client.force_login(officer)
    page = client.get("/bao-ve/").content.decode()
    assert "Thời gian trung bình" in page and "Xâm hại tình dục" in page
    assert (
        "Hồ sơ tôi phụ trách" in page and case.number in page and "05/05/2026 23:59" in page
    )  # next deadline (plan)
    assert services.my_cases(officer).get().next_due.date().isoformat() == "2026-05-05"
