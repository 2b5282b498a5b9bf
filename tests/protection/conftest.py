"""Fixtures of the protection tests: real communes of Văn Quan after 1/7/2025, users by role, a frozen clock."""

import datetime

import pytest
from django.utils import timezone

from tests.conftest import unit
from treem.accounts.models import Role
from treem.core import calendar as cal
from treem.geo.models import Generation, Level
from treem.protection.models import ChannelKey

VN_TZ = timezone.get_fixed_timezone(7 * 60)


def at(*args) -> datetime.datetime:
    """An aware local (UTC+7) datetime."""
    return datetime.datetime(*args, tzinfo=VN_TZ)


class Clock:
    """A frozen clock: services read the time through treem.core.calendar.now."""

    def __init__(self, moment):
        self.moment = moment

    def __call__(self):
        return self.moment

    def set(self, *args):
        self.moment = at(*args) if not isinstance(args[0], datetime.datetime) else args[0]
        return self.moment

    def advance(self, **kw):
        self.moment += datetime.timedelta(**kw)
        return self.moment


@pytest.fixture
def clock(monkeypatch):
    """Freeze the time at 09:00 on Thursday 23/4/2026 (before Giỗ Tổ, 30/4 and 1/5); move it with set/advance."""
    c = Clock(at(2026, 4, 23, 9, 0))
    monkeypatch.setattr(cal, "now", c)
    return c


@pytest.fixture(autouse=True)
def protection_urls(settings):
    settings.ROOT_URLCONF = "tests.protection.urls"


@pytest.fixture
def vq(db):
    """Xã Văn Quan (from 1/7/2025)."""
    return unit("06253", Level.COMMUNE, Generation.Y2025)


@pytest.fixture
def dh(db):
    """Xã Điềm He (from 1/7/2025)."""
    return unit("06280", Level.COMMUNE, Generation.Y2025)


@pytest.fixture
def province(db):
    """Tỉnh Lạng Sơn (from 1/7/2025)."""
    return unit("20", Level.PROVINCE, Generation.Y2025)


@pytest.fixture
def people(make_user, vq, dh):
    """One user per role in Xã Văn Quan, plus a commune officer of Xã Điềm He."""
    return {
        "officer": make_user(vq, Role.COMMUNE_OFFICER, username="canbo_vq"),
        "worker": make_user(vq, Role.CASE_WORKER, username="nhanvien_vq"),
        "worker2": make_user(vq, Role.CASE_WORKER, username="nhanvien2_vq"),
        "chairman": make_user(vq, Role.CHAIRMAN, username="chutich_vq"),
        "other_officer": make_user(dh, Role.COMMUNE_OFFICER, username="canbo_dh"),
    }


@pytest.fixture
def hotline_key(db):
    """A hotline-111 API key (plain text)."""
    return ChannelKey.issue("Tổng đài 111 (thử)", "hotline_111")[1]


def notification(**over) -> dict:
    """A hotline notification in JSON."""
    body = {
        "reference": "111-2026-000123",
        "commune_code": "06253",
        "harm_kind": "sexual_abuse",
        "harm_subkind": "l4",
        "setting": "community",
        "urgency": "urgent",
        "occurred_on": "2026-04-22",
        "place": "Thôn Bản Cóc, gần suối",
        "narrative": "Hàng xóm thấy một người đàn ông có hành vi dâm ô với bé gái.",
        "sexual_abuse_details": "Chi tiết rất nhạy cảm về hành vi.",
        "child": {
            "full_name": "Hoàng Thị Bích",
            "age": 11,
            "sex": "f",
            "details": "Học lớp 5 trường tiểu học Văn Quan",
        },
        "reporter": {
            "anonymous": False,
            "name": "Lường Văn Báo",
            "phone": "0912345678",
            "relationship": "neighbour",
        },
    }
    body.update(over)
    return body


def post_hotline(client, key, body):
    return client.post(
        "/api/v1/protection/hotline-111/notifications/",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Api-Key {key}",
    )
