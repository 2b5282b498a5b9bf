"""Filters of the plan list (shared by the web page and the API)."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from treem.core.text import fold
from treem.geo.models import AdministrativeUnit, Generation, Level

from .models import DocumentType, PlanDocument, PlanStatus
from .selectors import plans_for_user


class UnitChoiceField(forms.ModelChoiceField):
    """A unit choice labelled with its generation, so the two Tỉnh Lạng Sơn differ."""

    def label_from_instance(self, obj):
        if obj.generation == Generation.PRE_2025:
            return f"{obj.full_name} ({_('trước 01/7/2025')})"
        return obj.full_name


class UnitFilter(django_filters.ModelChoiceFilter):
    field_class = UnitChoiceField


def issuing_units(request):
    """Units that issued a plan the requesting user may read."""
    if request is None:
        return AdministrativeUnit.objects.none()
    readable = plans_for_user(request.user).values("issuing_unit_id")
    return AdministrativeUnit.objects.filter(id__in=readable).order_by("level", "generation", "name")


class PlanFilter(django_filters.FilterSet):
    """Filter plans by level, issuing unit, year, type and status; search number and title (accents optional)."""

    q = django_filters.CharFilter(label=_("Tìm số, ký hiệu hoặc trích yếu"), method="filter_q")
    level = django_filters.ChoiceFilter(
        label=_("Cấp ban hành"),
        field_name="issuing_unit__level",
        empty_label=_("Tất cả"),
        choices=[(v, label) for v, label in Level.choices if v != Level.VILLAGE],
    )
    unit = UnitFilter(
        label=_("Địa bàn ban hành"),
        field_name="issuing_unit",
        queryset=issuing_units,
        empty_label=_("Tất cả"),
    )
    year = django_filters.NumberFilter(label=_("Năm"), method="filter_year", min_value=1945, max_value=2100)
    doc_type = django_filters.ChoiceFilter(
        label=_("Loại văn bản"), choices=DocumentType.choices, empty_label=_("Tất cả")
    )
    status = django_filters.ChoiceFilter(
        label=_("Trạng thái"), choices=PlanStatus.choices, empty_label=_("Tất cả")
    )

    class Meta:
        model = PlanDocument
        fields = ["q", "level", "unit", "year", "doc_type", "status"]

    def filter_q(self, queryset, name, value):
        """Plans whose number or title contains the words, ignoring accents and case."""
        needle = fold(value)
        if not needle:
            return queryset
        ids = [
            pk
            for pk, number, title in queryset.values_list("pk", "number", "title")
            if needle in fold(f"{number} {title}")
        ]
        return queryset.filter(pk__in=ids)

    def filter_year(self, queryset, name, value):
        """Plans issued in the year or whose period covers it."""
        year = int(value)
        return queryset.filter(Q(issued_on__year=year) | Q(period_start__lte=year, period_end__gte=year))
