"""Demo cases for `make run`: a few clearly-demo cases in Văn Quan's new communes (never in production)."""

from __future__ import annotations

import contextlib
import datetime

from django.db import transaction

from treem.accounts.models import Membership, Role, User
from treem.core import calendar as cal
from treem.geo.models import AdministrativeUnit, Generation, Level

from . import policy, services
from .codes import Channel, Finding, HarmKind, ReviewOutcome, Urgency
from .models import Case

DEMO_USERS = [  # (username, first, last, commune code or province code, level, role)
    ("xa.vanquan", "Tuấn", "Chu Văn", "06253", Level.COMMUNE, Role.COMMUNE_OFFICER),
    ("canbo.vanquan", "Liên", "Demo Hoàng Thị", "06253", Level.COMMUNE, Role.CASE_WORKER),
    ("chutich.vanquan", "Sơn", "Demo Nông Văn", "06253", Level.COMMUNE, Role.CHAIRMAN),
    ("xa.diemhe", "Hương", "Lộc Thị", "06280", Level.COMMUNE, Role.COMMUNE_OFFICER),
    ("giamsat.langson", "Hà", "Demo Vi Thị", "20", Level.PROVINCE, Role.SUPERVISOR),
]


@contextlib.contextmanager
def _clock(moment: datetime.datetime):
    """Run services as if at a past moment (demo timelines only)."""
    original = cal.now
    cal.now = lambda: moment
    try:
        yield
    finally:
        cal.now = original


def _users() -> dict[str, User]:
    from treem.accounts.demo import DEMO_PASSWORD

    out = {}
    for username, first, last, code, level, role in DEMO_USERS:
        unit = AdministrativeUnit.objects.get(generation=Generation.Y2025, level=level, code=code)
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": first, "last_name": last}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        Membership.objects.get_or_create(user=user, unit=unit, agency=None, role=role)
        out[username] = user
    return out


def _access(user, case):
    return policy.CaseAccess(user, Case.objects.get(pk=case.pk))


@transaction.atomic
def load_demo_cases() -> str:
    """Create the demo cases once (idempotent on their references); returns a one-line summary."""
    if Case.objects.filter(external_ref__startswith="DEMO-").count() >= 3:
        linked = link_demo_children()
        return (
            f"hồ sơ bảo vệ trẻ em demo: {linked} hồ sơ liên kết với sổ theo dõi trẻ em; đã có"
            if linked
            else "hồ sơ bảo vệ trẻ em demo: đã có"
        )
    users = _users()
    vq = AdministrativeUnit.objects.get(generation=Generation.Y2025, level=Level.COMMUNE, code="06253")
    dh = AdministrativeUnit.objects.get(generation=Generation.Y2025, level=Level.COMMUNE, code="06280")
    officer, worker, chair = users["xa.vanquan"], users["canbo.vanquan"], users["chutich.vanquan"]
    now = cal.now()
    t0 = now - datetime.timedelta(days=21)

    # 1. Hotline 111, sexual abuse (dâm ô), urgent: assessed, emergency, information, plan approved, implementing.
    with _clock(t0):
        c1, created = services.intake(
            None,
            vq,
            Channel.HOTLINE_111,
            {
                "received_at": t0,
                "harm_kind": HarmKind.SEXUAL_ABUSE,
                "harm_subkind": "l4",
                "setting": "community",
                "urgency": Urgency.URGENT,
                "reported_child_name": "Demo Nông Thị Hoa",
                "child_age": 12,
                "child_sex": "f",
                "narrative": "[DEMO] Người dân báo qua tổng đài 111: trẻ em bị một người lớn trong thôn có hành vi dâm ô.",
                "reporter_anonymous": True,
                "reporter_relation": "neighbour",
            },
            external_ref="DEMO-111-0001",
        )
    if created:
        services.assign(officer, _access(officer, c1), worker, primary=True)
        with _clock(t0 + datetime.timedelta(hours=3)):
            services.complete_initial_assessment(
                officer,
                _access(officer, c1),
                finding=Finding.HARMED,
                emergency_needed=True,
                risk_level="high",
                create_child=True,
                notes="[DEMO] Nguy cơ cao, cần can thiệp ngay.",
            )
        with _clock(t0 + datetime.timedelta(hours=8)):
            services.record_emergency(
                worker,
                _access(worker, c1),
                measures=["medical", "police", "counselling"],
                notes="[DEMO] Đưa trẻ đi khám, báo Công an xã.",
            )
        with _clock(t0 + datetime.timedelta(days=2)):
            services.complete_info_gathering(
                worker,
                _access(worker, c1),
                meeting_date=(t0 + datetime.timedelta(days=2)).date(),
                participants="Chủ tịch UBND xã, gia đình, trưởng thôn",
                needs="[DEMO] Hỗ trợ tâm lý, y tế.",
            )
            a = _access(worker, c1)
            start = (t0 + datetime.timedelta(days=3)).date()
            services.add_plan_item(
                worker,
                a,
                service="Tư vấn, trị liệu tâm lý",
                service_kind="counselling",
                start=start,
                end=start + datetime.timedelta(days=60),
                agency_name="Trạm Y tế xã Văn Quan",
                budget_vnd=3_000_000,
            )
            services.add_plan_item(
                worker,
                a,
                service="Trợ giúp pháp lý cho gia đình",
                service_kind="legal_aid",
                start=start,
                end=start + datetime.timedelta(days=30),
                agency_name="Trung tâm Trợ giúp pháp lý tỉnh",
                budget_vnd=0,
            )
            services.consent_status(a.case)
            services.submit_plan(
                worker, a, objectives="[DEMO] Trẻ em an toàn, ổn định tâm lý, tiếp tục đi học."
            )
        with _clock(t0 + datetime.timedelta(days=3)):
            services.approve_plan(
                chair,
                _access(chair, c1),
                decision_number="DEMO/QĐ-UBND",
                notify_implementers=True,
                notify_family=True,
            )

    # 2. Commune intake, violence, not urgent: waiting for the initial assessment (Xã Điềm He).
    with _clock(now - datetime.timedelta(hours=2)):
        services.intake(
            users["xa.diemhe"],
            dh,
            Channel.SCHOOL,
            {
                "harm_kind": HarmKind.VIOLENCE,
                "harm_subkind": "v1",
                "setting": "family",
                "reported_child_name": "Demo Lộc Văn Nam",
                "child_age": 9,
                "child_sex": "m",
                "narrative": "[DEMO] Giáo viên thấy trẻ có nhiều vết bầm tím.",
                "reporter_name": "Demo Giáo viên",
                "reporter_relation": "teacher",
            },
            external_ref="DEMO-XA-0002",
        )

    # 3. Abandonment, closed after the plan (Xã Văn Quan).
    t3 = now - datetime.timedelta(days=60)
    with _clock(t3):
        c3, created = services.intake(
            officer,
            vq,
            Channel.CITIZEN,
            {
                "received_at": t3,
                "harm_kind": HarmKind.ABANDONMENT,
                "reported_child_name": "Demo Trẻ Sơ Sinh",
                "child_age": 0,
                "child_sex": "m",
                "narrative": "[DEMO] Trẻ sơ sinh bị bỏ rơi trước cổng trạm y tế.",
            },
            external_ref="DEMO-XA-0003",
        )
    if created:
        with _clock(t3 + datetime.timedelta(hours=2)):
            services.complete_initial_assessment(
                officer,
                _access(officer, c3),
                finding=Finding.HARMED,
                emergency_needed=False,
                create_child=True,
                notes="[DEMO] Trẻ khỏe, cần chăm sóc thay thế.",
            )
        with _clock(t3 + datetime.timedelta(days=1)):
            a = _access(officer, c3)
            services.complete_info_gathering(
                officer,
                a,
                meeting_date=(t3 + datetime.timedelta(days=1)).date(),
                needs="[DEMO] Chăm sóc thay thế.",
            )
            start = (t3 + datetime.timedelta(days=2)).date()
            services.add_plan_item(
                officer,
                a,
                service="Chăm sóc thay thế tại gia đình nhận nuôi tạm thời",
                service_kind="alternative_care",
                start=start,
                end=start + datetime.timedelta(days=20),
                agency_name="UBND xã Văn Quan",
                budget_vnd=2_000_000,
            )
            services.submit_plan(officer, a, objectives="[DEMO] Trẻ được chăm sóc an toàn.")
        with _clock(t3 + datetime.timedelta(days=2)):
            services.approve_plan(
                chair,
                _access(chair, c3),
                decision_number="DEMO2/QĐ-UBND",
                notify_implementers=True,
                notify_family=True,
            )
        with _clock(t3 + datetime.timedelta(days=21)):
            a = _access(officer, c3)
            for item in a.case.plan_items.all():
                services.update_plan_item(officer, a, item, done=True, result="[DEMO] Đã thực hiện.")
            services.review_case(officer, a, outcome=ReviewOutcome.CLOSE, notes="[DEMO] Trẻ ổn định.")
    linked = link_demo_children()
    return (
        f"hồ sơ bảo vệ trẻ em demo: {Case.objects.filter(external_ref__startswith='DEMO-').count()} (xã Văn Quan, xã Điềm He)"
        + (f", {linked} liên kết với sổ theo dõi trẻ em" if linked else "")
    )


