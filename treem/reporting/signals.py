"""Rounds follow their plan: any change to a plan, its targets, components, assignments or reporting
requirements regenerates its rounds once, after the transaction that changed it commits."""

import logging
import threading

from django.db import transaction

log = logging.getLogger(__name__)
_pending = threading.local()


def schedule_regeneration(plan_id: int | None) -> None:
    """Regenerate a plan's rounds after the current transaction commits (once per plan and transaction)."""
    if not plan_id:
        return
    pending = getattr(_pending, "ids", None)
    if pending is None:
        pending = _pending.ids = set()
    if plan_id in pending:
        return
    pending.add(plan_id)

    def run():
        pending.discard(plan_id)
        from treem.plans.models import PlanDocument

        from .rounds import generate_rounds

        plan = PlanDocument.objects.filter(pk=plan_id).select_related("issuing_unit").first()
        if plan is None:
            return
        try:
            generate_rounds(plan)
        except (
            Exception
        ):  # a plan must always save; the rounds can be regenerated with `treem generate_rounds`
            log.exception("Không tạo được kỳ báo cáo cho kế hoạch %s", plan_id)

    transaction.on_commit(run)


def _plan_id(instance):
    for attr in ("plan_id",):
        if hasattr(instance, attr):
            return getattr(instance, attr)
    if hasattr(instance, "target"):
        return instance.target.plan_id
    return None


def on_change(sender, instance, **kwargs):
    from treem.plans.models import PlanDocument

    schedule_regeneration(instance.pk if isinstance(instance, PlanDocument) else _plan_id(instance))


def connect():
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from treem.plans.models import Assignment, PlanDocument, ReportingRequirement, TargetComponent

    for model in (PlanDocument, ReportingRequirement, Assignment, TargetComponent):
        post_save.connect(on_change, sender=model, dispatch_uid=f"reporting-regen-save-{model.__name__}")
    for model in (ReportingRequirement, Assignment, TargetComponent):
        post_delete.connect(on_change, sender=model, dispatch_uid=f"reporting-regen-del-{model.__name__}")
    m2m_changed.connect(on_change, sender=Assignment.targets.through, dispatch_uid="reporting-regen-m2m")
