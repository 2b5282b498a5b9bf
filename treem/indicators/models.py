"""Data elements (raw counts), disaggregation categories and indicators (numerator / denominator × multiplier)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from treem.accounts.models import Sector


class Unit(models.TextChoices):
    """Units a target or an indicator is expressed in."""

    PERCENT = "%", "%"
    PERMILLE = "‰", "‰"
    PER_1000_LIVE_BIRTHS = "per_1000_live_births", _("trên 1.000 trẻ đẻ sống")
    PER_100000_CHILDREN = "per_100000_children", _("trên 100.000 trẻ em")
    COUNT = "count", _("số lượng")


MULTIPLIER = {
    Unit.PERCENT: 100,
    Unit.PERMILLE: 1000,
    Unit.PER_1000_LIVE_BIRTHS: 1000,
    Unit.PER_100000_CHILDREN: 100000,
    Unit.COUNT: 1,
}


class Direction(models.TextChoices):
    LOWER = "lower", _("càng thấp càng tốt")
    HIGHER = "higher", _("càng cao càng tốt")


class Category(models.Model):
    """A disaggregation (sex, age group, ethnicity, disability, urban/rural)."""

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name_vi = models.CharField(_("tên"), max_length=150)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("phân tổ")
        verbose_name_plural = _("phân tổ")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name_vi


class CategoryOption(models.Model):
    """One option of a disaggregation (Nam, Nữ; Thành thị, Nông thôn …)."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="options")
    code = models.CharField(_("mã"), max_length=40)
    name_vi = models.CharField(_("tên"), max_length=150)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("giá trị phân tổ")
        verbose_name_plural = _("giá trị phân tổ")
        ordering = ["category", "order"]
        constraints = [models.UniqueConstraint(fields=["category", "code"], name="category_option_unique")]

    def __str__(self) -> str:
        return f"{self.category.name_vi}: {self.name_vi}"


class ValueType(models.TextChoices):
    """What a data element's values may be (checked on every save)."""

    COUNT = "count", _("Số đếm (số nguyên không âm)")
    NUMBER = "number", _("Số (có thể thập phân, không âm)")


class DataElement(models.Model):
    """A raw count that units report (children under 5 measured, of whom stunted …)."""

    code = models.CharField(_("mã"), max_length=60, unique=True)
    name_vi = models.CharField(_("tên"), max_length=300)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=300, blank=True)
    description = models.TextField(_("mô tả"), blank=True)
    categories = models.ManyToManyField(Category, blank=True, verbose_name=_("phân tổ"))
    dhis2_code = models.CharField(_("mã DHIS2"), max_length=60, blank=True)
    value_type = models.CharField(
        _("kiểu giá trị"), max_length=10, choices=ValueType.choices, default=ValueType.COUNT
    )

    class Meta:
        verbose_name = _("phần tử dữ liệu")
        verbose_name_plural = _("phần tử dữ liệu")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name_vi


