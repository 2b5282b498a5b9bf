"""Score the parser against gold files: precision, recall and F1 per kind of item.

- components: a predicted component counts when its indicator matches (same indicator_code when
  both sides have one, otherwise the folded wordings agree), and comparator, value, unit and year
  are all equal. Matched one to one within each document.
- assignments: (agency, target) pairs, agencies compared by `agency_key` (abbreviations expanded,
  folded, punctuation dropped).
- reporting: (frequency, deadline) pairs, as a multiset per document.
- metadata: type, number, date, place, issuer, title, signer and period (a field counts when the gold
  value is not null), plus each implemented document as a (number, date) item.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import yaml

from treem.core.text import fold

from .agencies import agency_key

METADATA_FIELDS = ("type", "number", "date", "place", "issuer", "title", "signer", "period")


@dataclass
class Score:
    """True positives, false positives and false negatives, with the derived measures."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: Score) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        self.misses.extend(other.misses)


def _words(s: str | None) -> str:
    """Folded words only."""
    return " ".join(re.findall(r"\w+", fold(s or "")))


def wording_match(a: str | None, b: str | None) -> bool:
    """Two indicator wordings agree: equal folded words, or 90 % similar."""
    wa, wb = _words(a), _words(b)
    if not wa or not wb:
        return False
    return wa == wb or difflib.SequenceMatcher(None, wa, wb).ratio() >= 0.9


def _num(v):
    """A value as Decimal for comparison (None stays None)."""
    if v is None:
        return None
    try:
        return Decimal(str(v))
    except Exception:
        return None


def _component_ok(g: dict, p: dict) -> bool:
    """Does predicted component p match gold component g?"""
    if g.get("comparator") != p.get("comparator") or g.get("unit") != p.get("unit"):
        return False
    if _num(g.get("value")) != _num(p.get("value")):
        return False
    if (g.get("year") or None) != (p.get("year") or None):
        return False
    gc, pc = g.get("indicator_code"), p.get("indicator_code")
    if gc and pc:
        return gc == pc
    return wording_match(g.get("indicator"), p.get("indicator"))


def _label(c: dict) -> str:
    """Short description of a component for reports."""
    return (
        f"{c.get('indicator_code') or c.get('indicator')} {c.get('comparator')} {c.get('value')} "
        f"{c.get('unit')} {c.get('year')}"
    )


def score_components(gold: dict, pred: dict, name: str = "") -> Score:
    """Components, matched one to one."""
    g = [c for t in gold.get("targets") or [] for c in t.get("components") or []]
    p = [c for t in pred.get("targets") or [] for c in t.get("components") or []]
    used = set()
    s = Score()
    for gc in g:
        hit = next((i for i, pc in enumerate(p) if i not in used and _component_ok(gc, pc)), None)
        if hit is None:
            s.fn += 1
            s.misses.append(f"{name}: missing {_label(gc)}")
        else:
            used.add(hit)
            s.tp += 1
    for i, pc in enumerate(p):
        if i not in used:
            s.fp += 1
            s.misses.append(f"{name}: extra {_label(pc)}")
    return s


def _pairs(data: dict) -> set[tuple[str, str]]:
    """(agency key, target number) pairs."""
    out = set()
    for a in data.get("assignments") or []:
        for t in a.get("targets") or []:
            out.add((agency_key(a.get("agency") or ""), str(t)))
    return out


def score_assignments(gold: dict, pred: dict, name: str = "") -> Score:
    """(agency, target) pairs."""
    g, p = _pairs(gold), _pairs(pred)
    s = Score(tp=len(g & p), fp=len(p - g), fn=len(g - p))
    s.misses += [f"{name}: missing pair {x}" for x in sorted(g - p)]
    s.misses += [f"{name}: extra pair {x}" for x in sorted(p - g)]
    return s


def _deadline(d) -> str | None:
    """ "15/5" → "15/05"."""
    if d is None:
        return None
    m = re.match(r"^\s*(\d{1,2})\s*/\s*(\d{1,2})(?:\s*/\s*(\d{4}))?\s*$", str(d))
    if not m:
        return str(d)
    out = f"{int(m.group(1)):02d}/{int(m.group(2)):02d}"
    return out + (f"/{m.group(3)}" if m.group(3) else "")


