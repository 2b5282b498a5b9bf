"""Need-to-know: every case page and API endpoint tried as every role, in the case's commune and outside it —
no leak of the case, and sensitive fields only to the roles allowed them."""

import datetime

import pytest
from django.urls import reverse

from treem.accounts.models import Agency, Role, Sector
from treem.protection import policy, services
from treem.protection.codes import Finding
from treem.protection.models import Case, CaseAssignment, Referral

from .conftest import notification, post_hotline
from .views_list import case_get_urls, case_post_urls

CHILD, NARRATIVE, REPORTER, PLACE, SEXUAL = (
    "Hoàng Thị Bích",
    "Hàng xóm thấy",
    "Lường Văn Báo",
    "Thôn Bản Cóc",
    "rất nhạy cảm",
)
ALL_MARKERS = (CHILD, NARRATIVE, REPORTER, PLACE, SEXUAL)
# Who reads the case, and which sensitive groups (in the case's commune; outside it nobody).
READERS = {
    Role.COMMUNE_OFFICER: {"content", "reporter"},
    Role.SUPERVISOR: {"content", "reporter"},
    Role.CHAIRMAN: {"content"},
}
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\r"
    b"IDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def scenario(client, clock, hotline_key, people, vq):
    """A case with every kind of record: assignment, plan item, separation, referral, consent, photo, grant, pending transfer."""
    uid = post_hotline(client, hotline_key, notification()).json()["case"]
    case = Case.objects.get(uid=uid)
    officer, worker = people["officer"], people["worker"]
    a = policy.CaseAccess(officer, case)
    services.assign(officer, a, worker, primary=True)
    clock.advance(hours=1)
    services.complete_initial_assessment(
        officer, a, finding=Finding.HARMED, emergency_needed=False, create_child=True
    )
    a = policy.CaseAccess(officer, Case.objects.get(pk=case.pk))
    services.add_plan_item(
        officer,
        a,
        service="Tư vấn tâm lý",
        start=datetime.date(2026, 4, 24),
        end=datetime.date(2026, 5, 30),
        agency_name="Trạm Y tế",
    )
    services.start_separation(
        officer, a, start=clock.moment, end=clock.moment + datetime.timedelta(days=10), place=PLACE
    )
    services.record_consent(officer, a, party="parent", given=True)
    services.record_consent(officer, a, party="child", given=True)
    health = Agency.objects.create(unit=vq, name="Trạm Y tế xã Văn Quan", sector=Sector.HEALTH)
    services.create_referral(officer, a, service="health", purpose="Khám sức khỏe", to_agency=health)
    services.add_photo(officer, a, content=PNG, content_type="image/png", caption="ảnh vết thương")
    services.grant_access(officer, a, to_user=people["worker2"], reason="hỗ trợ tạm thời")
    services.request_transfer(officer, a, kind="worker", to_user=people["worker2"], reason="nghỉ phép")
    return Case.objects.get(pk=case.pk)


def _text(response) -> str:
    if response.get("Content-Type", "").startswith(("application/vnd", "image/")):
        return response.content.decode("latin-1")
    return response.content.decode("utf-8", "replace")


ROLES = [r for r in Role.values] + ["superuser"]