class Indicator(models.Model):
    """An indicator: numerator / denominator × multiplier, recomputed from summed counts at every level."""

    code = models.CharField(_("mã"), max_length=60, unique=True)
    name_vi = models.CharField(_("tên"), max_length=300)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=300, blank=True)
    definition_vi = models.TextField(_("khái niệm, phương pháp tính"), blank=True)
    numerator = models.ForeignKey(
        DataElement, on_delete=models.PROTECT, related_name="numerator_of", verbose_name=_("tử số")
    )
    denominator = models.ForeignKey(
        DataElement,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="denominator_of",
        verbose_name=_("mẫu số"),
    )
    unit = models.CharField(_("đơn vị tính"), max_length=30, choices=Unit.choices)
    multiplier = models.PositiveIntegerField(_("hệ số"), default=100)
    direction = models.CharField(_("chiều tốt"), max_length=10, choices=Direction.choices)
    sector = models.CharField(_("ngành chủ trì"), max_length=30, choices=Sector.choices)
    categories = models.ManyToManyField(Category, blank=True, verbose_name=_("phân tổ"))
    synonyms = models.JSONField(_("cách diễn đạt khác"), default=list, blank=True)
    source = models.CharField(_("nguồn quy định"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("chỉ số")
        verbose_name_plural = _("chỉ số")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name_vi

    def value(self, numerator, denominator):
        """The indicator's value from summed counts (None when the denominator is zero or missing)."""
        if self.denominator_id is None:
            return numerator
        if not denominator:
            return None
        return numerator * self.multiplier / denominator


class CategoryOptionCombo(models.Model):
    """A disaggregation cell of a data element, as DHIS2's category option combination.

    The combo without options (code "default") is the total. A combo with one option is a breakdown
    by one category (e.g. sex = female); the options of one category partition the total, so the
    breakdowns of a category must add up to the total. Values of different combos are never summed
    together (that would count the total twice).
    """

    code = models.CharField(_("mã"), max_length=80, unique=True)
    name_vi = models.CharField(_("tên"), max_length=200)
    options = models.ManyToManyField(
        CategoryOption, blank=True, related_name="combos", verbose_name=_("giá trị phân tổ")
    )
    category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="combos",
        verbose_name=_("phân tổ"),
        help_text=_("trống cho tổng số"),
    )
    order = models.PositiveSmallIntegerField(default=0)
    dhis2_code = models.CharField(_("mã DHIS2"), max_length=80, blank=True)

    class Meta:
        verbose_name = _("tổ hợp phân tổ")
        verbose_name_plural = _("tổ hợp phân tổ")
        ordering = ["category__code", "order", "code"]

    def __str__(self) -> str:
        return self.name_vi

    @property
    def is_total(self) -> bool:
        return self.category_id is None


class Operator(models.TextChoices):
    """DHIS2 validation-rule operators."""

    EQUAL_TO = "equal_to", "="
    NOT_EQUAL_TO = "not_equal_to", "≠"
    GREATER_THAN = "greater_than", ">"
    GREATER_THAN_OR_EQUAL_TO = "greater_than_or_equal_to", "≥"
    LESS_THAN = "less_than", "<"
    LESS_THAN_OR_EQUAL_TO = "less_than_or_equal_to", "≤"
    COMPULSORY_PAIR = "compulsory_pair", _("cặp bắt buộc (có bên này thì phải có bên kia)")
    EXCLUSIVE_PAIR = "exclusive_pair", _("cặp loại trừ (không được có cả hai)")


class Importance(models.TextChoices):
    HIGH = "HIGH", _("Cao")
    MEDIUM = "MEDIUM", _("Trung bình")
    LOW = "LOW", _("Thấp")


class MissingValueStrategy(models.TextChoices):
    SKIP_IF_ANY_VALUE_MISSING = "SKIP_IF_ANY_VALUE_MISSING", _("Bỏ qua nếu thiếu bất kỳ giá trị nào")
    SKIP_IF_ALL_VALUES_MISSING = "SKIP_IF_ALL_VALUES_MISSING", _("Bỏ qua nếu thiếu tất cả giá trị")
    NEVER_SKIP = "NEVER_SKIP", _("Luôn kiểm tra (thiếu coi như 0)")


class ValidationRule(models.Model):
    """A cross-element rule as data, as DHIS2's: left side, operator, right side.

    Expressions use DHIS2's term syntax with codes: `#{CODE}` is the total of a data element,
    `#{CODE.COMBO}` one disaggregation; + - * / and parentheses combine terms and numbers.
    """

    code = models.CharField(_("mã"), max_length=80, unique=True)
    name_vi = models.CharField(_("tên"), max_length=300)
    instruction = models.TextField(_("hướng dẫn khi vi phạm"), blank=True)
    left_side = models.CharField(_("vế trái"), max_length=500)
    left_description = models.CharField(_("mô tả vế trái"), max_length=300, blank=True)
    operator = models.CharField(_("phép so sánh"), max_length=30, choices=Operator.choices)
    right_side = models.CharField(_("vế phải"), max_length=500)
    right_description = models.CharField(_("mô tả vế phải"), max_length=300, blank=True)
    missing_value_strategy = models.CharField(
        _("khi thiếu giá trị"),
        max_length=30,
        choices=MissingValueStrategy.choices,
        default=MissingValueStrategy.SKIP_IF_ALL_VALUES_MISSING,
    )
    importance = models.CharField(
        _("mức độ"), max_length=10, choices=Importance.choices, default=Importance.MEDIUM
    )
    blocking = models.BooleanField(
        _("chặn khi nộp"),
        default=True,
        help_text=_("vi phạm thì không được nộp báo cáo (bỏ chọn: chỉ cảnh báo)"),
    )
    active = models.BooleanField(_("đang áp dụng"), default=True)

    class Meta:
        verbose_name = _("quy tắc kiểm tra")
        verbose_name_plural = _("quy tắc kiểm tra")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name_vi