def score_reporting(gold: dict, pred: dict, name: str = "") -> Score:
    """(frequency, deadline) pairs, as multisets."""
    g = Counter((r.get("frequency"), _deadline(r.get("deadline"))) for r in gold.get("reporting") or [])
    p = Counter((r.get("frequency"), _deadline(r.get("deadline"))) for r in pred.get("reporting") or [])
    tp = sum((g & p).values())
    s = Score(tp=tp, fp=sum(p.values()) - tp, fn=sum(g.values()) - tp)
    s.misses += [f"{name}: missing report {k}" for k in (g - p)]
    s.misses += [f"{name}: extra report {k}" for k in (p - g)]
    return s


def _norm_field(name: str, value):
    """Normalise a metadata value for comparison."""
    if value is None or value == "" or value == []:
        return None
    if name == "date":
        return str(value)[:10]
    if name == "period":
        return tuple(int(x) for x in value) if isinstance(value, (list, tuple)) else str(value)
    if name == "issuer":
        return agency_key(str(value))
    if name == "number":
        return re.sub(r"\s+", "", str(value)).upper()
    return _words(str(value))


def score_metadata(gold: dict, pred: dict, name: str = "") -> Score:
    """Metadata fields and implemented documents."""
    gd, pd = gold.get("document") or {}, pred.get("document") or {}
    s = Score()
    for f in METADATA_FIELDS:
        gv, pv = _norm_field(f, gd.get(f)), _norm_field(f, pd.get(f))
        ok = (
            gv is not None
            and pv is not None
            and (gv == pv or (f == "title" and difflib.SequenceMatcher(None, gv, pv).ratio() >= 0.9))
        )
        if ok:
            s.tp += 1
            continue
        if gv is not None:
            s.fn += 1
        if pv is not None:
            s.fp += 1
        if gv is not None or pv is not None:
            s.misses.append(f"{name}: {f} gold={gd.get(f)!r} got={pd.get(f)!r}")
    gi = {
        (_norm_field("number", r.get("number")), _norm_field("date", r.get("date")))
        for r in gd.get("implements") or []
    }
    pi = {
        (_norm_field("number", r.get("number")), _norm_field("date", r.get("date")))
        for r in pd.get("implements") or []
    }
    s.tp += len(gi & pi)
    s.fp += len(pi - gi)
    s.fn += len(gi - pi)
    s.misses += [f"{name}: implements missing {x}" for x in gi - pi]
    s.misses += [f"{name}: implements extra {x}" for x in pi - gi]
    return s


KINDS = {
    "components": score_components,
    "assignments": score_assignments,
    "reporting": score_reporting,
    "metadata": score_metadata,
}


def load_gold(path: Path) -> dict:
    """Read one gold YAML file."""
    return yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}


def find_source(gold_path: Path, gold: dict, docs_dir: Path) -> Path | None:
    """The document a gold file describes: its `source`, or a file with the same stem."""
    src = gold.get("source")
    if src and (docs_dir / Path(src).name).is_file():
        return docs_dir / Path(src).name
    for ext in (".txt", ".md", ".docx", ".pdf"):
        cand = docs_dir / (gold_path.stem + ext)
        if cand.is_file():
            return cand
    return None


def evaluate(gold_dir, docs_dir, *, matcher=None) -> dict:
    """Run the parser on every document that has a gold file; return Scores per kind and per file."""
    from .extract import import_document

    gold_dir, docs_dir = Path(gold_dir), Path(docs_dir)
    totals = {k: Score() for k in KINDS}
    per_doc = {}
    for gp in sorted(gold_dir.glob("*.y*ml")):
        gold = load_gold(gp)
        if not isinstance(gold, dict) or "document" not in gold:
            continue
        src = find_source(gp, gold, docs_dir)
        if src is None:
            continue
        pred = import_document(src, matcher=matcher).plan
        per_doc[gp.stem] = {}
        for kind, fn in KINDS.items():
            s = fn(gold, pred, gp.stem)
            per_doc[gp.stem][kind] = s
            totals[kind].add(s)
    return {"totals": totals, "documents": per_doc}


def format_report(result: dict, verbose: bool = False) -> str:
    """A plain-text table of precision, recall and F1."""
    lines = [f"{'kind':<12} {'P':>6} {'R':>6} {'F1':>6}   tp  fp  fn"]
    for kind, s in result["totals"].items():
        lines.append(f"{kind:<12} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f} {s.tp:4d}{s.fp:4d}{s.fn:4d}")
    lines.append(f"documents: {len(result['documents'])}")
    if verbose:
        for kind, s in result["totals"].items():
            for m in s.misses:
                lines.append(f"  [{kind}] {m}")
    return "\n".join(lines)
