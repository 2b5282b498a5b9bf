"""Registry fixtures: communes of Văn Quan (Lạng Sơn) of both generations, users of each role, children."""

import datetime

import pytest

from tests.conftest import unit
from treem.accounts.models import Role
from treem.geo.models import Generation, Level
from treem.registry import services
from treem.registry.codes import DatePrecision


@pytest.fixture(autouse=True)
def _sync_jobs(settings, tmp_path):
    """Run background jobs inline and keep uploaded files in a temporary folder."""
    settings.TREEM_SYNC_JOBS = True
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def xa_van_quan(db):
    """Xã Văn Quan (from 1/7/2025), successor of Thị trấn Văn Quan, Hòa Bình and Tú Xuyên."""
    return unit("06253", Level.COMMUNE, Generation.Y2025)


@pytest.fixture
def xa_diem_he(db):
    """Xã Điềm He (from 1/7/2025), another commune of the former Văn Quan district."""
    return unit("06280", Level.COMMUNE, Generation.Y2025)


@pytest.fixture
def old_tu_xuyen(db):
    """Xã Tú Xuyên (before 1/7/2025), now part of Xã Văn Quan."""
    return unit("06277", Level.COMMUNE, Generation.PRE_2025)


@pytest.fixture
def officer(make_user, xa_van_quan):
    """The child-affairs officer of Xã Văn Quan."""
    return make_user(xa_van_quan, Role.COMMUNE_OFFICER, username="canbo_vanquan")


@pytest.fixture
def other_officer(make_user, xa_diem_he):
    """The child-affairs officer of Xã Điềm He (another commune)."""
    return make_user(xa_diem_he, Role.COMMUNE_OFFICER, username="canbo_diemhe")


@pytest.fixture
def viewer(make_user, xa_van_quan):
    """A viewer of Xã Văn Quan (no sensitive fields)."""
    return make_user(xa_van_quan, Role.VIEWER, username="xem_vanquan")


@pytest.fixture
def make_child(officer, xa_van_quan):
    """make_child(**fields): a child of Xã Văn Quan created through the audited service."""
    counter = {"n": 0}

    def _make(by=None, **fields):
        counter["n"] += 1
        data = {
            "full_name": f"Hoàng Văn Thử {chr(64 + counter['n'])}",
            "birth_date": datetime.date(2021, 3, counter["n"] % 28 + 1),
            "birth_date_precision": DatePrecision.DAY,
            "sex": "m",
            "commune": xa_van_quan,
        }
        data.update(fields)
        return services.create_child(by or officer, data)

    return _make
