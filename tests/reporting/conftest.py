"""Fixtures of the reporting tests: the Văn Quan plan (seed 003), its rounds, and its reporters."""

import pytest

from treem.accounts.models import Agency, Role
from treem.geo.models import AdministrativeUnit, Generation
from treem.plans.models import PlanDocument
from treem.reporting.models import Round, Submission

GD = "Phòng Giáo dục và Đào tạo"
LD = "Phòng Lao động, Thương binh, Xã hội - Dân tộc"
YT = "Trung tâm Y tế"


def unit(code, level, generation=Generation.PRE_2025):
    return AdministrativeUnit.objects.get(generation=generation, level=level, code=code)


@pytest.fixture
def plan003(db):
    return PlanDocument.objects.get(key="seed-003")


@pytest.fixture
def round2024(plan003):
    """The yearly round 2024 (deadline 15/11/2024): the last one before the reform, agencies and communes."""
    return Round.objects.get(plan=plan003, period__code="2024")


@pytest.fixture
def round2025(plan003):
    """The yearly round 2025 (deadline 15/11/2025): after the reform, the 6 successor communes."""
    return Round.objects.get(plan=plan003, period__code="2025")


@pytest.fixture
def in_round(settings):
    """Freeze TreEm's clock inside the 2024 yearly round (open, before the deadline)."""
    settings.TREEM_TODAY = "2024-11-01"
    return settings


@pytest.fixture
def van_quan_agencies(van_quan):
    return {a.name: a for a in Agency.objects.filter(unit=van_quan)}


@pytest.fixture
def gd_reporter(make_user, van_quan, van_quan_agencies):
    return make_user(van_quan, Role.AGENCY_REPORTER, agency=van_quan_agencies[GD], username="gd")


@pytest.fixture
def gd_reporter2(make_user, van_quan, van_quan_agencies):
    return make_user(van_quan, Role.AGENCY_REPORTER, agency=van_quan_agencies[GD], username="gd2")


@pytest.fixture
def district_manager(make_user, van_quan):
    return make_user(van_quan, Role.UNIT_MANAGER, username="vq-manager")


@pytest.fixture
def province_manager(make_user, lang_son):
    return make_user(lang_son, Role.UNIT_MANAGER, username="ls-manager")


@pytest.fixture
def gd_submission(round2024, van_quan_agencies):
    return Submission.objects.get(round=round2024, agency=van_quan_agencies[GD])