@pytest.mark.django_db
@pytest.mark.parametrize("inside", [True, False], ids=["in-commune", "outside"])
@pytest.mark.parametrize("role", ROLES)
def test_every_view_and_endpoint_as_every_role(client, scenario, make_user, vq, dh, role, inside):
    case = scenario
    where = vq if inside else dh
    if role == "superuser":
        user = make_user(where, Role.VIEWER, username=f"super_{where.code}")
        user.is_superuser = user.is_staff = True
        user.save()
    else:
        agency = (
            Agency.objects.create(unit=where, name=f"Công an {where.name}", sector=Sector.POLICE)
            if role == Role.POLICE
            else None
        )
        user = make_user(where, role, agency=agency, username=f"{role}_{where.code}")
    client.force_login(user)
    groups = READERS.get(role, set()) if inside else set()
    reads = bool(groups)
    expected = (
        {CHILD}
        | ({NARRATIVE, PLACE, SEXUAL} if "content" in groups else set())
        | ({REPORTER} if "reporter" in groups else set())
    )

    seen = set()
    for name, url in case_get_urls(case):
        r = client.get(url)
        assert r.status_code < 500, (name, url, r.status_code)
        text = _text(r)
        if not reads:
            assert r.status_code in (403, 404), (role, inside, name, url, r.status_code)
            assert not [m for m in ALL_MARKERS if m in text], (role, inside, name)
        else:
            seen |= {m for m in ALL_MARKERS if m in text}
            leaked = {m for m in ALL_MARKERS if m in text} - expected
            assert not leaked, (role, name, leaked)
    if reads:
        assert {CHILD, NARRATIVE} & seen or role == Role.CHAIRMAN
        assert seen == expected or seen <= expected, (role, seen, expected)

    # Pages and endpoints that list or count: never a case the user may not read.
    for url in (
        "/bao-ve/",
        "/bao-ve/ho-so/",
        "/bao-ve/chuyen-giao/",
        "/bao-ve/thong-ke/?period=2026",
        "/bao-ve/thong-ke/?period=2026&format=csv",
        "/api/v1/protection/cases/",
        "/api/v1/protection/referrals/",
        "/api/v1/protection/tasks/",
        "/api/v1/protection/statistics/?period=2026",
        "/bao-ve/ho-so/moi/",
    ):
        r = client.get(url)
        assert r.status_code in (200, 403), (url, r.status_code)
        text = _text(r)
        aggregate = "thong-ke" in url or "statistics" in url
        for marker in (NARRATIVE, REPORTER, PLACE, SEXUAL):
            assert marker not in text or (marker in expected and not aggregate), (role, url, marker)
        if not reads or aggregate:
            assert CHILD not in text and case.number not in text, (role, url)

    # Every write: refused, nothing changed.
    before = (
        Case.objects.get(pk=case.pk).updated_at,
        case.steps.count(),
        case.plan_items.count(),
        Referral.objects.count(),
        CaseAssignment.objects.filter(active=True).count(),
        case.grants.filter(revoked_at__isnull=True).count(),
    )
    for name, url, data in case_post_urls(case):
        r = (
            client.post(url, data)
            if not url.startswith("/api/")
            else client.post(url, data, content_type="application/json")
        )
        if not reads:
            assert r.status_code in (401, 403, 404), (role, inside, name, r.status_code)
    if not reads:
        after = (
            Case.objects.get(pk=case.pk).updated_at,
            case.steps.count(),
            case.plan_items.count(),
            Referral.objects.count(),
            CaseAssignment.objects.filter(active=True).count(),
            case.grants.filter(revoked_at__isnull=True).count(),
        )
        assert before == after


@pytest.mark.django_db
def test_assigned_worker_granted_user_and_anonymous(client, scenario, people):
    case = scenario
    # the assigned worker reads everything; an unassigned worker of the same commune reads nothing
    client.force_login(people["worker"])
    assert REPORTER in client.get(f"/bao-ve/ho-so/{case.uid}/").content.decode()
    # an explicit grant without "sensitive": the case but no narrative, place or reporter
    client.force_login(people["worker2"])
    text = client.get(f"/bao-ve/ho-so/{case.uid}/").content.decode()
    assert CHILD in text and NARRATIVE not in text and REPORTER not in text and PLACE not in text
    # the receiver of a pending transfer sees only the transfer
    assert "nghỉ phép" in client.get("/bao-ve/chuyen-giao/").content.decode()
    client.logout()
    for name, url in case_get_urls(case):
        r = client.get(url)
        assert r.status_code in (302, 401, 403), (name, r.status_code)
        assert CHILD not in _text(r)


@pytest.mark.django_db
def test_every_url_of_the_app_is_covered(scenario):
    """The authorisation test tries every named protection route (a new page must be added to it)."""
    from treem.protection import api_urls, urls

    tried = {name for name, _ in case_get_urls(scenario)} | {name for name, _, _ in case_post_urls(scenario)}
    tried |= {
        "dashboard",
        "list",
        "intake",
        "transfers",
        "statistics",
        "protection-tasks",
        "protection-statistics",
        "protection-case-list",
        "protection-referral-list",
        "protection-hotline",
    }
    names = {p.name for p in urls.urlpatterns} | {
        p.name for p in api_urls.urlpatterns if getattr(p, "name", None)
    }
    names |= {p.name for p in api_urls.router.urls}
    assert names <= tried, names - tried
    assert reverse("protection:case", args=[scenario.uid])


def test_the_menu_offers_intake_only_to_those_who_may_record(client, make_user, people, vq):
    """A viewer of the commune is not shown "Ghi nhận tin báo" (it would answer 403); the officer is."""
    intake = reverse("protection:intake")
    client.force_login(make_user(vq, Role.VIEWER, username="xem_vq"))
    for name in ("protection:list", "protection:statistics", "protection:transfers"):
        page = client.get(reverse(name))
        assert page.status_code == 200 and f'href="{intake}"' not in page.content.decode(), name
    assert client.get(intake).status_code == 403
    client.force_login(people["officer"])
    page = client.get(reverse("protection:list"))
    assert f'href="{intake}"' in page.content.decode()
