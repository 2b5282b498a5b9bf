"""Merging two registry records carries the protection cases of the merged-away record to the survivor,
audited like the rest of the merge and in the same transaction."""

import datetime

import pytest

from treem.core.models import AuditEvent
from treem.protection import policy, services
from treem.protection.codes import Channel, Finding, HarmKind
from treem.protection.models import Case
from treem.registry import linkage
from treem.registry import services as registry
from treem.registry.codes import ChildStatus
from treem.registry.models import Child, MergeEvent

pytestmark = pytest.mark.django_db


def access(user, case):
    return policy.CaseAccess(user, Case.objects.get(pk=case.pk))


@pytest.fixture
def records(clock, people, vq):
    """A registry child, and a case whose assessment created a provisional record of the same child."""
    officer = people["officer"]
    child = registry.create_child(
        officer,
        {
            "full_name": "Hoàng Thị Bích",
            "birth_date": datetime.date(2014, 9, 2),
            "sex": "f",
            "commune": vq,
            "personal_id": "020314001234",
        },
    )
    case, _ = services.intake(
        officer,
        vq,
        Channel.COMMUNE,
        {
            "harm_kind": HarmKind.VIOLENCE,
            "harm_subkind": "v1",
            "setting": "family",
            "reported_child_name": "Hoàng Thị Bích",
            "child_age": 11,
            "child_sex": "f",
            "narrative": "Cô giáo thấy trẻ có vết bầm tím.",
        },
    )
    services.complete_initial_assessment(
        officer, access(officer, case), finding=Finding.HARMED, emergency_needed=False, create_child=True
    )
    case.refresh_from_db()
    provisional = case.child
    assert provisional.status == ChildStatus.PROVISIONAL and provisional.pk != child.pk
    other, _ = services.intake(
        officer,
        vq,
        Channel.COMMUNE,
        {
            "harm_kind": HarmKind.NEGLECT,
            "child_age": 11,
            "child_sex": "f",
            "narrative": "Trẻ thường ở nhà một mình.",
        },
        child=provisional,
    )
    return {"officer": officer, "child": child, "provisional": provisional, "cases": [case, other]}


def test_cases_follow_the_merge_to_the_survivor(records):
    officer, child, provisional, cases = (
        records["officer"],
        records["child"],
        records["provisional"],
        records["cases"],
    )
    event = linkage.merge(officer, survivor=child, duplicate=provisional)
    assert set(Case.objects.filter(pk__in=[c.pk for c in cases]).values_list("child_id", flat=True)) == {
        child.pk
    }
    assert not Case.objects.filter(child=provisional).exists()
    assert sorted(event.snapshot["links"]["protection.case.child"]) == sorted(c.pk for c in cases)
    for case in cases:
        audit = AuditEvent.objects.get(
            object_type="protection.case", object_id=str(case.pk), reason="gộp hồ sơ trùng"
        )
        assert audit.changes == {"child_id": [provisional.pk, child.pk]}
        assert audit.user == officer and audit.unit_id == case.commune_id
    provisional.refresh_from_db()
    assert provisional.status == ChildStatus.MERGED and provisional.merged_into_id == child.pk
    # The case reads the surviving record: its name, and its commune's officer still sees it.
    case = Case.objects.get(pk=cases[0].pk)
    assert case.child_label == "Hoàng Thị Bích"
    assert policy.visible_cases(officer).filter(pk=case.pk).exists()


def test_a_merge_without_cases_records_no_links(records):
    officer, child = records["officer"], records["child"]
    dup = registry.create_child(
        officer,
        {
            "full_name": "Hoang Thi Bich",
            "birth_date": datetime.date(2014, 9, 2),
            "sex": "f",
            "commune": child.commune,
        },
    )
    event = linkage.merge(officer, survivor=child, duplicate=dup)
    assert "links" not in event.snapshot
    assert Case.objects.filter(child=child).count() == 0


def test_case_links_roll_back_with_a_failed_merge(records, monkeypatch):
    officer, child, provisional, cases = (
        records["officer"],
        records["child"],
        records["provisional"],
        records["cases"],
    )
    audits = AuditEvent.objects.count()

    def boom(*args, **kwargs):
        raise RuntimeError("mất kết nối")

    monkeypatch.setattr(registry, "refresh_immunisation", boom)  # fails after the cases were moved
    with pytest.raises(RuntimeError):
        linkage.merge(officer, survivor=child, duplicate=provisional)
    assert set(Case.objects.filter(pk__in=[c.pk for c in cases]).values_list("child_id", flat=True)) == {
        provisional.pk
    }
    assert Child.objects.get(pk=provisional.pk).status == ChildStatus.PROVISIONAL
    assert not MergeEvent.objects.exists() and AuditEvent.objects.count() == audits


def test_automatic_merge_carries_cases(records):
    """A de-duplication run that merges on the same personal ID moves the cases too (survivor: the first record)."""
    officer, child = records["officer"], records["child"]
    twin = registry.create_child(
        officer,
        {
            "full_name": "Hoàng T. Bích",
            "birth_date": datetime.date(2014, 9, 2),
            "sex": "f",
            "commune": child.commune,
            "personal_id": "020314001234",
        },
    )
    case, _ = services.intake(
        officer,
        child.commune,
        Channel.COMMUNE,
        {"harm_kind": HarmKind.VIOLENCE, "narrative": "Tin báo khác."},
        child=twin,
    )
    linkage.run_dedupe(officer, child.commune)
    twin.refresh_from_db()
    survivor = twin.merged_into if twin.status == ChildStatus.MERGED else twin
    assert Case.objects.get(pk=case.pk).child_id == survivor.pk
    assert Child.objects.get(pk=Case.objects.get(pk=case.pk).child_id).status != ChildStatus.MERGED


def test_undoing_the_merge_sends_the_cases_back(records):
    officer, child, provisional, cases = (
        records["officer"],
        records["child"],
        records["provisional"],
        records["cases"],
    )
    event = linkage.merge(officer, survivor=child, duplicate=provisional)
    linkage.undo_merge(officer, MergeEvent.objects.get(pk=event.pk))
    assert set(Case.objects.filter(pk__in=[c.pk for c in cases]).values_list("child_id", flat=True)) == {
        provisional.pk
    }
    for case in cases:
        audit = AuditEvent.objects.get(
            object_type="protection.case", object_id=str(case.pk), reason="hoàn tác gộp"
        )
        assert audit.changes == {"child_id": [child.pk, provisional.pk]}
    provisional.refresh_from_db()
    assert provisional.merged_into_id is None
