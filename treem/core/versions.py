"""Versions of kinds of records, for caches of figures computed from them.

A version is a counter in Django's cache, bumped whenever a record of its kind is written (model signals, and
the bulk writers that bypass them call :func:`bump` themselves). A cache entry keyed on the version is
recomputed after any change. The counter is bumped at once and again when the transaction commits, so a
reader between the write and the commit cannot pin the old figures under the new version.

With several server processes the cache must be shared between them for a change made in one to be seen at
once by the others; with a per-process cache (the embedded default) entries keyed on a version also expire
after :data:`MAX_AGE` seconds, which bounds how long another process can show an older figure.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction

MAX_AGE = 60  # seconds a figure cached under a version may live


def _key(kind: str) -> str:
    return f"treem-version-{kind}"


def version(kind: str) -> int:
    """The current version of a kind of records."""
    value = cache.get(_key(kind))
    if value is None:
        cache.add(_key(kind), 1, None)
        value = cache.get(_key(kind), 1)
    return int(value)


def _bump_now(kind: str) -> None:
    try:
        cache.incr(_key(kind))
    except ValueError:  # not in the cache yet (or evicted): any new value differs from what was cached under
        cache.set(_key(kind), version(kind) + 1, None)


def bump(kind: str, using: str | None = None) -> None:
    """Count a change of records of a kind: at once, and once more when the surrounding transaction commits."""
    _bump_now(kind)
    conn = transaction.get_connection(using)
    if conn.in_atomic_block and not any(
        getattr(entry[1], "treem_version", None) == kind for entry in conn.run_on_commit
    ):

        def after_commit():
            _bump_now(kind)

        after_commit.treem_version = kind
        transaction.on_commit(after_commit, using=using)


def bump_on_change(app_label: str, kind: str) -> None:
    """Bump a version whenever any model of an app is saved or deleted (connect in ``AppConfig.ready``)."""
    from django.apps import apps
    from django.db.models.signals import m2m_changed, post_delete, post_save

    def handler(sender, using=None, **kwargs):
        bump(kind, using)

    for model in apps.get_app_config(app_label).get_models():
        uid = f"treem-version-{kind}-{model._meta.label}"
        post_save.connect(handler, sender=model, weak=False, dispatch_uid=uid + "-save")
        post_delete.connect(handler, sender=model, weak=False, dispatch_uid=uid + "-delete")
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(
                handler, sender=field.remote_field.through, weak=False, dispatch_uid=uid + "-" + field.name
            )
