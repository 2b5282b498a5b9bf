"""Shared test set-up: the real administrative units, indicator catalogue and seed plans are loaded
once per test session (they are what users work with), factories make users with memberships, and the
browser tests share one Chromium (Debian's, driven by Playwright) and one way to log in."""

import os
from pathlib import Path

import pytest
from django.core.management import call_command

from treem.accounts.models import Membership, Role, User
from treem.geo.models import AdministrativeUnit, Generation, Level

PASSWORD = "Mat-khau-2026"  # make_user's default password
CHROMIUM = Path(os.environ.get("TREEM_CHROMIUM", "/usr/bin/chromium"))  # Debian's chromium package
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def pytest_collection_modifyitems(config, items):
    """Browser tests last: their live server flushes the session-loaded data, and Playwright keeps an
    event loop running in the main thread for as long as the shared browser lives."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
    if any(item.get_closest_marker("browser") for item in items):
        _sqlite_test_database_in_a_file()


def _sqlite_test_database_in_a_file() -> None:
    """On SQLite, browser tests get a test database in a file, as in production (WAL, busy timeout).

    The live server and the background-job threads each open their own connection; SQLite's default
    in-memory test database (shared cache) answers a second writer with "database table is locked" at
    once instead of waiting, so a job started by a page could fail whenever the page was polled."""
    from django.conf import settings
    from django.db import connections

    database = connections["default"].settings_dict
    if database["ENGINE"] != "django.db.backends.sqlite3" or database.get("TEST", {}).get("NAME"):
        return
    Path(settings.VAR_DIR).mkdir(parents=True, exist_ok=True)
    database.setdefault("TEST", {})["NAME"] = str(Path(settings.VAR_DIR) / "test-browser.sqlite3")


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

    def _make(unit_obj, role=Role.VIEWER, agency=None, username=None, password=PASSWORD):
        counter["n"] += 1
        user = User.objects.create_user(
            username=username or f"user{counter['n']}_{unit_obj.code}", password=password
        )
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


# ---------------------------------------------------------------- browser tests (pytest -m browser)


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium for the whole session: Debian's /usr/bin/chromium (or $TREEM_CHROMIUM)
    driven by Playwright. Skips the browser tests when Playwright or Chromium is missing."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("Playwright is not installed: .venv/bin/pip install -e '.[test]'")
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM}: apt-get install -y chromium")
    # Playwright's sync API keeps an event loop running in this thread; Django's ORM refuses to run
    # under a running loop unless told it is safe (it is: the tests call it synchronously).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def browser_page(chromium):
    """A page in a fresh browser context (no cookies from other tests): 1280×900, Vietnamese, downloads on."""
    context = chromium.new_context(
        viewport={"width": 1280, "height": 900}, locale="vi-VN", accept_downloads=True
    )
    # CI machines run the suite under heavy load: give a page a minute to answer before a test fails.
    context.set_default_timeout(60_000)
    context.set_default_navigation_timeout(90_000)
    page = context.new_page()
    yield page
    context.close()


def login(page, base: str, username: str, password: str = PASSWORD, then: str = "/") -> None:
    """Log in through the login form of a live server (``live_server.url`` or any running TreEm) and
    land on the page ``then``; fails with the user name when the login is refused."""
    page.context.clear_cookies()
    page.goto(f"{base}/tai-khoan/dang-nhap/?next={then}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "/tai-khoan/dang-nhap/" not in page.url, f"login refused for {username}"
    assert page.url == f"{base}{then}", f"after login: {page.url}, expected {base}{then}"
