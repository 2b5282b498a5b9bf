"""Demo users for `make run`: one per role, on the seed plans' units (clearly demo, never in production)."""

from django.db import transaction

from treem.geo.models import AdministrativeUnit, Generation, Level

from .models import Agency, Membership, Role, Sector, User

DEMO_PASSWORD = "TreEm@2026"  # noqa: S105 — demo only, printed by `make run`

# (username, full name, unit (generation, level, code), agency name or None, role, description)
DEMO_USERS = [
    ("admin", "Quản trị hệ thống", (None, 0, "VN"), None, Role.SYSTEM_ADMIN, "quản trị hệ thống (toàn quốc)"),
    (
        "langson.quanly",
        "Hoàng Thị Lan",
        (Generation.PRE_2025, 1, "20"),
        None,
        Role.UNIT_MANAGER,
        "lãnh đạo tỉnh Lạng Sơn",
    ),
    (
        "vanquan.quanly",
        "Nông Văn Hải",
        (Generation.PRE_2025, 2, "184"),
        None,
        Role.UNIT_MANAGER,
        "lãnh đạo huyện Văn Quan (cũ)",
    ),
    (
        "vanquan.ldtbxh",
        "Lường Thị Mai",
        (Generation.PRE_2025, 2, "184"),
        "Phòng Lao động, Thương binh, Xã hội - Dân tộc",
        Role.AGENCY_REPORTER,
        "Phòng LĐTBXH-DT huyện Văn Quan (đầu mối)",
    ),
    (
        "vanquan.giaoduc",
        "Vi Văn Bình",
        (Generation.PRE_2025, 2, "184"),
        "Phòng Giáo dục và Đào tạo",
        Role.AGENCY_REPORTER,
        "Phòng GD&ĐT huyện Văn Quan",
    ),
    (
        "vanquan.yte",
        "Hà Thị Nga",
        (Generation.PRE_2025, 2, "184"),
        "Trung tâm Y tế",
        Role.AGENCY_REPORTER,
        "Trung tâm Y tế huyện Văn Quan",
    ),
    (
        "xa.vanquan",
        "Chu Văn Tuấn",
        (Generation.Y2025, 3, "06253"),
        None,
        Role.COMMUNE_OFFICER,
        "công chức xã Văn Quan (từ 01/7/2025)",
    ),
    (
        "xa.diemhe",
        "Lộc Thị Hương",
        (Generation.Y2025, 3, "06280"),
        None,
        Role.COMMUNE_OFFICER,
        "công chức xã Điềm He (từ 01/7/2025)",
    ),
    (
        "huongtra.quanly",
        "Trần Văn Minh",
        (Generation.PRE_2025, 2, "480"),
        None,
        Role.UNIT_MANAGER,
        "lãnh đạo thị xã Hương Trà (cũ)",
    ),
    (
        "khanhhoa.xem",
        "Nguyễn Thị Thu",
        (Generation.PRE_2025, 1, "56"),
        None,
        Role.VIEWER,
        "người xem, tỉnh Khánh Hòa",
    ),
]


@transaction.atomic
def create_demo_users() -> list[tuple[str, str]]:
    """Create (or refresh) the demo users and their memberships; returns (username, description) pairs."""
    out = []
    for username, full_name, (generation, level, code), agency_name, role, description in DEMO_USERS:
        unit = (
            AdministrativeUnit.objects.get(generation=generation or "", level=level, code=code)
            if level
            else AdministrativeUnit.objects.get(level=Level.COUNTRY, code=code)
        )
        last, first = full_name.rsplit(" ", 1)[0], full_name.rsplit(" ", 1)[1]
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": first, "last_name": last}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.is_staff = role == Role.SYSTEM_ADMIN
            user.is_superuser = role == Role.SYSTEM_ADMIN
            user.save()
        agency = None
        if agency_name:
            agency = Agency.objects.filter(unit=unit, name=agency_name).first() or Agency.objects.create(
                unit=unit, name=agency_name, sector=_sector_of(agency_name)
            )
        Membership.objects.get_or_create(user=user, unit=unit, agency=agency, role=role)
        out.append((username, description))
    return out


def _sector_of(name: str) -> str:
    low = name.lower()
    if "giáo dục" in low:
        return Sector.EDUCATION
    if "y tế" in low:
        return Sector.HEALTH
    if "lao động" in low:
        return Sector.LABOUR_SOCIAL
    return Sector.OTHER
