"""Sensitive fields are encrypted at rest: a raw read of the tables finds no narrative, name or place."""

import datetime

import pytest
from django.db import connection

from treem.protection import crypto, policy, services
from treem.protection.codes import Finding
from treem.protection.models import Case

from .conftest import notification, post_hotline

SECRETS = [
    "Hàng xóm thấy",
    "Lường Văn Báo",
    "0912345678",
    "Thôn Bản Cóc",
    "rất nhạy cảm",
    "Học lớp 5",
    "Nhà bà ngoại",
    "Nguy cơ cao",
]


def raw_dump(tables) -> str:
    """Every row of the tables as text, read with raw SQL (what a database dump would show)."""
    out = []
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            out += [" | ".join(map(str, row)) for row in cursor.fetchall()]
    return "\n".join(out)


@pytest.mark.django_db
def test_encrypted_fields_unreadable_in_a_raw_dump(client, clock, hotline_key, people):
    uid = post_hotline(
        client,
        hotline_key,
        notification(child={"full_name": "Hoàng Thị Bích", "age": 11, "sex": "f", "details": "Học lớp 5"}),
    ).json()["case"]
    case = Case.objects.get(uid=uid)
    officer = people["officer"]
    a = policy.CaseAccess(officer, case)
    services.complete_initial_assessment(
        officer, a, finding=Finding.HARMED, emergency_needed=True, notes="Nguy cơ cao", create_child=True
    )
    services.start_separation(
        officer, a, start=clock.moment, end=clock.moment + datetime.timedelta(days=3), place="Nhà bà ngoại"
    )
    services.add_photo(
        officer, a, content=b"\x89PNG secret photo bytes", content_type="image/png", caption="Thôn Bản Cóc"
    )
    tables = [
        m._meta.db_table
        for m in (
            Case,
            Case.steps.rel.related_model,
            Case.separations.rel.related_model,
            Case.photos.rel.related_model,
            Case.consents.rel.related_model,
        )
    ]
    dump = raw_dump(tables)
    assert "fernet:" in dump
    for secret in SECRETS + ["secret photo bytes"]:
        assert secret not in dump, secret
    # the audit and access logs hold no personal values either
    logs = raw_dump(["core_auditevent", "core_accessevent"])
    for secret in SECRETS:
        assert secret not in logs, secret
    # …while the application reads them back
    case = Case.objects.get(pk=case.pk)
    assert (
        case.narrative.startswith("Hàng xóm")
        and case.reporter_name == "Lường Văn Báo"
        and case.place.startswith("Thôn Bản Cóc")
    )
    assert case.photos.get().content == b"\x89PNG secret photo bytes"


def test_keys_from_the_environment_and_rotation(monkeypatch, settings):
    from cryptography.fernet import Fernet

    old, new = Fernet.generate_key().decode(), "một mật khẩu dài bất kỳ"
    monkeypatch.setenv("TREEM_FIELD_KEY", old)
    crypto._cipher.cache_clear()
    token = crypto.encrypt("bí mật")
    monkeypatch.setenv("TREEM_FIELD_KEY", f"{new},{old}")  # new key first, old still decrypts
    assert crypto.decrypt(token) == "bí mật"
    assert crypto.decrypt(crypto.encrypt("khác")) == "khác"
    monkeypatch.setenv("TREEM_FIELD_KEY", new)
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        crypto.decrypt(token)
    monkeypatch.delenv("TREEM_FIELD_KEY")
    monkeypatch.setenv("DEBUG", "0")
    with pytest.raises(ImproperlyConfigured):
        crypto.encrypt("x")
