"""Admin of the indicator catalogue: disaggregations, data elements, indicators."""

from django.contrib import admin

from .models import Category, CategoryOption, CategoryOptionCombo, DataElement, Indicator, ValidationRule


class CategoryOptionInline(admin.TabularInline):
    model = CategoryOption
    extra = 0
    fields = ["code", "name_vi", "order"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name_vi", "name_en"]
    search_fields = ["code", "name_vi", "name_en"]
    inlines = [CategoryOptionInline]


@admin.register(CategoryOption)
class CategoryOptionAdmin(admin.ModelAdmin):
    list_display = ["category", "code", "name_vi", "order"]
    list_filter = ["category"]
    search_fields = ["code", "name_vi"]
    list_select_related = ["category"]


@admin.register(DataElement)
class DataElementAdmin(admin.ModelAdmin):
    list_display = ["code", "name_vi", "value_type", "dhis2_code"]
    list_filter = ["value_type"]
    search_fields = ["code", "name_vi", "name_en", "dhis2_code"]
    filter_horizontal = ["categories"]


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name_vi",
        "unit",
        "multiplier",
        "direction",
        "sector",
        "numerator",
        "denominator",
    ]
    list_filter = ["unit", "direction", "sector"]
    search_fields = ["code", "name_vi", "name_en", "synonyms"]
    list_select_related = ["numerator", "denominator"]
    autocomplete_fields = ["numerator", "denominator"]
    filter_horizontal = ["categories"]


@admin.register(CategoryOptionCombo)
class CategoryOptionComboAdmin(admin.ModelAdmin):
    list_display = ["code", "name_vi", "category", "order", "dhis2_code"]
    list_filter = ["category"]
    search_fields = ["code", "name_vi", "dhis2_code"]
    list_select_related = ["category"]
    filter_horizontal = ["options"]


@admin.register(ValidationRule)
class ValidationRuleAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name_vi",
        "left_side",
        "operator",
        "right_side",
        "importance",
        "blocking",
        "active",
    ]
    list_filter = ["operator", "importance", "blocking", "active"]
    search_fields = ["code", "name_vi", "left_side", "right_side"]
