"""Completeness and timeliness (as DHIS2: expected reports, actual, on time), summed up the hierarchy,
the list of who has not reported, and reminders before the deadline and when overdue."""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, QuerySet

from treem.geo.models import AdministrativeUnit

from .models import Reminder, ReminderKind, Round, Submission, SubmissionStatus

log = logging.getLogger(__name__)
DONE = (SubmissionStatus.SUBMITTED, SubmissionStatus.APPROVED)


@dataclass
class Rate:
    expected: int
    actual: int
    on_time: int
    approved: int = 0

    @property
    def rate(self) -> float | None:
        return round(100 * self.actual / self.expected, 1) if self.expected else None

    @property
    def on_time_rate(self) -> float | None:
        return round(100 * self.on_time / self.expected, 1) if self.expected else None


def _on_time_q(prefix: str = "") -> Q:
    return Q(**{f"{prefix}first_submitted_at__date__lte": F(f"{prefix}round__deadline")})


def rate_of(submissions: QuerySet) -> Rate:
    """Expected, actual (submitted or approved), on time (first submitted by the deadline), approved."""
    agg = submissions.aggregate(
        expected=Count("id"),
        actual=Count("id", filter=Q(status__in=DONE)),
        on_time=Count("id", filter=Q(status__in=DONE) & _on_time_q()),
        approved=Count("id", filter=Q(status=SubmissionStatus.APPROVED)),
    )
    return Rate(**agg)


def by_unit(submissions: QuerySet, units) -> dict[int, Rate]:
    """Completeness of the submissions under each unit (through the closure table), in one query."""
    rows = (
        submissions.filter(unit__ancestor_links__ancestor__in=units)
        .values("unit__ancestor_links__ancestor")
        .annotate(
            expected=Count("id"),
            actual=Count("id", filter=Q(status__in=DONE)),
            on_time=Count("id", filter=Q(status__in=DONE) & _on_time_q()),
            approved=Count("id", filter=Q(status=SubmissionStatus.APPROVED)),
        )
    )
    return {r.pop("unit__ancestor_links__ancestor"): Rate(**r) for r in rows}


def hierarchy(rnd: Round) -> list[tuple[AdministrativeUnit, Rate]]:
    """Completeness of a round at every unit above its reporters (country, province, district…), top first."""
    subs = rnd.submissions.all()
    above = AdministrativeUnit.objects.filter(
        descendant_links__descendant__in=subs.values("unit_id")
    ).distinct()
    rates = by_unit(subs, above)
    return [(u, rates[u.pk]) for u in above.order_by("level", "code") if u.pk in rates]


def not_reported(submissions: QuerySet, on: datetime.date) -> QuerySet:
    """Submissions of open or past rounds not yet submitted, earliest deadline first."""
    return (
        submissions.filter(round__active=True, round__opens_on__lte=on)
        .exclude(status__in=DONE)
        .select_related("round__period", "round__plan", "unit", "agency")
        .order_by("round__deadline", "agency__name", "unit__code")
    )


# ---------------------------------------------------------------------------------------------
# Reminders


def _reminder_days(rnd: Round) -> list[int]:
    from .rounds import settings_of

    days = settings_of(rnd.plan).reminder_days or [7, 1]
    return sorted({int(d) for d in days if int(d) > 0})


def due_reminders(on: datetime.date) -> list[tuple[Submission, str, str]]:
    """(submission, kind, key) for every reminder due on a date and not sent yet."""
    out = []
    subs = (
        Submission.objects.filter(round__active=True, round__opens_on__lte=on, round__locks_on__gt=on)
        .exclude(status__in=DONE)
        .select_related("round__plan", "round__period", "agency", "unit")
    )
    sent = set(Reminder.objects.filter(submission__in=subs).values_list("submission_id", "kind", "key"))
    for sub in subs:
        left = (sub.round.deadline - on).days
        if left < 0:
            if (sub.pk, ReminderKind.OVERDUE, "overdue") not in sent:
                out.append((sub, ReminderKind.OVERDUE, "overdue"))
            continue
        # The nearest reminder day not past: a first run one day before the deadline sends the
        # "1 day" reminder only, never the "7 days" one too.
        applicable = [d for d in _reminder_days(sub.round) if left <= d]
        if applicable:
            key = str(min(applicable))
            if (sub.pk, ReminderKind.BEFORE, key) not in sent:
                out.append((sub, ReminderKind.BEFORE, key))
    return out


def send_reminders(on: datetime.date) -> dict:
    """Send the due reminders in-app and by e-mail; idempotent (a reminder is recorded once, never resent)."""
    from .workflow import notify, reporters_of

    counts = {"reminders": 0, "notifications": 0, "emails": 0}
    for sub, kind, key in due_reminders(on):
        rnd = sub.round
        users = reporters_of(sub)
        if kind == ReminderKind.OVERDUE:
            text = (
                f"QUÁ HẠN: báo cáo {rnd.period.label} của {sub.reporter_name} ({rnd.plan}) phải nộp trước "
                f"{rnd.deadline:%d/%m/%Y}. Đề nghị hoàn thành và nộp ngay."
            )
        else:
            text = (
                f"Nhắc: còn {(rnd.deadline - on).days} ngày đến hạn nộp báo cáo {rnd.period.label} của "
                f"{sub.reporter_name} ({rnd.plan}), hạn {rnd.deadline:%d/%m/%Y}."
            )
        try:
            with transaction.atomic():
                Reminder.objects.create(
                    submission=sub, kind=kind, key=key, recipients=[u.username for u in users]
                )
                counts["notifications"] += notify(users, text, sub.get_absolute_url())
        except IntegrityError:  # another run sent it meanwhile
            continue
        counts["reminders"] += 1
        emails = [u.email for u in users if u.email]
        if emails:
            try:
                send_mail(
                    f"[TreEm] {text[:120]}",
                    text + f"\n\nMở biểu mẫu: {sub.get_absolute_url()}",
                    settings.DEFAULT_FROM_EMAIL,
                    emails,
                    fail_silently=False,
                )
                counts["emails"] += len(emails)
            except Exception:  # the in-app reminder stands; the mail server's failure is logged
                log.exception("Không gửi được thư nhắc cho %s", emails)
    return counts
