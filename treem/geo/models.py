"""Administrative units of both generations, their closure table and the 2025 succession."""

import datetime

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

REFORM_DATE = datetime.date(2025, 7, 1)


class Level(models.IntegerChoices):
    COUNTRY = 0, _("Trung ương")
    PROVINCE = 1, _("Tỉnh")
    DISTRICT = 2, _("Huyện")
    COMMUNE = 3, _("Xã")
    VILLAGE = 4, _("Thôn, tổ dân phố")


class UnitType(models.TextChoices):
    QUOC_GIA = "quoc_gia", _("Quốc gia")
    TINH = "tinh", _("Tỉnh")
    THANH_PHO_TW = "thanh_pho_tw", _("Thành phố trực thuộc trung ương")
    HUYEN = "huyen", _("Huyện")
    QUAN = "quan", _("Quận")
    THI_XA = "thi_xa", _("Thị xã")
    THANH_PHO = "thanh_pho", _("Thành phố thuộc tỉnh")
    XA = "xa", _("Xã")
    PHUONG = "phuong", _("Phường")
    THI_TRAN = "thi_tran", _("Thị trấn")
    DAC_KHU = "dac_khu", _("Đặc khu")
    THON = "thon", _("Thôn")
    TO_DAN_PHO = "to_dan_pho", _("Tổ dân phố")
    BAN = "ban", _("Bản")
    AP = "ap", _("Ấp")


class Generation(models.TextChoices):
    PRE_2025 = "pre2025", _("Trước 01/7/2025")
    Y2025 = "2025", _("Từ 01/7/2025")


class AdministrativeUnitQuerySet(models.QuerySet):
    def valid_at(self, at: datetime.date):
        """Units in force on a date (valid_from inclusive, valid_to exclusive)."""
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=at)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=at)
        )

    def current(self):
        """Units in force today."""
        return self.valid_at(datetime.date.today())


class AdministrativeUnit(models.Model):
    """A province, district, commune or village, with the dates it was in force."""

    code = models.CharField(_("mã"), max_length=20, db_index=True)
    name = models.CharField(_("tên"), max_length=200)
    full_name = models.CharField(_("tên đầy đủ"), max_length=250)
    name_folded = models.CharField(max_length=250, db_index=True, editable=False)
    type = models.CharField(_("loại"), max_length=20, choices=UnitType.choices)
    level = models.PositiveSmallIntegerField(_("cấp"), choices=Level.choices, db_index=True)
    generation = models.CharField(
        _("thế hệ"),
        max_length=10,
        choices=Generation.choices,
        blank=True,
        db_index=True,
        help_text=_("trống cho cấp trung ương (chung cho cả hai thế hệ)"),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("đơn vị cấp trên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(
        _("hết hiệu lực từ"), null=True, blank=True, help_text=_("ngày không còn hiệu lực (không tính)")
    )
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    objects = AdministrativeUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("đơn vị hành chính")
        verbose_name_plural = _("đơn vị hành chính")
        ordering = ["level", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["generation", "level", "code"], name="unit_unique_code_per_generation"
            )
        ]
        indexes = [models.Index(fields=["parent", "level"])]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args, **kwargs):
        from treem.core.text import fold

        self.name_folded = fold(self.full_name)
        super().save(*args, **kwargs)

    @property
    def is_current(self) -> bool:
        return self.valid_at(datetime.date.today())

    def valid_at(self, at: datetime.date) -> bool:
        """Whether the unit was in force on a date."""
        return (self.valid_from is None or self.valid_from <= at) and (
            self.valid_to is None or self.valid_to > at
        )


class UnitClosure(models.Model):
    """Ancestor → descendant pairs (depth 0 = the unit itself): one indexed join answers 'everything under'."""

    ancestor = models.ForeignKey(
        AdministrativeUnit, on_delete=models.CASCADE, related_name="descendant_links"
    )
    descendant = models.ForeignKey(
        AdministrativeUnit, on_delete=models.CASCADE, related_name="ancestor_links"
    )
    depth = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ancestor", "descendant"], name="closure_unique_pair")]
        indexes = [models.Index(fields=["descendant", "ancestor"])]

    def __str__(self) -> str:
        return f"{self.ancestor_id} → {self.descendant_id} ({self.depth})"


class SuccessionKind(models.TextChoices):
    WHOLE = "whole", _("Toàn bộ")
    PARTIAL = "partial", _("Một phần")


class UnitSuccession(models.Model):
    """An old unit (or part of it) that became part of a new unit on a date."""

    predecessor = models.ForeignKey(AdministrativeUnit, on_delete=models.CASCADE, related_name="successions")
    successor = models.ForeignKey(AdministrativeUnit, on_delete=models.CASCADE, related_name="predecessions")
    effective_date = models.DateField(_("ngày hiệu lực"))
    kind = models.CharField(_("hình thức"), max_length=10, choices=SuccessionKind.choices)
    source = models.CharField(_("nguồn"), max_length=20, default="official")

    class Meta:
        verbose_name = _("kế thừa đơn vị")
        verbose_name_plural = _("kế thừa đơn vị")
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor", "effective_date"], name="succession_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor} ({self.effective_date:%d/%m/%Y})"
