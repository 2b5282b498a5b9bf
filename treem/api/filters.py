"""Query filters of the API (the plan filter is the web page's own)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from treem.accounts.models import Agency, Sector
from treem.core.text import fold
from treem.geo.models import AdministrativeUnit, Generation, Level
from treem.plans.forms import PlanFilter
from treem.plans.models import Assignment, AssignmentRole, Target

__all__ = ["UnitFilter", "AgencyFilter", "PlanFilter", "TargetFilter", "AssignmentFilter"]


class UnitFilter(django_filters.FilterSet):
    """Units by level, generation, parent, date in force, code and name (accents optional)."""

    level = django_filters.TypedChoiceFilter(
        choices=Level.choices, coerce=int, help_text=_("cấp: 0 trung ương, 1 tỉnh, 2 huyện, 3 xã, 4 thôn")
    )
    generation = django_filters.ChoiceFilter(
        choices=Generation.choices, help_text=_("thế hệ: pre2025 hoặc 2025")
    )
    parent = django_filters.NumberFilter(field_name="parent_id", help_text=_("id của đơn vị cấp trên"))
    code = django_filters.CharFilter(help_text=_("mã đơn vị"))
    valid_at = django_filters.DateFilter(
        method="filter_valid_at", help_text=_("chỉ các đơn vị có hiệu lực tại ngày (YYYY-MM-DD)")
    )
    search = django_filters.CharFilter(
        method="filter_search", help_text=_("tìm theo tên, không phân biệt dấu")
    )

    class Meta:
        model = AdministrativeUnit
        fields = ["level", "generation", "parent", "code", "valid_at", "search"]

    def filter_valid_at(self, queryset, name, value):
        """Units in force on the date."""
        return queryset.valid_at(value)

    def filter_search(self, queryset, name, value):
        """Units whose folded name contains the folded text."""
        return queryset.filter(name_folded__contains=fold(value))


class AgencyFilter(django_filters.FilterSet):
    """Agencies by unit, sector and name."""

    unit = django_filters.NumberFilter(field_name="unit_id", help_text=_("id của đơn vị hành chính"))
    sector = django_filters.ChoiceFilter(choices=Sector.choices)
    search = django_filters.CharFilter(
        method="filter_search", help_text=_("tìm theo tên, không phân biệt dấu")
    )

    class Meta:
        model = Agency
        fields = ["unit", "sector", "active", "search"]

    def filter_search(self, queryset, name, value):
        """Agencies whose folded name contains the folded text."""
        return queryset.filter(name_folded__contains=fold(value))


class TargetFilter(django_filters.FilterSet):
    """Targets by plan and number."""

    plan = django_filters.NumberFilter(field_name="plan_id", help_text=_("id của văn bản kế hoạch"))
    number = django_filters.CharFilter(help_text=_("số chỉ tiêu theo văn bản"))

    class Meta:
        model = Target
        fields = ["plan", "number"]


class AssignmentFilter(django_filters.FilterSet):
    """Assignments by plan, role, agency and target."""

    plan = django_filters.NumberFilter(field_name="plan_id", help_text=_("id của văn bản kế hoạch"))
    role = django_filters.ChoiceFilter(choices=AssignmentRole.choices)
    agency = django_filters.NumberFilter(field_name="agency_id", help_text=_("id của cơ quan"))
    target = django_filters.NumberFilter(field_name="targets", help_text=_("id của chỉ tiêu"))

    class Meta:
        model = Assignment
        fields = ["plan", "role", "agency", "target"]
