"""Fixtures shared by the web and API tests: the real seed plans, plans of two new communes, users at
every level (Văn Quan, Hương Trà, two communes of the new Lạng Sơn, a superuser)."""

import pytest

from treem.accounts.models import Role, User
from treem.geo.models import AdministrativeUnit, Generation, Level
from treem.plans.models import PlanDocument
from treem.plans.services import store_plan

PASSWORD = "Mat-khau-2026"


def unit(code, level, generation=Generation.PRE_2025):
    """A loaded unit by code, level and generation."""
    return AdministrativeUnit.objects.get(code=code, level=level, generation=generation)


def commune_plan(commune, number, title):
    """A small plan issued by a commune, implementing Kế hoạch 194/KH-UBND of Lạng Sơn, with one target."""
    data = {
        "document": {
            "type": "Kế hoạch",
            "number": number,
            "issuer": f"UBND {commune.full_name}",
            "issuer_kind": "people_committee",
            "date": "2025-09-15",
            "place": commune.name,
            "signer": "Nguyễn Văn A",
            "signer_title": "CHỦ TỊCH",
            "title": title,
            "period": [2025, 2030],
            "implements": [
                {
                    "number": "194/KH-UBND",
                    "date": "2024-08-12",
                    "type": "Kế hoạch",
                    "issuer": "UBND tỉnh Lạng Sơn",
                }
            ],
        },
        "objectives": [
            {"number": "1", "kind": "general", "title": "Mục tiêu chung", "text": "Bảo đảm quyền trẻ em."}
        ],
        "targets": [
            {
                "number": "1",
                "objective": "1",
                "group": "Chăm sóc sức khỏe",
                "text": f"Tỷ lệ trẻ em dưới 5 tuổi suy dinh dưỡng thấp còi dưới 12,5% vào năm 2030 ({commune.name}).",
                "components": [
                    {
                        "indicator": "tỷ lệ trẻ em dưới 5 tuổi suy dinh dưỡng thấp còi",
                        "comparator": "lt",
                        "value": 12.5,
                        "unit": "%",
                        "year": 2030,
                    }
                ],
            }
        ],
        "tasks": [{"number": "1", "title": "Tuyên truyền", "text": "Tuyên truyền về quyền trẻ em."}],
        "assignments": [
            {
                "agency": f"Văn phòng HĐND và UBND {commune.full_name}",
                "sector": "people_committee",
                "role": "lead",
                "targets": ["1"],
                "tasks": ["1"],
            }
        ],
        "reporting": [
            {
                "frequency": "annual",
                "deadline": "30/11",
                "reporters": "agencies",
                "to": f"UBND {commune.full_name}",
            }
        ],
    }
    return store_plan(data, key=f"test-{commune.code}", unit=commune)


@pytest.fixture
def units(db):
    """The units the scoping tests are about."""
    return {
        "vn": AdministrativeUnit.objects.get(level=Level.COUNTRY, code="VN"),
        "lang_son": unit("20", Level.PROVINCE),
        "van_quan": unit("184", Level.DISTRICT),
        "huong_tra": unit("480", Level.DISTRICT),
        "xa_van_quan": unit("06253", Level.COMMUNE, Generation.Y2025),
        "xa_diem_he": unit("06280", Level.COMMUNE, Generation.Y2025),
        "lang_son_2025": unit("20", Level.PROVINCE, Generation.Y2025),
    }


@pytest.fixture
def plans(units):
    """The seed plans of Văn Quan and Hương Trà, the documents above them, and one plan of each of two new communes."""
    return {
        "van_quan": PlanDocument.objects.get(key="seed-003"),
        "huong_tra": PlanDocument.objects.get(key="seed-004"),
        "khanh_hoa": PlanDocument.objects.get(key="seed-000"),
        "ct28": PlanDocument.objects.get(number="28-CT/TW"),
        "kh177": PlanDocument.objects.get(number="177-KH/TU"),
        "kh194": PlanDocument.objects.get(number="194/KH-UBND"),
        "xa_van_quan": commune_plan(units["xa_van_quan"], "15/KH-UBND", "Kế hoạch bảo vệ trẻ em xã Văn Quan"),
        "xa_diem_he": commune_plan(units["xa_diem_he"], "27/KH-UBND", "Kế hoạch bảo vệ trẻ em xã Điềm He"),
    }


@pytest.fixture
def users(make_user, units):
    """One user per place: district managers of Văn Quan and Hương Trà, officers of two new communes, a superuser."""
    admin = User.objects.create_superuser("quantri", "quantri@example.org", PASSWORD)
    return {
        "admin": admin,
        "van_quan": make_user(units["van_quan"], Role.UNIT_MANAGER, username="vq"),
        "huong_tra": make_user(units["huong_tra"], Role.UNIT_MANAGER, username="ht"),
        "xa_van_quan": make_user(units["xa_van_quan"], Role.COMMUNE_OFFICER, username="xvq"),
        "xa_diem_he": make_user(units["xa_diem_he"], Role.COMMUNE_OFFICER, username="xdh"),
    }


@pytest.fixture
def login(client):
    """Log the test client in as a user: login(user) → client."""

    def _login(user):
        client.force_login(user)
        return client

    return _login
