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


class DataElement(models.Model):
    """A raw count that units report (children under 5 measured, of whom stunted …)."""

    code = models.CharField(_("mã"), max_length=60, unique=True)
    name_vi = models.CharField(_("tên"), max_length=300)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=300, blank=True)
    description = models.TextField(_("mô tả"), blank=True)
    categories = models.ManyToManyField(Category, blank=True, verbose_name=_("phân tổ"))
    dhis2_code = models.CharField(_("mã DHIS2"), max_length=60, blank=True)

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
    numerator = models.ForeignKey(DataElement, on_delete=models.PROTECT, related_name="numerator_of", verbose_name=_("tử số"))
    denominator = models.ForeignKey(
        DataElement, null=True, blank=True, on_delete=models.PROTECT, related_name="denominator_of", verbose_name=_("mẫu số")
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
