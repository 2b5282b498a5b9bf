"""Code lists of protection cases and the Decree 56/2017 process rules (time limits, forms, who acts) as data."""

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

from treem.accounts.models import Role


class Channel(models.TextChoices):
    HOTLINE_111 = "hotline_111", _("Tổng đài điện thoại quốc gia bảo vệ trẻ em 111")
    COMMUNE = "commune", _("UBND cấp xã")
    LABOUR_OFFICE = "labour_office", _("Cơ quan lao động - xã hội")
    POLICE = "police", _("Công an")
    SCHOOL = "school", _("Nhà trường")
    HEALTH = "health", _("Cơ sở y tế")
    CITIZEN = "citizen", _("Người dân")
    OTHER = "other", _("Khác")


class HarmKind(models.TextChoices):
    """Forms of abuse (Law on Children 2016, Art. 4.8) and the hotline's other intervention categories."""

    VIOLENCE = "violence", _("Bạo lực")
    SEXUAL_ABUSE = "sexual_abuse", _("Xâm hại tình dục")
    EXPLOITATION = "exploitation", _("Bóc lột")
    TRAFFICKING = "trafficking", _("Mua bán")
    ABANDONMENT = "abandonment", _("Bỏ rơi")
    NEGLECT = "neglect", _("Bỏ mặc")
    OTHER_HARM = "other_harm", _("Hình thức gây tổn hại khác")
    LOST = "lost", _("Đi lạc")
    RIGHTS = "rights", _("Vi phạm quyền trẻ em khác")


# Kinds counted as abuse (xâm hại) in the statistics.
ABUSE_KINDS = {
    HarmKind.VIOLENCE,
    HarmKind.SEXUAL_ABUSE,
    HarmKind.EXPLOITATION,
    HarmKind.TRAFFICKING,
    HarmKind.ABANDONMENT,
    HarmKind.NEGLECT,
    HarmKind.OTHER_HARM,
}
# Criterion 6 of the child-friendly commune standard: every such case needs a plan approved by the chairman.
CRITERION6_KINDS = {HarmKind.SEXUAL_ABUSE, HarmKind.ABANDONMENT, HarmKind.TRAFFICKING}
# Article 10 group of the Law on Children matching each kind (for the registry's special circumstances).
ARTICLE10_GROUP = {
    HarmKind.VIOLENCE: "i",
    HarmKind.SEXUAL_ABUSE: "l",
    HarmKind.EXPLOITATION: "k",
    HarmKind.TRAFFICKING: "m",
    HarmKind.ABANDONMENT: "b",
}

# Sub-kinds: Decree 56/2017, Art. 9–12 (sexual abuse l1–l5, exploitation k1–k5, trafficking m1–m2); violence split
# into physical and mental (Law on Children, Art. 4.9).
SUBKINDS = {
    HarmKind.VIOLENCE: {"v1": "Bạo lực thể chất", "v2": "Bạo lực tinh thần"},
    HarmKind.SEXUAL_ABUSE: {
        "l1": "Hiếp dâm",
        "l2": "Cưỡng dâm",
        "l3": "Giao cấu",
        "l4": "Dâm ô",
        "l5": "Sử dụng vào mục đích mại dâm, khiêu dâm",
    },
    HarmKind.EXPLOITATION: {
        "k1": "Lao động trái quy định của pháp luật",
        "k2": "Làm công việc nặng nhọc, độc hại, nguy hiểm",
        "k3": "Làm việc cho cơ sở kinh doanh dịch vụ dễ bị lạm dụng",
        "k4": "Bị sử dụng vào mục đích mại dâm, khiêu dâm",
        "k5": "Bị bóc lột khác",
    },
    HarmKind.TRAFFICKING: {"m1": "Bị mua bán, đã trở về", "m2": "Nghi bị mua bán, đang xác minh"},
}
SUBKIND_CHOICES = [(code, label) for group in SUBKINDS.values() for code, label in group.items()]


class Setting(models.TextChoices):
    """Where the harm happened (môi trường xâm hại: a disaggregation of Circular 13/2021)."""

    FAMILY = "family", _("Gia đình")
    SCHOOL = "school", _("Trường học")
    COMMUNITY = "community", _("Cộng đồng, nơi công cộng")
    ONLINE = "online", _("Môi trường mạng")
    WORKPLACE = "workplace", _("Nơi làm việc")
    FACILITY = "facility", _("Cơ sở trợ giúp, chăm sóc")
    OTHER = "other", _("Khác")
    UNKNOWN = "", _("Chưa rõ")


