"""The demo cases load once, in Văn Quan's new communes, clearly marked as demo."""

import pytest

from treem.protection.demo import load_demo_cases
from treem.protection.models import Case


@pytest.mark.django_db
def test_demo_cases_are_idempotent_and_clearly_demo():
    first = load_demo_cases()
    assert "3" in first
    assert load_demo_cases().endswith("đã có")
    cases = Case.objects.filter(external_ref__startswith="DEMO-")
    assert cases.count() == 3
    assert {c.commune.code for c in cases} == {"06253", "06280"}
    assert all(c.narrative.startswith("[DEMO]") for c in cases)
    assert {c.status for c in cases} == {"implementing", "received", "closed"}
