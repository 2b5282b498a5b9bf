"""The indicator catalogue: loading it from the shipped YAML and matching wordings to it."""

from pathlib import Path

import yaml
from django.db import transaction

from .models import MULTIPLIER, Category, CategoryOption, DataElement, Indicator

CATALOGUE = Path(__file__).resolve().parent / "data" / "catalogue.yaml"


@transaction.atomic
def load_catalogue(path: Path = CATALOGUE) -> dict:
    """Create or update categories, data elements and indicators from the catalogue file (idempotent)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    counts = {"categories": 0, "data_elements": 0, "indicators": 0}
    categories = {}
    for code, spec in (data.get("categories") or {}).items():
        cat, _ = Category.objects.update_or_create(
            code=code, defaults={"name_vi": spec.get("name_vi", code), "name_en": spec.get("name_en", "")}
        )
        for order, (opt_code, opt_name) in enumerate((spec.get("options") or {}).items()):
            CategoryOption.objects.update_or_create(
                category=cat, code=str(opt_code), defaults={"name_vi": opt_name, "order": order}
            )
        categories[code] = cat
        counts["categories"] += 1
    elements = {}
    for spec in data.get("data_elements") or []:
        de, _ = DataElement.objects.update_or_create(
            code=spec["code"],
            defaults={
                "name_vi": spec["name_vi"],
                "name_en": spec.get("name_en", ""),
                "description": spec.get("description", ""),
                "dhis2_code": spec.get("dhis2_code", ""),
            },
        )
        de.categories.set([categories[c] for c in spec.get("categories") or [] if c in categories])
        elements[de.code] = de
        counts["data_elements"] += 1
    for spec in data.get("indicators") or []:
        unit = spec["unit"]
        ind, _ = Indicator.objects.update_or_create(
            code=spec["code"],
            defaults={
                "name_vi": spec["name_vi"],
                "name_en": spec.get("name_en", ""),
                "definition_vi": spec.get("definition_vi", ""),
                "numerator": elements[spec["numerator"]],
                "denominator": elements.get(spec.get("denominator")) if spec.get("denominator") else None,
                "unit": unit,
                "multiplier": spec.get("multiplier") or MULTIPLIER.get(unit, 1),
                "direction": spec["direction"],
                "sector": spec["sector"],
                "synonyms": spec.get("synonyms") or [],
                "source": spec.get("source", ""),
            },
        )
        ind.categories.set([categories[c] for c in spec.get("categories") or [] if c in categories])
        counts["indicators"] += 1
    return counts
