"""End-to-end tests of the plan importer on the documents in tests/documents/data (no database).

Each document has a hand-written `<name>.expected.json`; the importer must reproduce it exactly
(F1 = 1 on its components, assignment pairs, reporting deadlines and metadata).
"""

import json
import time
from pathlib import Path

import pytest

from treem.documents.evaluation import (
    score_assignments,
    score_components,
    score_metadata,
    score_reporting,
)
from treem.documents.extract import import_document

DATA = Path(__file__).resolve().parent / "data"
DOCS = sorted(p for p in DATA.iterdir() if p.suffix in (".txt", ".md", ".docx", ".pdf"))


def _expected(doc: Path) -> dict:
    return json.loads((DATA / f"{doc.stem}.expected.json").read_text(encoding="utf-8"))


def test_there_are_at_least_ten_documents_with_expectations():
    assert len(DOCS) >= 10
    assert {p.suffix for p in DOCS} >= {".txt", ".md", ".docx", ".pdf"}
    for doc in DOCS:
        assert (DATA / f"{doc.stem}.expected.json").is_file(), doc.name


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_document_matches_expectation(doc):
    expected = _expected(doc)
    result = import_document(doc)
    plan = result.plan
    name = doc.stem
    for scorer in (score_components, score_assignments, score_reporting, score_metadata):
        score = scorer(expected, plan, name)
        assert score.f1 == 1.0, f"{scorer.__name__}: {score.misses}"
    assert [t["number"] for t in plan["targets"]] == [t["number"] for t in expected["targets"]]
    for exp_t, got_t in zip(expected["targets"], plan["targets"], strict=True):
        if "group" in exp_t:
            assert got_t["group"] == exp_t["group"]
        for exp_c, got_c in zip(exp_t["components"], got_t["components"], strict=True):
            if "qualifier" in exp_c:
                assert got_c["qualifier"] == exp_c["qualifier"]
    if "tasks" in expected:
        assert len(plan["tasks"]) == expected["tasks"]
    for fragment in expected.get("text_contains", []):
        assert fragment in result.text
    for fragment in expected.get("text_lacks", []):
        assert fragment not in result.text
    if "warnings_contain" in expected:
        assert any(expected["warnings_contain"] in w for w in plan["warnings"])


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_item_has_a_span_into_the_cleaned_text_and_a_confidence(doc):
    result = import_document(doc)
    text = result.text
    plan = result.plan
    items = [t for t in plan["targets"]] + [c for t in plan["targets"] for c in t["components"]]
    items += plan["assignments"] + plan["reporting"] + plan["tasks"]
    for item in items:
        start, end = item["span"]
        assert 0 <= start < end <= len(text)
        assert 0 < item["confidence"] <= 1
    for comp in (c for t in plan["targets"] for c in t["components"]):
        # the value of a text component is inside its span
        if comp["unit"] != "count" and plan["targets"] and "|" not in text[comp["span"][0] : comp["span"][1]]:
            assert any(ch.isdigit() for ch in text[comp["span"][0] : comp["span"][1]]) or comp["value"] == 0
    for key, (start, end) in plan["document"]["spans"].items():
        assert 0 <= start < end <= len(text), key


def test_output_has_the_issue_shape():
    plan = import_document(DATA / "plan_01_tinh_letters.txt").plan
    json.dumps(plan, ensure_ascii=False)  # serialisable
    assert set(plan) >= {"document", "targets", "assignments", "reporting", "tasks"}
    assert set(plan["document"]) >= {"type", "number", "date", "issuer", "title", "signer", "implements"}
    comp = plan["targets"][0]["components"][0]
    assert set(comp) >= {"indicator", "comparator", "value", "unit", "year", "qualifier", "indicator_code"}
    assert comp["comparator"] in {"lt", "le", "eq", "ge", "gt", "maintain", "reduce_by", "increase_by"}
    for t in plan["targets"]:
        for c in t["components"]:
            assert c["unit"] in {"%", "‰", "per_1000_live_births", "per_100000_children", "count"}
    for r in plan["reporting"]:
        assert r["frequency"] in {"monthly", "quarterly", "semiannual", "annual", "once"}


def test_a_200_page_document_is_read_in_seconds(tmp_path):
    page = (
        "Tăng cường công tác tuyên truyền, phổ biến, giáo dục pháp luật về trẻ em; nâng cao nhận thức, \n"
        "trách nhiệm của gia đình, nhà trường và xã hội trong việc bảo vệ, chăm sóc trẻ em. \n"
    ) * 18
    head = (DATA / "plan_01_tinh_letters.txt").read_text(encoding="utf-8")
    body = "".join(f"{page}\n\nKH 125/KH-UBND\n\n{n}\n\n" for n in range(2, 202))
    path = tmp_path / "big.txt"
    path.write_text(
        head.replace("III. NHIỆM VỤ VÀ GIẢI PHÁP", "III. NHIỆM VỤ VÀ GIẢI PHÁP\n\n" + body), encoding="utf-8"
    )
    assert path.stat().st_size > 300_000
    start = time.perf_counter()
    result = import_document(path)
    elapsed = time.perf_counter() - start
    assert elapsed < 15, f"took {elapsed:.1f}s"
    assert len(result.plan["targets"]) == 6
    assert "KH 125/KH-UBND" not in result.text


def test_progress_is_reported_for_pdf_pages():
    seen = []
    import_document(DATA / "plan_05_pdf.pdf", progress=lambda done, total: seen.append((done, total)))
    assert seen and seen[-1][0] == seen[-1][1] >= 2
