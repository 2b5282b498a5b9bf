"""The parser scored against the seed gold files, the scoring functions, and the two commands."""

import json
from io import StringIO
from pathlib import Path

import pytest

from treem.documents.evaluation import (
    evaluate,
    format_report,
    score_assignments,
    score_components,
    score_metadata,
    score_reporting,
    wording_match,
)

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "treem" / "plans" / "seeds"
DATA = Path(__file__).resolve().parent / "data"
HAVE_GOLD = len(list(SEEDS.glob("seed_*.yaml"))) >= 5


@pytest.mark.skipif(not HAVE_GOLD, reason="seed gold files not present")
def test_seed_gold_scores():
    result = evaluate(SEEDS, SEEDS)
    assert len(result["documents"]) == 5
    totals = result["totals"]
    report = format_report(result, verbose=True)
    assert totals["components"].f1 >= 0.95, report
    assert totals["assignments"].f1 >= 0.95, report
    assert totals["reporting"].f1 == 1.0, report
    assert totals["metadata"].f1 == 1.0, report


def test_component_scoring_rules():
    gold = {
        "targets": [
            {
                "components": [
                    {
                        "indicator": "tỷ lệ trẻ em bị xâm hại",
                        "indicator_code": "BV_XAM_HAI",
                        "comparator": "lt",
                        "value": 0.01,
                        "unit": "%",
                        "year": 2025,
                    },
                    {
                        "indicator": "số điểm vui chơi",
                        "indicator_code": None,
                        "comparator": "ge",
                        "value": 3,
                        "unit": "count",
                        "year": None,
                    },
                ]
            }
        ]
    }
    same = {
        "targets": [
            {
                "components": [
                    {
                        "indicator": "trẻ em bị xâm hại",
                        "indicator_code": "BV_XAM_HAI",
                        "comparator": "lt",
                        "value": 0.010,
                        "unit": "%",
                        "year": 2025,
                    },
                    {
                        "indicator": "Số điểm vui chơi",
                        "indicator_code": None,
                        "comparator": "ge",
                        "value": 3.0,
                        "unit": "count",
                        "year": None,
                    },
                ]
            }
        ]
    }
    assert score_components(gold, same).f1 == 1.0
    wrong_year = json.loads(json.dumps(same))
    wrong_year["targets"][0]["components"][0]["year"] = 2030
    s = score_components(gold, wrong_year)
    assert (s.tp, s.fp, s.fn) == (1, 1, 1)
    assert wording_match("tỷ lệ trẻ em bị xâm hại", "Tỷ lệ trẻ em bị xâm hại.")
    assert not wording_match("tỷ lệ trẻ em bị xâm hại", "tỷ lệ tảo hôn")


def test_assignment_reporting_and_metadata_scoring():
    gold = {
        "assignments": [{"agency": "Phòng Lao động - Thương binh và Xã hội", "targets": ["1", "2"]}],
        "reporting": [
            {"frequency": "annual", "deadline": "15/11"},
            {"frequency": "annual", "deadline": "15/11"},
        ],
        "document": {
            "type": "Kế hoạch",
            "number": "48-KH/TU",
            "date": "2013-02-20",
            "issuer": "UBND huyện X",
            "implements": [{"number": "20-CT/TW", "date": "2012-11-05"}],
        },
    }
    pred = {
        "assignments": [{"agency": "Phòng LĐ-TB&XH", "targets": ["1"]}],
        "reporting": [{"frequency": "annual", "deadline": "15/11"}],
        "document": {
            "type": "Kế hoạch",
            "number": "48 -KH/TU",
            "date": "2013-02-20",
            "issuer": "Ủy ban nhân dân huyện X",
            "implements": [{"number": "20-CT/TW", "date": "2012-11-05"}],
        },
    }
    a = score_assignments(gold, pred)
    assert (a.tp, a.fp, a.fn) == (1, 0, 1)
    r = score_reporting(gold, pred)
    assert (r.tp, r.fp, r.fn) == (1, 0, 1)
    m = score_metadata(gold, pred)
    assert m.f1 == 1.0


def test_evaluate_on_the_test_documents_is_perfect():
    # the expected files double as gold files for the evaluation function
    import shutil
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        gold_dir = Path(tmp)
        for exp in DATA.glob("*.expected.json"):
            data = json.loads(exp.read_text(encoding="utf-8"))
            stem = exp.name.replace(".expected.json", "")
            src = next(
                p for p in DATA.iterdir() if p.stem == stem and p.suffix in (".txt", ".md", ".docx", ".pdf")
            )
            data["source"] = src.name
            import yaml

            (gold_dir / f"{stem}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        result = evaluate(gold_dir, DATA)
        assert len(result["documents"]) >= 10
        for kind, score in result["totals"].items():
            assert score.f1 == 1.0, (kind, score.misses)
        del shutil


def _call(*args):
    from django.core.management import call_command

    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_import_plan_command_prints_json():
    out = _call("import_plan", str(DATA / "plan_02_huyen_markdown.md"), "--json")
    plan = json.loads(out)
    assert plan["document"]["number"] == "48/KH-UBND"
    assert len(plan["targets"]) == 5


def test_import_plan_command_reports_bad_input_in_vietnamese(tmp_path):
    from django.core.management.base import CommandError

    p = tmp_path / "empty.txt"
    p.write_text("")
    with pytest.raises(CommandError, match="trống"):
        _call("import_plan", str(p), "--json")


@pytest.mark.skipif(not HAVE_GOLD, reason="seed gold files not present")
def test_evaluate_parser_command_prints_scores():
    out = _call("evaluate_parser", str(SEEDS), str(SEEDS))
    assert "components" in out and "assignments" in out and "reporting" in out and "metadata" in out
    lines = {
        ln.split()[0]: ln.split()
        for ln in out.splitlines()
        if ln and ln.split()[0] in ("components", "reporting")
    }
    assert float(lines["reporting"][3]) == 1.0
