from tests.web.fixtures import login, plans, units, users  # noqa: F401