class Urgency(models.TextChoices):
    URGENT = "urgent", _("Khẩn cấp")
    NORMAL = "normal", _("Không khẩn cấp")


class Finding(models.TextChoices):
    """What the initial assessment found."""

    PENDING = "pending", _("Chưa đánh giá")
    HARMED = "harmed", _("Trẻ em bị xâm hại")
    AT_RISK = "at_risk", _("Trẻ em có nguy cơ bị xâm hại")
    UNFOUNDED = "unfounded", _("Không có căn cứ")


class RiskLevel(models.TextChoices):
    HIGH = "high", _("Cao")
    MEDIUM = "medium", _("Trung bình")
    LOW = "low", _("Thấp")


class CaseStatus(models.TextChoices):
    RECEIVED = "received", _("Mới tiếp nhận, chờ đánh giá ban đầu")
    ASSESSMENT = "assessment", _("Thu thập thông tin, đánh giá nguy cơ")
    PLANNING = "planning", _("Xây dựng kế hoạch hỗ trợ, can thiệp")
    AWAITING_APPROVAL = "awaiting_approval", _("Chờ Chủ tịch phê duyệt kế hoạch")
    IMPLEMENTING = "implementing", _("Thực hiện kế hoạch")
    CLOSED = "closed", _("Đã đóng hồ sơ")


OPEN_STATUSES = [s for s in CaseStatus.values if s != CaseStatus.CLOSED]


class StepKind(models.TextChoices):
    INITIAL_ASSESSMENT = "initial_assessment", _("Đánh giá nguy cơ ban đầu")
    EMERGENCY = "emergency", _("Can thiệp khẩn cấp")
    INFO_GATHERING = "info_gathering", _("Thu thập thông tin, đánh giá nguy cơ, nhu cầu")
    PLAN = "plan", _("Xây dựng kế hoạch hỗ trợ, can thiệp")
    APPROVAL = "approval", _("Phê duyệt kế hoạch")
    IMPLEMENTATION = "implementation", _("Thực hiện kế hoạch")
    REVIEW = "review", _("Đánh giá, đóng hồ sơ")


class StepStatus(models.TextChoices):
    OPEN = "open", _("Đang thực hiện")
    DONE = "done", _("Đã xong")
    SKIPPED = "skipped", _("Không áp dụng")


class ReviewOutcome(models.TextChoices):
    CLOSE = "close", _("Đóng hồ sơ: trẻ em không còn nguy cơ, đã ổn định")
    NEW_CYCLE = "new_cycle", _("Xây dựng kế hoạch mới (chu kỳ mới)")


class ClosureReason(models.TextChoices):
    STABLE = "stable", _("Trẻ em an toàn, ổn định")
    UNFOUNDED = "unfounded", _("Không có căn cứ xâm hại, không có nguy cơ")
    TRANSFERRED = "transferred", _("Chuyển cơ quan khác giải quyết")
    OVER_AGE = "over_age", _("Trẻ em đủ 16 tuổi")
    OTHER = "other", _("Lý do khác")


class ServiceKind(models.TextChoices):
    HEALTH = "health", _("Y tế")
    EDUCATION = "education", _("Giáo dục")
    LEGAL_AID = "legal_aid", _("Trợ giúp pháp lý")
    POLICE = "police", _("Công an")
    SOCIAL_FACILITY = "social_facility", _("Cơ sở trợ giúp xã hội, bảo vệ trẻ em")
    COUNSELLING = "counselling", _("Tư vấn, trị liệu tâm lý")
    ALTERNATIVE_CARE = "alternative_care", _("Chăm sóc thay thế")
    OTHER = "other", _("Khác")


class ReferralStatus(models.TextChoices):
    SENT = "sent", _("Đã chuyển gửi")
    ACCEPTED = "accepted", _("Đã tiếp nhận")
    REFUSED = "refused", _("Từ chối")
    DONE = "done", _("Đã hoàn thành")


REFERRAL_NEXT = {
    ReferralStatus.SENT: {ReferralStatus.ACCEPTED, ReferralStatus.REFUSED},
    ReferralStatus.ACCEPTED: {ReferralStatus.DONE},
    ReferralStatus.REFUSED: set(),
    ReferralStatus.DONE: set(),
}


class TransferKind(models.TextChoices):
    WORKER = "worker", _("Chuyển cho người khác phụ trách")
    COMMUNE = "commune", _("Chuyển về xã, phường khác (trẻ em chuyển nơi ở)")


