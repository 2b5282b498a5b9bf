"""Extract a structured plan from a document: the entry points of the importer.

`import_document(path)` reads, cleans and extracts; `extract_plan(text)` works on text already in
memory. The result is a dict in the issue's JSON shape (document, targets, assignments, reporting,
tasks), with extras: objectives, spans and confidences on every item, indicator codes and scores,
and warnings. Spans point into `result["text"]`-independent cleaned text returned alongside.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from treem.core.text import fold

from .assignments import extract_assignments, merge_assignments
from .cleanup import CleanText, clean_text
from .components import find_mentions, guess_direction, parse_components, tail_comparator
from .errors import error
from .indicators import Matcher, default_matcher
from .metadata import extract_metadata
from .readers import ReadResult, read_document
from .reporting import extract_reporting
from .structure import Para, heading_text, paragraphs, sections

LOW_CONFIDENCE = 0.7
GENERAL_RE = re.compile(
    r"^(?:muc tieu\s+)?(?:chung|tong quat|tong the)\b|^muc tieu (?:chung|tong quat|tong the)"
)
HEADING_YEAR_RE = re.compile(r"(?:đến|vào|trong)\s+năm\s+((?:19|20)\d{2})", re.I)


@dataclass
class Extraction:
    """What the importer produced: cleaned text, the plan as a dict, and how it was read."""

    clean: CleanText
    plan: dict
    read: ReadResult | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.clean.text


def import_document(
    source,
    filename: str | None = None,
    *,
    progress=None,
    matcher: Matcher | None = None,
    require_targets: bool = False,
) -> Extraction:
    """Read a file (path, bytes or file object) and extract its plan; DocumentError on bad input."""
    read = read_document(source, filename, progress=progress)
    clean = clean_text(read.text, paragraphs=True if read.paragraphs else None)
    if not clean.text.strip():
        raise error("no_text", name=filename or str(source))
    plan = extract_plan(clean, matcher=matcher)
    warnings = list(read.warnings) + plan.get("warnings", [])
    if require_targets and not plan["targets"]:
        raise error("no_targets", name=filename or getattr(source, "name", None) or str(source))
    if not plan["targets"]:
        warnings.append("Không tìm thấy chỉ tiêu nào trong văn bản.")
    plan["warnings"] = warnings
    return Extraction(clean=clean, plan=plan, read=read, warnings=warnings)


def extract_plan(source: str | CleanText, *, matcher: Matcher | None = None) -> dict:
    """Extract the plan from raw text (cleaned first) or from a CleanText."""
    clean = source if isinstance(source, CleanText) else clean_text(source)
    matcher = matcher if matcher is not None else default_matcher()
    paras = paragraphs(clean)
    document, info = extract_metadata(clean, paras)
    body_start = (info["title_idx"] if info["title_idx"] is not None else (info["type_idx"] or -1)) + 1
    body_start += len(info["preamble"])
    secs = sections(paras, body_start)
    targets, objectives = extract_targets(secs, paras, matcher)
    known = {t["number"] for t in targets if t["number"]}
    org = [p for s in secs if s.kind == "organisation" for p in s.paras]
    if not org:
        org = _fallback_org(secs)
    assignments = extract_assignments(org, clean.bold, known)
    assignments = merge_assignments(assignments + [a for t in targets for a in t.pop("_assignments", [])])
    item_context = _item_context(org)
    reporting = extract_reporting(list(info["preamble"]) + [p for s in secs for p in s.paras], item_context)
    tasks = extract_tasks(secs)
    spans = info["spans"]
    document_out = {k: document[k] for k in ("type", "number", "date", "issuer", "title", "signer")}
    document_out["implements"] = [{"number": r["number"], "date": r["date"]} for r in document["implements"]]
    document_out.update(
        {
            "place": document["place"],
            "signer_title": document["signer_title"],
            "period": document["period"],
            "implements_detail": document["implements"],
            "spans": spans,
            "confidence": info["confidence"],
        }
    )
    warnings = []
    low = sum(1 for t in targets for c in t["components"] if c["confidence"] < LOW_CONFIDENCE)
    if low:
        warnings.append(f"{low} thành phần chỉ tiêu có độ tin cậy thấp, cần rà soát.")
    return {
        "document": document_out,
        "objectives": objectives,
        "targets": targets,
        "assignments": assignments,
        "reporting": reporting,
        "tasks": tasks,
        "warnings": warnings,
    }


# ---------------------------------------------------------------- targets


def _json_value(v: Decimal | None):
    """Decimal → int or float for JSON."""
    if v is None:
        return None
    return int(v) if v == v.to_integral_value() else float(v)


def _component_dict(c, matcher: Matcher) -> dict:
    """A Component as JSON, with its indicator matched to the catalogue."""
    m = matcher.match(c.indicator, c.unit) if c.indicator else None
    conf = c.confidence
    if not m or not m.code:
        conf -= 0.15
    elif m.score < 0.6:
        conf -= 0.1
    return {
        "indicator": c.indicator,
        "indicator_code": m.code if m else None,
        "indicator_score": m.score if m else 0.0,
        "comparator": c.comparator,
        "value": _json_value(c.value),
        "unit": c.unit,
        "year": c.year,
        "qualifier": c.qualifier,
        "span": list(c.span),
        "confidence": round(max(0.05, conf), 2),
    }


def _is_heading(p: Para, nxt: Para | None, has_values: bool) -> bool:
    """A numbered line with no values that introduces the items after it."""
    if has_values:
        return False
    if p.kind == "label" and fold(p.word or "") == "chi tieu":
        return False
    if p.kind in ("number", "multi", "letter", "roman") or (
        p.kind == "label" and fold(p.word or "") == "muc tieu"
    ):
        body = p.body.strip()
        if body.endswith(":") or len(body) < 160 or p.bold:
            return True
        if nxt is not None and nxt.kind != p.kind:
            return True
    if p.kind == "plain" and p.bold and len(p.text) < 160:
        return True
    return False


def extract_targets(secs, paras: list[Para], matcher: Matcher) -> tuple[list[dict], list[dict]]:
    """Targets and objectives from the objectives sections (or labelled targets and tables elsewhere)."""
    targets: list[dict] = []
    objectives: list[dict] = []
    obj_secs = [s for s in secs if s.kind == "objectives"]
    if obj_secs:
        for s in obj_secs:
            _targets_in(s.paras, targets, objectives, matcher, all_items=True)
    # labelled targets ("Chỉ tiêu 3:") and target tables outside the objectives section
    others = [p for s in secs if s.kind != "objectives" for p in s.paras]
    labelled = [p for p in others if p.kind == "label" and fold(p.word or "") == "chi tieu"]
    if labelled and not targets:
        _targets_in(labelled, targets, objectives, matcher, all_items=True)
    if not targets:
        tables = _table_blocks(others)
        for block in tables:
            _table_targets(block, targets, matcher, None)
    return targets, objectives


def _direction_fn(matcher: Matcher):
    """direction_of(wording) for the component parser."""

    def direction_of(wording: str, unit: str | None = None):
        return matcher.direction(wording, unit) if wording else None

    return direction_of


def _targets_in(
    paras: list[Para], targets: list[dict], objectives: list[dict], matcher: Matcher, all_items: bool
):
    """Walk objective paragraphs: headings set the group; items become targets."""
    group = None
    objective = None
    general_kind = None
    in_general = False
    heading_year = None
    direction_of = _direction_fn(matcher)
    i = 0
    while i < len(paras):
        p = paras[i]
        if p.kind == "table":
            block = []
            while i < len(paras) and paras[i].kind == "table":
                block.append(paras[i])
                i += 1
            if not in_general:
                _table_targets(block, targets, matcher, group, heading_year)
            continue
        nxt = paras[i + 1] if i + 1 < len(paras) else None
        body = p.body
        has_values = bool(find_mentions(body)) and not (
            p.kind in ("number", "multi") and GENERAL_RE.search(fold(body))
        )
        if _is_heading(p, nxt, has_values) or (
            p.kind in ("number", "multi", "letter") and GENERAL_RE.search(fold(body))
        ):
            title = heading_text(p)
            f = fold(title)
            general = bool(GENERAL_RE.search(f))
            if general:
                in_general, general_kind = True, p.kind
            elif in_general and (p.kind == general_kind or p.kind in ("roman",)):
                in_general = False
            kind = "general" if general else "specific"
            head, _, rest = title.partition(":")
            objectives.append(
                {
                    "number": p.label,
                    "kind": kind,
                    "title": head.strip() if rest.strip() else title,
                    "text": rest.strip() or None,
                    "span": [p.start, p.end],
                }
            )
            if not general:
                group = head.strip() if rest.strip() and len(head) < 80 else title
                objective = p.label
                hy = HEADING_YEAR_RE.search(title)
                heading_year = int(hy.group(1)) if hy else (heading_year if p.kind == "multi" else None)
            i += 1
            continue
        if in_general:
            if objectives and objectives[-1]["kind"] == "general" and p.kind == "plain":
                objectives[-1]["text"] = ((objectives[-1]["text"] or "") + "\n" + p.text).strip()
            i += 1
            continue
        is_item = p.kind in ("bullet", "number", "letter", "label", "multi") or has_values
        if not is_item:
            i += 1
            continue
        number = None
        text = body
        start = p.body_start
        if p.kind == "label" and fold(p.word or "") == "chi tieu":
            number = p.label
        elif p.kind in ("number", "letter", "multi"):
            number = p.label
        m = re.match(r"^(?:Chỉ tiêu|CHỈ TIÊU)\s+(?:số\s+)?(\d{1,3})\s*[:.)\-–]\s*", text)
        if m:
            number = number if p.kind == "label" else m.group(1)
            text, start = text[m.end() :], start + m.end()
        comps = parse_components(
            text, start, direction_of=direction_of, default_year=heading_year, maintain_comparator="maintain"
        )
        if not comps and not all_items:
            i += 1
            continue
        if not comps and p.kind == "plain":
            i += 1
            continue
        components = [_component_dict(c, matcher) for c in comps]
        conf = min([c["confidence"] for c in components], default=0.5)
        targets.append(
            {
                "number": number,
                "group": group,
                "objective": objective,
                "text": text.strip(),
                "components": components,
                "span": [p.start, p.end],
                "confidence": round(conf, 2),
            }
        )
        i += 1


# ---------------------------------------------------------------- tables

TABLE_UNITS = [
    (r"1\.?000\s+tre|tre\s+de\s+song|sinh song|p/1\.?000|/\s*1\.?000", "per_1000_live_births"),
    (r"100\.?000", "per_100000_children"),
    (r"‰|phan nghin|phan ngan", "‰"),
    (r"%|phan tram|ty le", "%"),
]


def _cells(p: Para) -> list[str]:
    """Cells of a table row line."""
    return [c.strip() for c in p.text.strip().strip("|").split("|")]


def _table_blocks(paras: list[Para]) -> list[list[Para]]:
    """Consecutive table rows."""
    blocks, cur = [], []
    for p in paras:
        if p.kind == "table":
            cur.append(p)
        elif cur:
            blocks.append(cur)
            cur = []
    if cur:
        blocks.append(cur)
    return blocks


def _table_targets(
    block: list[Para],
    targets: list[dict],
    matcher: Matcher,
    group: str | None,
    heading_year: int | None = None,
):
    """Targets from a table whose rows are targets (STT | Chỉ tiêu | Đơn vị | Năm 2025 | …)."""
    header_idx = None
    for k, row in enumerate(block[:4]):
        cells = [fold(c) for c in _cells(row)]
        if any(re.search(r"chi tieu|noi dung|ten chi so|chi so", c) for c in cells):
            header_idx = k
            break
    if header_idx is None:
        return
    header = [fold(c) for c in _cells(block[header_idx])]
    # a second header row (years under "Chỉ tiêu phấn đấu") is merged in
    data_start = header_idx + 1
    if data_start < len(block):
        second = [fold(c) for c in _cells(block[data_start])]
        if any(re.fullmatch(r"(?:nam\s+)?(?:19|20)\d{2}", c) for c in second) and not any(
            re.search(r"[a-z]{4}", c) and not re.search(r"nam", c) for c in second
        ):
            header = [
                f"{h} {s}".strip()
                for h, s in zip(header + [""] * (len(second) - len(header)), second, strict=False)
            ]
            data_start += 1
    col = {"number": None, "indicator": None, "unit": None, "lead": None, "coordinate": None}
    values: list[tuple[int, int | None]] = []
    for j, h in enumerate(header):
        if col["number"] is None and re.fullmatch(r"(?:s\s*)?tt|so tt|so thu tu|stt\.?", h):
            col["number"] = j
        elif (
            col["indicator"] is None
            and re.search(r"chi tieu|noi dung|ten chi so|chi so", h)
            and not re.search(r"(?:19|20)\d{2}|phan dau|ke hoach|muc tieu", h)
        ):
            col["indicator"] = j
        elif (
            col["unit"] is None and re.search(r"don vi|dvt", h) and "chu tri" not in h and "phoi hop" not in h
        ):
            col["unit"] = j
        elif re.search(r"chu tri", h):
            col["lead"] = j
        elif re.search(r"phoi hop", h):
            col["coordinate"] = j
        elif re.search(r"thuc hien|hien trang|uoc|co so|goc|ket qua", h):
            continue
        else:
            y = re.search(r"(?:19|20)\d{2}", h)
            if y or re.search(r"muc tieu|phan dau|ke hoach|gia tri|chi tieu", h):
                values.append((j, int(y.group(0)) if y else heading_year))
    if col["indicator"] is None:
        return
    if not values:
        return
    direction_of = _direction_fn(matcher)
    for row in block[data_start:]:
        cells = _cells(row)
        if len(cells) <= col["indicator"]:
            continue
        wording = cells[col["indicator"]].strip()
        if not wording:
            continue
        filled = [cells[j] for j, _ in values if j < len(cells) and cells[j].strip()]
        if not filled:
            group = wording
            continue
        number = (
            cells[col["number"]].strip(" .")
            if col["number"] is not None and col["number"] < len(cells)
            else None
        )
        unit_text = fold(cells[col["unit"]]) if col["unit"] is not None and col["unit"] < len(cells) else ""
        indicator = re.sub(r"^(?:phấn đấu\s+)?(?:giảm|tăng|nâng|duy trì)\s+", "", wording, flags=re.I).strip()
        components = []
        for j, year in values:
            if j >= len(cells) or not cells[j].strip():
                continue
            comp = _cell_component(cells[j], unit_text, indicator, wording, year, direction_of)
            if comp is None:
                continue
            pos = row.text.find(cells[j])
            comp["span"] = [row.start + max(0, pos), row.start + max(0, pos) + len(cells[j])]
            m = matcher.match(indicator)
            comp["indicator_code"], comp["indicator_score"] = m.code, m.score
            if not m.code:
                comp["confidence"] = round(comp["confidence"] - 0.15, 2)
            components.append(comp)
        target = {
            "number": number or None,
            "group": group,
            "objective": None,
            "text": wording,
            "components": components,
            "span": [row.start, row.end],
            "confidence": min([c["confidence"] for c in components], default=0.5),
        }
        agencies = []
        for key, role in (("lead", "lead"), ("coordinate", "coordinate")):
            j = col[key]
            if j is not None and j < len(cells) and cells[j].strip() and number:
                from .agencies import split_agencies

                for name in re.split(r"\s*;\s*|\s*\n\s*", cells[j]):
                    for a in split_agencies(name):
                        agencies.append(
                            {
                                "agency": a,
                                "role": role,
                                "targets": [number],
                                "span": [row.start, row.end],
                                "confidence": 0.8,
                            }
                        )
        target["_assignments"] = agencies
        targets.append(target)


def _cell_component(
    cell: str, unit_text: str, indicator: str, wording: str, year, direction_of
) -> dict | None:
    """One component from a table cell ("< 5", "≥ 95%", "dưới 9,5", "100")."""
    m = re.search(r"(\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?)", cell)
    if not m:
        return None
    from treem.core.text import parse_vn_number

    value = parse_vn_number(m.group(1))
    before = fold(cell[: m.start()])
    after = cell[m.end() :]
    comp, _ = tail_comparator(before)
    if re.match(r"^\s*(?:trở lên)", after, re.I):
        comp = "ge"
    unit = None
    fa = fold(after)
    for pat, u in TABLE_UNITS:
        if re.search(pat, fa):
            unit = u
            break
    if unit is None:
        for pat, u in TABLE_UNITS:
            if re.search(pat, unit_text):
                unit = u
                break
    if unit is None:
        unit = "count" if unit_text else "%"
    confidence = 0.9
    if comp is None or comp == "dir":
        d = direction_of(indicator, None) or guess_direction(indicator, wording)
        comp = "le" if d == "lower" else "ge"
        confidence = 0.75
    return {
        "indicator": indicator,
        "indicator_code": None,
        "indicator_score": 0.0,
        "comparator": comp,
        "value": _json_value(value),
        "unit": unit,
        "year": year,
        "qualifier": None,
        "span": None,
        "confidence": confidence,
    }


# ---------------------------------------------------------------- tasks and helpers


def _first_level(paras: list[Para]) -> str | None:
    """Marker kind of the first numbered item in a list of paragraphs."""
    return next((p.kind for p in paras if p.kind in ("number", "multi", "label")), None)


def extract_tasks(secs) -> list[dict]:
    """Numbered tasks and solutions: items of the tasks sections (or of a directive's body)."""
    task_secs = [s for s in secs if s.kind == "tasks"]
    if not task_secs:
        task_secs = [s for s in secs if s.kind in ("preamble", "other")]
    out = []
    for s in task_secs:
        kind = _first_level(s.paras)
        if not kind:
            continue
        items = [p for p in s.paras if p.kind == kind]
        for p in items:
            body = p.body.strip()
            if len(body) <= 300:  # a heading or a one-sentence point: the whole of it
                title = body.rstrip(".").strip()
            else:
                m = re.search(r"[;]|\.(?=\s)|\.$", body)
                title = body[: m.start()] if m else body
            out.append({"number": p.label, "title": title, "span": [p.start, p.end], "confidence": 0.85})
    return out


def _fallback_org(secs) -> list[Para]:
    """Without an organisation section, the last numbered item of a directive acts as one."""
    return []


def _item_context(org: list[Para]) -> dict[int, str]:
    """For each organisation paragraph, the heading of the item it belongs to (who reports)."""
    ctx = {}
    kind = _first_level(org)
    head = ""
    for p in org:
        if p.kind == kind:
            head = p.body[:120]
        ctx[p.index] = head
    return ctx
