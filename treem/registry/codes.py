"""Code lists of the child registry: sex, date precision, Article 10 groups, disability, schooling, support.

Lists that the law may change (ethnic groups, EPI schedule) are data files in ``data/``; these are
the stable enumerations the models store.
"""

import csv
import functools
from pathlib import Path

from django.db import models
from django.utils.translation import gettext_lazy as _

DATA_DIR = Path(__file__).resolve().parent / "data"


class Sex(models.TextChoices):
    MALE = "m", _("Nam")
    FEMALE = "f", _("Nữ")


class DatePrecision(models.TextChoices):
    DAY = "day", _("Ngày")
    MONTH = "month", _("Tháng")
    YEAR = "year", _("Năm")


class ChildStatus(models.TextChoices):
    ACTIVE = "active", _("Đang quản lý")
    PROVISIONAL = "provisional", _("Tạm thời (chưa xác minh)")
    MERGED = "merged", _("Đã gộp vào hồ sơ khác")
    MOVED = "moved", _("Đã chuyển đi")
    DECEASED = "deceased", _("Đã mất")


class RecordSource(models.TextChoices):
    MANUAL = "manual", _("Nhập tay")
    IMPORT = "import", _("Nhập từ danh sách")
    PROTECTION = "protection", _("Từ ca bảo vệ trẻ em")
    REGISTER = "register", _("Cơ sở dữ liệu quốc gia về dân cư")
    API = "api", _("API")


class BirthRegistration(models.TextChoices):
    ON_TIME = "on_time", _("Đúng hạn")
    LATE = "late", _("Quá hạn")
    REGISTERED = "yes", _("Đã đăng ký (chưa rõ đúng hạn)")
    NOT_REGISTERED = "none", _("Chưa đăng ký")
    UNKNOWN = "", _("Chưa rõ")


# Law on Civil Status 2014, Art. 15: parents register the birth within 60 days of it.
BIRTH_REGISTRATION_DAYS = 60


class Relationship(models.TextChoices):
    FATHER = "father", _("Cha")
    MOTHER = "mother", _("Mẹ")
    GUARDIAN = "guardian", _("Người giám hộ")
    GRANDPARENT = "grandparent", _("Ông, bà")
    SIBLING = "sibling", _("Anh, chị")
    RELATIVE = "relative", _("Người thân khác")
    FOSTER = "foster", _("Người nhận chăm sóc thay thế")
    OTHER = "other", _("Khác")


class Article10(models.TextChoices):
    """The 14 groups of children in special circumstances (Law on Children 2016, Art. 10)."""

    A = "a", _("a) Trẻ em mồ côi cả cha và mẹ")
    B = "b", _("b) Trẻ em bị bỏ rơi")
    C = "c", _("c) Trẻ em không nơi nương tựa")
    D = "d", _("d) Trẻ em khuyết tật")
    DD = "dd", _("đ) Trẻ em nhiễm HIV/AIDS")
    E = "e", _("e) Trẻ em vi phạm pháp luật")
    G = "g", _("g) Trẻ em nghiện ma túy")
    H = "h", _("h) Trẻ em phải bỏ học kiếm sống chưa hoàn thành phổ cập THCS")
    I = "i", _("i) Trẻ em bị tổn hại nghiêm trọng về thể chất và tinh thần do bị bạo lực")  # noqa: E741
    K = "k", _("k) Trẻ em bị bóc lột")
    L = "l", _("l) Trẻ em bị xâm hại tình dục")
    M = "m", _("m) Trẻ em bị mua bán")
    N = "n", _("n) Trẻ em mắc bệnh hiểm nghèo hoặc bệnh phải điều trị dài ngày thuộc hộ nghèo, cận nghèo")
    O = "o", _("o) Trẻ em di cư, lánh nạn, tị nạn chưa xác định được cha mẹ hoặc không có người chăm sóc")  # noqa: E741


