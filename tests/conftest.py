"""Shared test set-up: the real administrative units, indicator catalogue and seed plans are loaded
once per test session (they are what users work with), and factories make users with memberships."""

import pytest
from django.core.management import call_command

from treem.accounts.models import Membership, Role, User
from treem.geo.models import AdministrativeUnit, Generation, Level


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load units, catalogue and seed plans into the test database once."""
    with django_db_blocker.unblock():
        call_command("setup_treem", "--no-demo", verbosity=0)


def unit(code: str, level: int, generation: str = Generation.PRE_2025) -> AdministrativeUnit:
    """A loaded unit by generation, level and code."""
    return AdministrativeUnit.objects.get(generation=generation, level=level, code=code)


@pytest.fixture
def make_user(db):
    """Make a user with one membership: make_user(unit, role=Role.VIEWER, agency=None)."""
    counter = {"n": 0}

    def _make(unit_obj, role=Role.VIEWER, agency=None, username=None, password="Mat-khau-2026"):
        counter["n"] += 1
        user = User.objects.create_user(username=username or f"user{counter['n']}_{unit_obj.code}", password=password)
        Membership.objects.create(user=user, unit=unit_obj, role=role, agency=agency)
        return user

    return _make


@pytest.fixture
def van_quan(db):
    """Huyện Văn Quan, Lạng Sơn (before 1/7/2025): issuer of seed 003."""
    return unit("184", Level.DISTRICT)


@pytest.fixture
def lang_son(db):
    """Tỉnh Lạng Sơn (before 1/7/2025)."""
    return unit("20", Level.PROVINCE)
