"""Submit → approve (locks) or return with a comment; approval moves up; reopen with a reason; audit."""

import pytest

from treem.core.models import AuditEvent
from treem.geo.models import Level
from treem.indicators.models import DataElement
from treem.indicators.rules import total_combo
from treem.reporting.entry import Change, SaveRejected, save_values
from treem.reporting.models import ApprovalStep, DataValue, Notification, SubmissionStatus, ValueStatus
from treem.reporting.workflow import WorkflowError, approve, reopen, return_for_correction, submit


@pytest.fixture
def filled(in_round, gd_submission, gd_reporter):
    de = DataElement.objects.get(code="DE_TRUONG_HOC")
    commune = gd_submission.responsibilities.filter(data_element=de).order_by("unit__code").first().unit
    save_values(gd_submission, gd_reporter, [Change(de.pk, total_combo().pk, commune.pk, "12")])
    return gd_submission, de, commune


@pytest.mark.django_db
def test_return_then_resubmit_then_approve_up_the_hierarchy(
    filled, gd_reporter, district_manager, province_manager
):
    sub, de, commune = filled
    submit(sub, gd_reporter)
    assert Notification.objects.filter(user=district_manager, text__contains="chờ duyệt").exists()
    assert not Notification.objects.filter(user=province_manager).exists()  # the nearest level is told
    with pytest.raises(WorkflowError):
        return_for_correction(sub, district_manager, "  ")
    return_for_correction(sub, district_manager, "Số trường chưa khớp thống kê của Phòng.")
    sub.refresh_from_db()
    assert sub.status == SubmissionStatus.RETURNED
    assert Notification.objects.filter(user=gd_reporter, text__contains="bị trả lại").exists()
    save_values(sub, gd_reporter, [Change(de.pk, total_combo().pk, commune.pk, "13", version=1)])
    submit(sub, gd_reporter)
    with pytest.raises(WorkflowError):
        approve(sub, gd_reporter)
    approve(sub, district_manager)
    sub.refresh_from_db()
    assert (sub.status, sub.approved_level) == (SubmissionStatus.APPROVED, Level.DISTRICT)
    with pytest.raises(WorkflowError):
        approve(sub, district_manager)  # already approved at this level
    approve(sub, province_manager)  # moves up
    sub.refresh_from_db()
    assert sub.approved_level == Level.PROVINCE
    assert list(ApprovalStep.objects.filter(submission=sub).values_list("action", "level")) == [
        ("submit", None),
        ("return", None),
        ("submit", None),
        ("approve", Level.DISTRICT),
        ("approve", Level.PROVINCE),
    ]
    # The district cannot reopen what the province approved; the province can, with a reason.
    with pytest.raises(WorkflowError):
        reopen(sub, district_manager, "Sửa số liệu")
    with pytest.raises(WorkflowError):
        reopen(sub, province_manager, "")
    reopen(sub, province_manager, "Phát hiện sai sót khi tổng hợp tỉnh")
    sub.refresh_from_db()
    assert sub.status == SubmissionStatus.RETURNED and sub.approved_level is None
    assert set(DataValue.objects.filter(submission=sub).values_list("status", flat=True)) == {
        ValueStatus.DRAFT
    }


@pytest.mark.django_db
def test_every_value_change_is_audited(filled, gd_reporter):
    sub, de, commune = filled
    v = DataValue.objects.get(submission=sub, data_element=de, unit=commune)
    save_values(
        sub, gd_reporter, [Change(de.pk, total_combo().pk, commune.pk, "14", "đã rà soát", version=v.version)]
    )
    events = AuditEvent.objects.filter(object_type="reporting.datavalue", object_id=str(v.pk)).order_by(
        "at", "pk"
    )
    assert [e.action for e in events] == ["create", "update"]
    assert events[1].changes["value"] == ["12.0000", "14"] and events[1].user == gd_reporter
    assert events[1].changes["comment"] == ["", "đã rà soát"]
    # Clearing a value deletes it, audited.
    save_values(sub, gd_reporter, [Change(de.pk, total_combo().pk, commune.pk, "", version=2)])
    assert AuditEvent.objects.filter(
        object_type="reporting.datavalue", object_id=str(v.pk), action="delete"
    ).exists()


@pytest.mark.django_db
def test_locked_after_the_lock_date_unless_reopened(filled, gd_reporter, district_manager, settings):
    sub, de, commune = filled
    settings.TREEM_TODAY = "2024-12-20"  # after 15/12/2024
    with pytest.raises(SaveRejected) as e:
        save_values(sub, gd_reporter, [Change(de.pk, total_combo().pk, commune.pk, "20", version=1)])
    assert "đã khóa" in e.value.errors[0].message
    settings.TREEM_TODAY = "2024-11-01"
    submit(sub, gd_reporter)
    approve(sub, district_manager)
    settings.TREEM_TODAY = "2024-12-20"
    reopen(sub, district_manager, "Bổ sung số liệu")
    sub.refresh_from_db()
    assert sub.extended_until is not None
    save_values(sub, gd_reporter, [Change(de.pk, total_combo().pk, commune.pk, "20", version=1)])


@pytest.mark.django_db
def test_submit_blocks_on_errors_and_warns_on_empty_cells(in_round, gd_submission, gd_reporter):
    total = total_combo()
    num, den = (
        DataElement.objects.get(code="DE_TRUONG_CO_HO_TRO_TAM_LY"),
        DataElement.objects.get(code="DE_TRUONG_HOC"),
    )
    commune = gd_submission.responsibilities.filter(data_element=den).first().unit
    save_values(gd_submission, gd_reporter, [Change(den.pk, total.pk, commune.pk, "10")])
    # Numerator > denominator is refused when saved.
    with pytest.raises(SaveRejected) as e:
        save_values(gd_submission, gd_reporter, [Change(num.pk, total.pk, commune.pk, "11")])
    assert "lớn hơn mẫu số" in e.value.errors[0].message
    warnings = submit(gd_submission, gd_reporter)
    assert any("ô tổng số để trống" in w.message for w in warnings)
