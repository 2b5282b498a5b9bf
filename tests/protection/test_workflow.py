"""Assignment and transfer with acceptance (to a worker, to another commune), grants, consent override, intake form."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from treem.accounts.models import Agency, Role, Sector
from treem.core.models import AuditEvent
from treem.protection import policy, services
from treem.protection.codes import Finding
from treem.protection.models import Case

from .conftest import notification, post_hotline


@pytest.fixture
def case(client, clock, hotline_key, people):
    uid = post_hotline(client, hotline_key, notification()).json()["case"]
    c = Case.objects.get(uid=uid)
    services.complete_initial_assessment(
        people["officer"],
        policy.CaseAccess(people["officer"], c),
        finding=Finding.HARMED,
        emergency_needed=False,
        create_child=True,
    )
    return Case.objects.get(pk=c.pk)


def acc(user, case):
    return policy.CaseAccess(user, Case.objects.get(pk=case.pk))


@pytest.mark.django_db
def test_worker_transfer_needs_the_receivers_acceptance(client, case, people):
    officer, w1, w2 = people["officer"], people["worker"], people["worker2"]
    services.assign(officer, acc(officer, case), w1, primary=True)
    assert policy.visible_cases(w1).filter(pk=case.pk).exists()
    assert not policy.visible_cases(w2).filter(pk=case.pk).exists()
    t = services.request_transfer(w1, acc(w1, case), kind="worker", to_user=w2, reason="Nghỉ phép dài ngày")
    assert not policy.visible_cases(w2).filter(pk=case.pk).exists()  # not before acceptance
    assert list(services.incoming_transfers(w2)) == [t]
    with pytest.raises(PermissionDenied):
        services.respond_transfer(officer, t, accept=True)
    with pytest.raises(ValidationError) as e:
        services.respond_transfer(w2, t, accept=False)
    assert "response_note" in e.value.message_dict
    client.force_login(w2)
    r = client.post(f"/bao-ve/chuyen-giao/{t.pk}/", {"accept": "1"})
    assert r.status_code == 302
    assert policy.visible_cases(w2).filter(pk=case.pk).exists()
    assert not policy.visible_cases(w1).filter(pk=case.pk).exists()


@pytest.mark.django_db
def test_commune_transfer_moves_the_case_when_accepted(case, people, dh):
    officer, other = people["officer"], people["other_officer"]
    with pytest.raises(ValidationError) as e:
        services.request_transfer(
            officer, acc(officer, case), kind="commune", to_unit=case.commune, reason="chuyển"
        )
    assert "to_unit" in e.value.message_dict
    t = services.request_transfer(
        officer, acc(officer, case), kind="commune", to_unit=dh, reason="Gia đình chuyển về Điềm He"
    )
    assert not policy.visible_cases(other).filter(pk=case.pk).exists()
    services.respond_transfer(other, t, accept=True)
    case.refresh_from_db()
    assert case.commune == dh
    assert policy.visible_cases(other).filter(pk=case.pk).exists()
    assert not policy.visible_cases(officer).filter(pk=case.pk).exists()
    assert AuditEvent.objects.filter(
        object_type="protection.case", object_id=str(case.pk), changes__has_key="commune_id"
    ).exists()


@pytest.mark.django_db
def test_explicit_grant_to_a_role_and_revocation(case, people, vq, make_user):
    officer = people["officer"]
    manager = make_user(vq, Role.UNIT_MANAGER, username="lanhdao_vq")
    assert not policy.visible_cases(manager).filter(pk=case.pk).exists()
    g = services.grant_access(
        officer, acc(officer, case), role=Role.UNIT_MANAGER, unit=vq, reason="Họp liên ngành"
    )
    assert policy.visible_cases(manager).filter(pk=case.pk).exists()
    a = acc(manager, case)
    assert a.relations == {policy.GRANTED} and not a.sees(policy.CONTENT) and not a.can_work
    services.revoke_grant(officer, acc(officer, case), g)
    assert not policy.visible_cases(manager).filter(pk=case.pk).exists()
    with pytest.raises(PermissionDenied):
        services.grant_access(people["worker"], acc(people["worker"], case), to_user=manager, reason="x")


@pytest.mark.django_db
def test_emergency_override_of_consent_is_logged(case, people, vq):
    worker = people["officer"]
    social = Agency.objects.create(unit=vq, name="Cơ sở bảo trợ xã hội tỉnh", sector=Sector.LABOUR_SOCIAL)
    with pytest.raises(ValidationError) as e:
        services.create_referral(
            worker,
            acc(worker, case),
            service="social_facility",
            purpose="Chăm sóc tạm thời",
            to_agency=social,
        )
    assert "đồng ý" in e.value.message_dict["consent"][0]
    ref = services.create_referral(
        worker,
        acc(worker, case),
        service="social_facility",
        purpose="Chăm sóc tạm thời",
        to_agency=social,
        override_reason="Trẻ em đang gặp nguy hiểm, cha mẹ là người gây hại",
    )
    assert ref.consent_override is not None
    assert AuditEvent.objects.filter(
        object_type="protection.consentoverride", reason__contains="cha mẹ là người gây hại"
    ).exists()


@pytest.mark.django_db
def test_consent_of_a_child_under_7_is_not_needed(client, clock, hotline_key, people, vq):
    uid = post_hotline(
        client,
        hotline_key,
        notification(reference="nho", child={"full_name": "Nông Văn Tí", "age": 5, "sex": "m"}),
    ).json()["case"]
    officer = people["officer"]
    c = Case.objects.get(uid=uid)
    services.complete_initial_assessment(
        officer, acc(officer, c), finding=Finding.HARMED, emergency_needed=False, create_child=True
    )
    services.record_consent(officer, acc(officer, c), party="parent", given=True)
    status = services.consent_status(Case.objects.get(pk=c.pk))
    assert status["ok"] and not status["child_needed"]


@pytest.mark.django_db
def test_intake_form_in_the_ui_with_vietnamese_errors(client, clock, people, vq):
    client.force_login(people["officer"])
    page = client.get("/bao-ve/ho-so/moi/")
    assert page.status_code == 200 and "Mẫu 01" in page.content.decode()
    r = client.post(
        "/bao-ve/ho-so/moi/",
        {
            "commune": vq.pk,
            "channel": "commune",
            "harm_kind": "",
            "child_age": "17",
            "occurred_on": "31/02/2026",
            "urgency": "normal",
        },
    )
    text = r.content.decode()
    assert r.status_code == 200
    assert "Hình thức xâm hại, vấn đề: bắt buộc." in text
    assert "Tuổi (khi không biết ngày sinh): không được lớn hơn 15." in text
    assert "Ngày xảy ra: không đúng định dạng (dd/mm/yyyy)." in text
    r = client.post(
        "/bao-ve/ho-so/moi/",
        {
            "commune": vq.pk,
            "channel": "school",
            "harm_kind": "violence",
            "harm_subkind": "l1",
            "urgency": "normal",
        },
    )
    assert "không thuộc hình thức" in r.content.decode()
    r = client.post(
        "/bao-ve/ho-so/moi/",
        {
            "commune": vq.pk,
            "channel": "school",
            "harm_kind": "violence",
            "harm_subkind": "v1",
            "urgency": "normal",
            "reported_child_name": "Vi Văn Khoa",
            "child_age": "8",
            "narrative": "Giáo viên phát hiện",
            "received_at": "23/04/2026 08:30",
        },
    )
    case = Case.objects.get(channel="school")
    assert r.status_code == 302 and r["Location"].endswith(f"/bao-ve/ho-so/{case.uid}/")
    assert case.assignments.filter(user=people["officer"], active=True).exists()
    assert client.get(r["Location"]).status_code == 200


@pytest.mark.django_db
def test_step_actions_through_the_ui(client, case, people):
    officer = people["officer"]
    client.force_login(officer)
    r = client.post(f"/bao-ve/ho-so/{case.uid}/thu-thap-thong-tin/", {"meeting_date": "24/04/2026"})
    assert "ở tương lai" in r.content.decode()  # frozen clock: 23/4
    r = client.post(
        f"/bao-ve/ho-so/{case.uid}/thu-thap-thong-tin/", {"meeting_date": "23/04/2026", "needs": "Tâm lý"}
    )
    assert r.status_code == 302
    r = client.post(
        f"/bao-ve/ho-so/{case.uid}/them-hoat-dong/",
        {
            "service": "Tư vấn",
            "service_kind": "counselling",
            "start": "24/04/2026",
            "end": "20/04/2026",
            "agency_name": "Trạm Y tế",
            "budget_vnd": "0",
        },
    )
    assert "Ngày kết thúc 20/04/2026 trước ngày bắt đầu 24/04/2026." in r.content.decode()
    r = client.post(
        f"/bao-ve/ho-so/{case.uid}/them-hoat-dong/",
        {
            "service": "Tư vấn",
            "service_kind": "counselling",
            "start": "24/04/2026",
            "end": "20/05/2026",
            "agency_name": "Trạm Y tế",
            "budget_vnd": "1000000",
        },
    )
    assert r.status_code == 302
    assert (
        client.post(f"/bao-ve/ho-so/{case.uid}/trinh-ke-hoach/", {"objectives": "An toàn"}).status_code == 302
    )
    assert client.get(f"/bao-ve/ho-so/{case.uid}/phe-duyet/").status_code == 403  # the chairman approves
    client.force_login(people["chairman"])
    assert (
        client.post(f"/bao-ve/ho-so/{case.uid}/phe-duyet/", {"decision_number": "1/QĐ-UBND"}).status_code
        == 302
    )
    assert Case.objects.get(pk=case.pk).status == "implementing"