def link_demo_children() -> int:
    """Link the demo cases to the records of their children in the demo registry (``treem.registry.demo``), if loaded.

    A case's child matches a demo record of the case's commune with the same name (without "Demo "), sex and
    age. The provisional record the initial assessment created is merged into it by the registry's merge (the
    case follows the merge); a case that has no child yet is linked to it. Idempotent; returns the cases linked.
    """
    from treem.core.text import fold
    from treem.registry import linkage
    from treem.registry.codes import ChildStatus
    from treem.registry.demo import demo_children

    officers = {
        code: username
        for username, _, _, code, level, role in DEMO_USERS
        if level == Level.COMMUNE and role == Role.COMMUNE_OFFICER
    }
    users = None
    linked = 0
    for case in (
        Case.objects.filter(external_ref__startswith="DEMO-")
        .select_related("child", "commune")
        .order_by("pk")
    ):
        name = (case.reported_child_name or "").removeprefix("Demo ").strip()
        if not name or case.commune.code not in officers:
            continue
        candidates = demo_children().filter(
            commune=case.commune, name_folded=fold(name), status=ChildStatus.ACTIVE, sex=case.child_sex or ""
        )
        received = case.received_at.date()
        target = next(
            (
                c
                for c in candidates
                if case.child_age is None
                or (c.birth_date and abs(services._age_on(c.birth_date, received) - case.child_age) <= 1)
            ),
            None,
        )
        if target is None or case.child_id == target.pk:
            continue
        users = users or _users()
        officer = users[officers[case.commune.code]]
        if case.child_id and case.child.status == ChildStatus.PROVISIONAL:
            linkage.merge(officer, survivor=target, duplicate=case.child)
        elif case.child_id is None:
            case = Case.objects.select_for_update().get(pk=case.pk)
            before = services._state(case, "child_id", "child_age", "child_sex")
            services._link_child(officer, case, target)
            services._save_case(officer, case, before, "liên kết trẻ em trong sổ theo dõi")
        else:
            continue
        linked += 1
    return linked
