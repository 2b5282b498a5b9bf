"""A case walks through every step of Decree 56/2017 with a frozen clock: deadlines in working days across the
Giỗ Tổ / 30-4 / 1-5 holidays, overdue alerts at the right moment, the 12-hour and 15-day limits enforced."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from treem.accounts.models import Agency, Role, Sector
from treem.core.calendar import working_days_between
from treem.protection import policy, services
from treem.protection.codes import CaseStatus, Finding, ReviewOutcome, StepKind, StepStatus
from treem.protection.models import Case

from .conftest import at, notification, post_hotline


def access(user, case):
    return policy.CaseAccess(user, Case.objects.get(pk=case.pk))


def step(case, kind):
    return Case.objects.get(pk=case.pk).steps.filter(kind=kind).order_by("-cycle", "-opened_at").first()


def overdue_kinds(user):
    return {t.kind for t in services.tasks_for(user) if t.overdue}


@pytest.fixture
def case(client, clock, hotline_key, people):
    """An urgent sexual-abuse notification from hotline 111, received at 09:00 on Thursday 23/4/2026."""
    uid = post_hotline(client, hotline_key, notification()).json()["case"]
    return Case.objects.get(uid=uid)


@pytest.mark.django_db
def test_walk_through_every_step(case, clock, people, make_user, province, vq):
    officer, worker, chairman = people["officer"], people["worker"], people["chairman"]
    supervisor = make_user(province, Role.SUPERVISOR, username="giamsat_tinh")
    police_agency = Agency.objects.create(unit=vq, name="Công an xã Văn Quan", sector=Sector.POLICE)
    police = make_user(vq, Role.POLICE, agency=police_agency, username="congan_vq")

    # Receive: initial assessment and emergency measures due within 12 hours of the information.
    assert step(case, StepKind.INITIAL_ASSESSMENT).due_at == at(2026, 4, 23, 21, 0)
    assert step(case, StepKind.EMERGENCY).due_at == at(2026, 4, 23, 21, 0)
    assert {t.kind for t in services.tasks_for(officer)} >= {StepKind.INITIAL_ASSESSMENT, StepKind.EMERGENCY}

    # Initial risk assessment (Mẫu 02) at 10:00 by the commune officer; a provisional registry record for the child.
    clock.set(2026, 4, 23, 10, 0)
    services.assign(officer, access(officer, case), worker, primary=True)
    with pytest.raises(ValidationError) as e:
        services.complete_initial_assessment(
            officer, access(officer, case), finding=Finding.HARMED, emergency_needed=True
        )
    assert "child" in e.value.message_dict
    services.complete_initial_assessment(
        officer,
        access(officer, case),
        finding=Finding.HARMED,
        emergency_needed=True,
        risk_level="high",
        create_child=True,
        notes="Nguy cơ cao",
    )
    case.refresh_from_db()
    assert (
        case.child is not None
        and case.child.status == "provisional"
        and case.child.full_name == "Hoàng Thị Bích"
    )
    assert case.status == CaseStatus.ASSESSMENT
    assert step(case, StepKind.PLAN).due_at is None  # runs from the end of the emergency measures

    # Temporary separation (Mẫu 07): at most 15 days.
    clock.set(2026, 4, 23, 11, 0)
    with pytest.raises(ValidationError) as e:
        services.start_separation(
            worker, access(worker, case), start=clock.moment, end=clock.moment + datetime.timedelta(days=16)
        )
    assert "end" in e.value.message_dict and "15 ngày" in e.value.message_dict["end"][0]
    sep = services.start_separation(
        worker,
        access(worker, case),
        start=clock.moment,
        end=clock.moment + datetime.timedelta(days=15),
        place="Nhà bà ngoại",
        carer="Bà ngoại",
    )
    with pytest.raises(ValidationError):
        services.extend_separation(
            worker, access(worker, case), sep, clock.moment + datetime.timedelta(days=15, minutes=1)
        )

    # Emergency intervention, within the 12 hours (20:00).
    clock.set(2026, 4, 23, 20, 0)
    services.record_emergency(worker, access(worker, case), measures=["medical", "police", "separation"])
    assert step(case, StepKind.EMERGENCY).on_time is True
    # Plan within 5 working days from then: Fri 24/4, [Mon 27/4 Giỗ Tổ in lieu], Tue 28, Wed 29, [30/4, 1/5], Mon 4/5, Tue 5/5.
    plan_due = at(2026, 5, 5, 23, 59, 59)
    assert step(case, StepKind.PLAN).due_at == plan_due
    assert step(case, StepKind.INFO_GATHERING).due_at == plan_due
    assert working_days_between(datetime.date(2026, 4, 23), datetime.date(2026, 5, 5)) == 5

    # Information gathering and the needs meeting (Mẫu 03), Tuesday 28/4.
    clock.set(2026, 4, 28, 9, 0)
    services.complete_info_gathering(
        worker,
        access(worker, case),
        meeting_date=datetime.date(2026, 4, 28),
        participants="Chủ tịch UBND xã, gia đình, trưởng thôn",
        needs="Tâm lý, y tế, pháp lý",
    )
    assert Case.objects.get(pk=case.pk).status == CaseStatus.PLANNING

    # The plan (Mẫu 04): services with dates, responsible agencies, providers, budget.
    a = access(worker, case)
    with pytest.raises(ValidationError) as e:
        services.add_plan_item(
            worker,
            a,
            service="Tư vấn tâm lý",
            start=datetime.date(2026, 5, 10),
            end=datetime.date(2026, 5, 1),
            agency_name="Trạm Y tế xã",
        )
    assert "end" in e.value.message_dict
    services.add_plan_item(
        worker,
        a,
        service="Tư vấn, trị liệu tâm lý",
        service_kind="counselling",
        start=datetime.date(2026, 5, 6),
        end=datetime.date(2026, 6, 30),
        agency_name="Trạm Y tế xã Văn Quan",
        provider="Trạm Y tế",
        budget_vnd=3_000_000,
    )
    services.add_plan_item(
        worker,
        a,
        service="Trợ giúp pháp lý",
        service_kind="legal_aid",
        start=datetime.date(2026, 5, 6),
        end=datetime.date(2026, 5, 29),
        agency_name="Trung tâm Trợ giúp pháp lý",
        budget_vnd=0,
    )

    # Not overdue at the last second of 5/5; the plan would be overdue a second later.
    clock.set(2026, 5, 5, 23, 59, 59)
    assert StepKind.PLAN not in overdue_kinds(worker)
    clock.set(2026, 5, 6, 0, 0, 1)
    assert StepKind.PLAN in overdue_kinds(worker)
    assert any(s.kind == StepKind.PLAN for s in services.overdue_steps(supervisor))

    # Back in time: submitted on Monday 4/5, on time; the chairman has 2 working days (Tue 5/5, Wed 6/5).
    clock.set(2026, 5, 4, 10, 0)
    services.submit_plan(worker, access(worker, case), objectives="Trẻ em an toàn, ổn định")
    assert step(case, StepKind.PLAN).on_time is True
    assert step(case, StepKind.APPROVAL).due_at == at(2026, 5, 6, 23, 59, 59)
    assert StepKind.APPROVAL in {t.kind for t in services.tasks_for(chairman)}
    assert StepKind.APPROVAL not in {t.kind for t in services.tasks_for(worker)}
    with pytest.raises(PermissionDenied):  # only the chairman approves
        services.approve_plan(worker, access(worker, case))

    # Overdue alert at the right moment: none at 23:59 on 6/5, one at 00:01 on 7/5, sent once.
    clock.set(2026, 5, 6, 23, 59)
    assert not [x for x in services.due_alerts() if x[0] == "step" and x[1].kind == StepKind.APPROVAL]
    clock.set(2026, 5, 7, 0, 1)
    alerts = [x for x in services.due_alerts() if x[0] == "step" and x[1].kind == StepKind.APPROVAL]
    assert len(alerts) == 1
    recipients = {u.username for u in alerts[0][2]}
    assert {"chutich_vq", "canbo_vq", "nhanvien_vq", "giamsat_tinh"} <= recipients
    assert "canbo_dh" not in recipients
    assert services.send_due_alerts() >= 1
    assert not [x for x in services.due_alerts() if x[0] == "step" and x[1].kind == StepKind.APPROVAL]

    # Approval (Mẫu 05) on 7/5: late, so a reason is required.
    clock.set(2026, 5, 7, 8, 30)
    with pytest.raises(ValidationError) as e:
        services.approve_plan(chairman, access(chairman, case), decision_number="12/QĐ-UBND")
    assert "late_reason" in e.value.message_dict
    services.approve_plan(
        chairman,
        access(chairman, case),
        decision_number="12/QĐ-UBND",
        notify_implementers=True,
        notify_family=True,
        late_reason="Chủ tịch đi công tác",
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.IMPLEMENTING and case.plan_approved_at == clock.moment
    assert step(case, StepKind.APPROVAL).on_time is False
    assert step(case, StepKind.REVIEW).due_at == at(2026, 6, 30, 23, 59, 59)

    # Separation past its 15 days (8/5 11:00) and not ended: overdue alert; then ended.
    clock.set(2026, 5, 8, 10, 59)
    assert not any(x[0] == "separation" for x in services.due_alerts())
    assert "separation" not in overdue_kinds(worker)
    clock.set(2026, 5, 8, 11, 1)
    assert any(x[0] == "separation" for x in services.due_alerts())
    assert "separation" in overdue_kinds(worker)
    services.end_separation(worker, access(worker, case), sep, "Trẻ em trở về gia đình an toàn")

    # Referral to the police: consent of the parent and of the child (aged 11) first, or a logged emergency override.
    assert not policy.visible_cases(police).filter(pk=case.pk).exists()
    with pytest.raises(ValidationError) as e:
        services.create_referral(
            worker,
            access(worker, case),
            service="police",
            purpose="Điều tra hành vi dâm ô",
            to_agency=police_agency,
        )
    assert "consent" in e.value.message_dict
    services.record_consent(
        worker, access(worker, case), party="parent", given=True, person_name="Hoàng Văn Cha"
    )
    with pytest.raises(ValidationError):
        services.create_referral(
            worker, access(worker, case), service="police", purpose="Điều tra", to_agency=police_agency
        )
    services.record_consent(worker, access(worker, case), party="child", given=True)
    ref = services.create_referral(
        worker,
        access(worker, case),
        service="police",
        purpose="Điều tra hành vi dâm ô",
        to_agency=police_agency,
    )
    assert ref.consent_override is None
    assert policy.visible_cases(police).filter(pk=case.pk).exists()
    police_access = access(police, case)
    assert police_access.sees(policy.CONTENT) and not police_access.sees(policy.REPORTER)
    with pytest.raises(ValidationError):
        services.update_referral(police, ref, status="done", outcome="…")  # sent → done is not a step
    services.update_referral(police, ref, status="accepted")
    services.update_referral(police, ref, status="done", outcome="Đã khởi tố vụ án")

    # Implementation done; review and closure (Mẫu 06) on 30/6.
    clock.set(2026, 6, 30, 15, 0)
    for item in Case.objects.get(pk=case.pk).plan_items.all():
        services.update_plan_item(worker, access(worker, case), item, done=True, result="Đã thực hiện")
    services.review_case(
        worker,
        access(worker, case),
        outcome=ReviewOutcome.CLOSE,
        notes="Trẻ em ổn định",
        decided_on=datetime.date(2026, 6, 30),
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.closed_at == clock.moment
    assert not case.steps.filter(status=StepStatus.OPEN).exists()
    assert not services.tasks_for(worker)

    # Re-opening starts a new cycle with new 5-working-day deadlines (Tue 1/9 and Wed 2/9 are National Day).
    clock.set(2026, 8, 28, 9, 0)
    services.reopen_case(officer, access(officer, case), reason="Trẻ em lại bị đe dọa")
    case.refresh_from_db()
    assert case.status == CaseStatus.ASSESSMENT and case.cycle == 2 and case.reopened_count == 1
    # Fri 28/8 → Mon 31/8 (day off in lieu), [1/9, 2/9 holidays] → Thu 3/9, Fri 4/9, Mon 7/9, Tue 8/9, Wed 9/9
    assert step(case, StepKind.PLAN).due_at.date() == datetime.date(2026, 9, 9)


@pytest.mark.django_db
def test_twelve_hour_limit_alert_and_late_reason(case, clock, people, make_user, province):
    officer = people["officer"]
    supervisor = make_user(province, Role.SUPERVISOR, username="giamsat_tinh")
    clock.set(2026, 4, 23, 20, 59)
    assert not services.due_alerts()
    assert not overdue_kinds(officer)
    clock.set(2026, 4, 23, 21, 1)
    kinds = {x[1].kind for x in services.due_alerts() if x[0] == "step"}
    assert kinds == {StepKind.INITIAL_ASSESSMENT, StepKind.EMERGENCY}
    assert {StepKind.INITIAL_ASSESSMENT, StepKind.EMERGENCY} <= overdue_kinds(officer)
    assert {s.kind for s in services.overdue_steps(supervisor)} == {
        StepKind.INITIAL_ASSESSMENT,
        StepKind.EMERGENCY,
    }
    assert not services.overdue_steps(people["other_officer"]).exists()
    with pytest.raises(ValidationError) as e:
        services.complete_initial_assessment(
            officer, access(officer, case), finding=Finding.HARMED, emergency_needed=True, create_child=True
        )
    assert "12" not in e.value.message_dict.get("child", [""])[0]
    assert "late_reason" in e.value.message_dict
    services.complete_initial_assessment(
        officer,
        access(officer, case),
        finding=Finding.HARMED,
        emergency_needed=True,
        create_child=True,
        late_reason="Tin báo đến ngoài giờ, không liên lạc được",
    )
    assert step(case, StepKind.INITIAL_ASSESSMENT).on_time is False


@pytest.mark.django_db
def test_unfounded_report_closes_the_case(case, clock, people):
    officer = people["officer"]
    clock.set(2026, 4, 23, 12, 0)
    services.complete_initial_assessment(
        officer, access(officer, case), finding=Finding.UNFOUNDED, emergency_needed=False
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.closure_reason == "unfounded" and case.child is None
    assert not case.steps.filter(status=StepStatus.OPEN).exists()


@pytest.mark.django_db
def test_returned_plan_and_new_cycle(case, clock, people):
    officer, chairman = people["officer"], people["chairman"]
    clock.set(2026, 4, 23, 10, 0)
    services.complete_initial_assessment(
        officer, access(officer, case), finding=Finding.AT_RISK, emergency_needed=False, create_child=True
    )
    # not urgent after all: the 5 working days run from the receipt of the information
    assert step(case, StepKind.EMERGENCY).status == StepStatus.SKIPPED
    assert step(case, StepKind.PLAN).due_at == at(2026, 5, 5, 23, 59, 59)
    with pytest.raises(ValidationError):  # Mẫu 03 first
        services.submit_plan(officer, access(officer, case))
    services.complete_info_gathering(officer, access(officer, case), meeting_date=datetime.date(2026, 4, 23))
    with pytest.raises(ValidationError) as e:
        services.submit_plan(officer, access(officer, case))
    assert "plan_items" in e.value.message_dict
    services.add_plan_item(
        officer,
        access(officer, case),
        service="Thăm gia đình",
        start=datetime.date(2026, 4, 24),
        end=datetime.date(2026, 5, 8),
        agency_name="UBND xã",
    )
    services.submit_plan(officer, access(officer, case))
    clock.set(2026, 4, 24, 9, 0)
    services.return_plan(chairman, access(chairman, case), reason="Bổ sung kinh phí")
    assert Case.objects.get(pk=case.pk).status == CaseStatus.PLANNING
    # 2 more working days: Tue 28/4 and Wed 29/4 (Mon 27/4 is the Giỗ Tổ day in lieu)
    assert step(case, StepKind.PLAN).due_at == at(2026, 4, 29, 23, 59, 59)
    services.submit_plan(officer, access(officer, case))
    services.approve_plan(chairman, access(chairman, case))
    clock.set(2026, 5, 8, 16, 0)
    services.review_case(officer, access(officer, case), outcome=ReviewOutcome.NEW_CYCLE, notes="Còn nguy cơ")
    case.refresh_from_db()
    assert case.cycle == 2 and case.status == CaseStatus.ASSESSMENT
    assert step(case, StepKind.PLAN).cycle == 2 and step(case, StepKind.PLAN).status == StepStatus.OPEN
