"""Completeness, the list of who has not reported, reminders in-app and by e-mail, idempotent."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command

from treem.accounts.models import Role
from treem.reporting.completeness import by_unit, due_reminders, hierarchy, not_reported, rate_of
from treem.reporting.models import Notification, Reminder, Submission
from treem.reporting.workflow import approve, submit


@pytest.mark.django_db
def test_completeness_and_timeliness(
    in_round, round2024, gd_submission, gd_reporter, district_manager, van_quan, lang_son, settings
):
    subs = round2024.submissions.all()
    assert rate_of(subs).expected == 19 and rate_of(subs).actual == 0
    submit(gd_submission, gd_reporter)  # on time (1/11/2024)
    settings.TREEM_TODAY = "2024-11-20"
    late = Submission.objects.get(round=round2024, agency__name="Trung tâm Y tế")
    submit(late, district_manager)  # managers may submit for the units they manage; late (20/11)
    approve(gd_submission, district_manager)
    rate = rate_of(round2024.submissions.all())
    assert (rate.expected, rate.actual, rate.on_time, rate.approved) == (19, 2, 1, 1)
    up = dict((u.code, r) for u, r in hierarchy(round2024))
    assert up["184"].expected == 19 and up["20"].actual == 2 and up["VN"].on_time == 1
    communes = by_unit(
        round2024.submissions.all(), round2024.submissions.filter(agency__isnull=True).values("unit_id")
    )
    assert len(communes) == 15 and all(r.expected == 1 for r in communes.values())
    missing = not_reported(round2024.submissions.all(), datetime.date(2024, 11, 20))
    assert missing.count() == 17


@pytest.mark.django_db
def test_reminders_before_deadline_and_overdue_are_sent_once(
    round2024, gd_submission, make_user, van_quan, van_quan_agencies
):
    reporter = make_user(
        van_quan, Role.AGENCY_REPORTER, agency=van_quan_agencies["Phòng Giáo dục và Đào tạo"]
    )
    reporter.email = "gd.vanquan@example.vn"
    reporter.save()
    mail.outbox.clear()
    call_command(
        "send_reminders", "--date", "2024-11-08", stdout=open("/dev/null", "w")
    )  # 7 days before 15/11
    assert Reminder.objects.filter(submission=gd_submission, kind="before", key="7").exists()
    assert Notification.objects.filter(user=reporter, text__contains="còn 7 ngày").count() == 1
    assert (
        len(mail.outbox) == 1
        and "gd.vanquan@example.vn" in mail.outbox[0].to
        and "còn 7 ngày" in mail.outbox[0].subject
    )
    call_command(
        "send_reminders", "--date", "2024-11-08", stdout=open("/dev/null", "w")
    )  # again: nothing new
    assert len(mail.outbox) == 1 and Notification.objects.filter(user=reporter).count() == 1
    call_command("send_reminders", "--date", "2024-11-14", stdout=open("/dev/null", "w"))  # 1 day before
    call_command("send_reminders", "--date", "2024-11-16", stdout=open("/dev/null", "w"))  # overdue
    call_command("send_reminders", "--date", "2024-11-17", stdout=open("/dev/null", "w"))
    texts = list(
        Notification.objects.filter(user=reporter).order_by("created_at").values_list("text", flat=True)
    )
    assert len(texts) == 3 and "còn 1 ngày" in texts[1] and texts[2].startswith("QUÁ HẠN")
    assert len(mail.outbox) == 3
    # Submitted reports are not reminded.
    assert not [d for d in due_reminders(datetime.date(2024, 11, 14)) if d[0].status == "submitted"]


@pytest.mark.django_db
def test_missing_page(client, in_round, district_manager, round2024):
    client.force_login(district_manager)
    html = client.get("/bao-cao/chua-nop/").content.decode()
    assert (
        "Đơn vị, cơ quan chưa nộp báo cáo" in html
        and "Phòng Giáo dục và Đào tạo" in html
        and "Xã Tràng Phái" in html
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("on", "says"),
    [("2024-11-01", "còn 14 ngày"), ("2024-11-15", "hạn hôm nay"), ("2024-11-20", "quá hạn 5 ngày")],
)
def test_missing_page_says_how_long_until_or_since_the_deadline(
    client, settings, district_manager, round2024, on, says
):
    """Deadline 15/11/2024: 14 days left on 1/11, due on 15/11, five days late on 20/11."""
    settings.TREEM_TODAY = on
    client.force_login(district_manager)
    html = client.get("/bao-cao/chua-nop/").content.decode()
    assert says in html