# Decree 56/2017/NĐ-CP, Art. 3–16: sub-groups of some Article 10 groups (group → {code: label}).
SUBGROUPS = {
    "a": {
        "a1": "Không có người chăm sóc",
        "a2": "Đang được chăm sóc tại cơ sở trợ giúp xã hội",
        "a3": "Đang được người thân thích chăm sóc",
        "a4": "Đang được chăm sóc thay thế không phải người thân thích",
    },
    "d": {"d1": "Khuyết tật đặc biệt nặng", "d2": "Khuyết tật nặng", "d3": "Khuyết tật nhẹ"},
    "g": {"g1": "Nghiện ma túy đang cai nghiện", "g2": "Nghiện ma túy chưa cai nghiện"},
    "k": {
        "k1": "Lao động trái quy định của pháp luật",
        "k2": "Làm công việc nặng nhọc, độc hại, nguy hiểm",
        "k3": "Làm việc cho cơ sở kinh doanh dịch vụ dễ bị lạm dụng",
        "k4": "Bị sử dụng vào mục đích mại dâm, khiêu dâm",
        "k5": "Bị bóc lột khác",
    },
    "l": {
        "l1": "Hiếp dâm",
        "l2": "Cưỡng dâm",
        "l3": "Giao cấu",
        "l4": "Dâm ô",
        "l5": "Sử dụng vào mại dâm, khiêu dâm",
    },
    "m": {"m1": "Bị mua bán, đã trở về", "m2": "Nghi bị mua bán, đang xác minh"},
    "o": {"o1": "Di cư", "o2": "Lánh nạn", "o3": "Tị nạn"},
}
SUBGROUP_CHOICES = [(code, label) for group in SUBGROUPS.values() for code, label in group.items()]


class SupportKind(models.TextChoices):
    SOCIAL_ALLOWANCE = "allowance", _("Trợ cấp xã hội hằng tháng")
    SUPPORT = "support", _("Hỗ trợ (tiền, hiện vật, dịch vụ)")
    SPONSORSHIP = "sponsorship", _("Nhận đỡ đầu (Mẹ đỡ đầu)")
    PROTECTION_FUND = "fund", _("Quỹ Bảo trợ trẻ em")
    HEALTH_INSURANCE = "insurance", _("Thẻ bảo hiểm y tế")
    EDUCATION = "education", _("Miễn, giảm học phí, hỗ trợ học tập")
    ALTERNATIVE_CARE = "care", _("Chăm sóc thay thế")
    COUNSELLING = "counselling", _("Tư vấn, trị liệu tâm lý")
    OTHER = "other", _("Khác")


class DisabilityType(models.TextChoices):
    """Law on Persons with Disabilities 2010, Art. 3.1."""

    MOBILITY = "mobility", _("Khuyết tật vận động")
    HEARING_SPEECH = "hearing_speech", _("Khuyết tật nghe, nói")
    VISION = "vision", _("Khuyết tật nhìn")
    MENTAL = "mental", _("Khuyết tật thần kinh, tâm thần")
    INTELLECTUAL = "intellectual", _("Khuyết tật trí tuệ")
    OTHER = "other", _("Khuyết tật khác")


class DisabilityLevel(models.TextChoices):
    """Law on Persons with Disabilities 2010, Art. 3.2."""

    VERY_SEVERE = "very_severe", _("Đặc biệt nặng")
    SEVERE = "severe", _("Nặng")
    MILD = "mild", _("Nhẹ")


class SchoolLevel(models.TextChoices):
    CRECHE = "creche", _("Nhà trẻ")
    KINDERGARTEN = "kindergarten", _("Mẫu giáo")
    PRIMARY = "primary", _("Tiểu học")
    LOWER_SECONDARY = "lower_secondary", _("Trung học cơ sở")
    UPPER_SECONDARY = "upper_secondary", _("Trung học phổ thông")
    CONTINUING = "continuing", _("Giáo dục thường xuyên")
    VOCATIONAL = "vocational", _("Giáo dục nghề nghiệp")


class SchoolStatus(models.TextChoices):
    ENROLLED = "enrolled", _("Đang học")
    DROPPED_OUT = "dropped_out", _("Bỏ học")
    COMPLETED = "completed", _("Hoàn thành")
    NOT_ENROLLED = "not_enrolled", _("Không đi học")


class Measure(models.TextChoices):
    LYING = "l", _("Nằm (chiều dài)")
    STANDING = "h", _("Đứng (chiều cao)")


# Ethnic groups: two official code lists; the list version is stored with the code.
ETHNIC_LISTS = {
    "tctk121_1979": "QĐ 121-TCTK/PPCĐ (1979)",
    "tctk1019_2008": "QĐ 1019/QĐ-TCTK (2008)",
}
DEFAULT_ETHNIC_LIST = "tctk121_1979"


@functools.cache
def ethnic_groups(list_version: str = DEFAULT_ETHNIC_LIST) -> dict[str, str]:
    """The ethnic groups of a code list: {code: name}."""
    with open(DATA_DIR / "ethnic_groups.csv", encoding="utf-8", newline="") as f:
        return {r["code"]: r["name"] for r in csv.DictReader(f) if r["list"] == list_version}


def ethnic_choices(list_version: str = DEFAULT_ETHNIC_LIST) -> list[tuple[str, str]]:
    """Choices for a form field: (code, "code – name")."""
    return [(code, f"{code} – {name}") for code, name in ethnic_groups(list_version).items()]
