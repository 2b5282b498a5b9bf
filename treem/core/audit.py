"""The one audited path for writes of personal data and the one logged path for reads."""

from django.db import models

from .models import AccessEvent, AuditEvent


def _jsonable(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def snapshot(instance: models.Model, fields: list[str] | None = None) -> dict:
    """The current values of a model instance's concrete fields, JSON-ready."""
    names = fields or [f.attname for f in instance._meta.concrete_fields]
    return {name: _jsonable(getattr(instance, name)) for name in names}


def diff(before: dict, after: dict) -> dict:
    """Fields whose value changed: {field: [old, new]}."""
    return {
        k: [before.get(k), after.get(k)]
        for k in sorted(set(before) | set(after))
        if before.get(k) != after.get(k)
    }


def record_change(
    user, action: str, instance: models.Model, changes: dict | None = None, unit=None, reason: str = ""
) -> AuditEvent:
    """Write an audit event for a change to an object."""
    return AuditEvent.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        action=action,
        object_type=instance._meta.label_lower,
        object_id=str(instance.pk),
        unit=unit,
        changes=changes or {},
        reason=reason,
    )


def record_access(user, instance: models.Model, channel: str = "web", purpose: str = "") -> AccessEvent:
    """Log a read of a personal record."""
    return AccessEvent.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        object_type=instance._meta.label_lower,
        object_id=str(instance.pk),
        channel=channel,
        purpose=purpose,
    )