class TransferStatus(models.TextChoices):
    PENDING = "pending", _("Chờ tiếp nhận")
    ACCEPTED = "accepted", _("Đã tiếp nhận")
    REFUSED = "refused", _("Từ chối")
    CANCELLED = "cancelled", _("Đã hủy")


class ConsentParty(models.TextChoices):
    PARENT = "parent", _("Cha, mẹ hoặc người giám hộ")
    CHILD = "child", _("Trẻ em (từ đủ 7 tuổi)")


class ReporterRelation(models.TextChoices):
    CHILD = "child", _("Chính trẻ em")
    PARENT = "parent", _("Cha, mẹ, người chăm sóc")
    RELATIVE = "relative", _("Người thân")
    NEIGHBOUR = "neighbour", _("Hàng xóm, người dân")
    TEACHER = "teacher", _("Giáo viên, nhà trường")
    HEALTH_WORKER = "health_worker", _("Nhân viên y tế")
    OFFICIAL = "official", _("Cán bộ, công chức, công an")
    OTHER = "other", _("Khác")
    UNKNOWN = "", _("Không cho biết")


CONSENT_CHILD_AGE = 7  # Law on Children 2016, Art. 6.11 and 33: the child's own consent from 7 years.
SEPARATION_MAX = datetime.timedelta(days=15)  # Decree 56/2017, Art. 31: temporary separation at most 15 days.

# The process as data (Decree 56/2017, Art. 25–30). limit: (amount, "hours" | "working_days" | None); "from" names the
# event the limit runs from; "actors" the roles who act (keep configurable: since 2025 duties moved, Decree 147/2025).
PROCESS = {
    StepKind.INITIAL_ASSESSMENT: {
        "limit": (12, "hours"),
        "from": "received",
        "form": "02",
        "article": "Điều 26",
        "actors": {Role.COMMUNE_OFFICER, Role.CASE_WORKER},
    },
    StepKind.EMERGENCY: {
        "limit": (12, "hours"),
        "from": "received",
        "form": "07",
        "article": "Điều 26, 31, 32",
        "actors": {Role.COMMUNE_OFFICER, Role.CASE_WORKER, Role.CHAIRMAN},
    },
    StepKind.INFO_GATHERING: {
        "limit": (5, "working_days"),
        "from": "plan_start",
        "form": "03",
        "article": "Điều 27",
        "actors": {Role.COMMUNE_OFFICER, Role.CASE_WORKER},
    },
    StepKind.PLAN: {
        "limit": (5, "working_days"),
        "from": "plan_start",
        "form": "04",
        "article": "Điều 28.1–3",
        "actors": {Role.COMMUNE_OFFICER, Role.CASE_WORKER},
    },
    StepKind.APPROVAL: {
        "limit": (2, "working_days"),
        "from": "plan_submitted",
        "form": "05",
        "article": "Điều 28.4–5",
        "actors": {Role.CHAIRMAN},
    },
    StepKind.IMPLEMENTATION: {
        "limit": None,
        "from": None,
        "form": None,
        "article": "Điều 29",
        "actors": {Role.COMMUNE_OFFICER, Role.CASE_WORKER},
    },
    StepKind.REVIEW: {
        "limit": None,
        "from": "plan_end",
        "form": "06",
        "article": "Điều 30",
        "actors": {Role.COMMUNE_OFFICER, Role.CASE_WORKER},
    },
}

# Official forms of Decree 56/2017 (annex) printed from a case; titles reconstructed, to check against the annex.
FORMS = {
    "01": "Phiếu ghi nhận thông tin, thông báo, tố giác về trẻ em bị xâm hại hoặc có nguy cơ bị bạo lực, bóc lột, bỏ rơi",
    "02": "Biên bản đánh giá nguy cơ ban đầu đối với trẻ em",
    "03": "Báo cáo thu thập thông tin, đánh giá nguy cơ và nhu cầu của trẻ em",
    "04": "Kế hoạch hỗ trợ, can thiệp đối với trẻ em",
    "05": "Quyết định phê duyệt kế hoạch hỗ trợ, can thiệp",
    "06": "Báo cáo đánh giá kết quả thực hiện kế hoạch hỗ trợ, can thiệp và đóng hồ sơ",
    "07": "Quyết định tạm thời cách ly trẻ em khỏi môi trường hoặc người gây tổn hại",
}
