"""Match a component's indicator wording to the indicator catalogue.

The scorer is small and explainable: both wordings are folded, common variants are rewritten to one
form ("thể chiều cao theo tuổi" → "thấp còi", "đẻ sống" → "sinh sống"), connectives are dropped,
and the score is a weighted Dice coefficient over words and word pairs, each weighted by how rare it
is in the catalogue (a word every indicator has, like "trẻ em", counts little). The best indicator
over its name and synonyms wins when it scores at least MIN_SCORE.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from treem.core.text import fold

CATALOGUE = Path(__file__).resolve().parents[1] / "indicators" / "data" / "catalogue.yaml"
MIN_SCORE = 0.4

REWRITES = [
    (r"\bthe chieu cao theo tuoi\b|\bchieu cao theo tuoi\b", "thap coi"),
    (r"\bthe can nang theo tuoi\b|\bcan nang theo tuoi\b", "nhe can"),
    (r"\bthe can nang theo chieu cao\b|\bcan nang theo chieu cao\b", "gay com"),
    (r"\bthua can,? beo phi\b|\bthua can\b|\bbeo phi\b", "thua can beo phi"),
    (r"\b(?:de|sinh) song\b|\bde ra song\b", "sinh song"),
    (r"\bvac-?xin\b|\bvaccine\b|\bvacxin\b", "vac xin"),
    (r"\btai nan,? thuong tich\b", "tai nan thuong tich"),
    (r"\bhang nam\b", "hang nam"),
    (r"\bphan dau\b", " "),
    (r"\bhcdb\b", "hoan canh dac biet"),
    (r"\bthcs\b", "trung hoc co so"),
    (r"\bthpt\b", "trung hoc pho thong"),
    (r"\bptth\b", "trung hoc pho thong"),
    (r"\bmam non\b", "mam non"),
    (r"\bhiv/aids\b", "hiv"),
    (r"\btre so sinh\b", "so sinh"),
    (r"\btu vong so sinh\b", "tu vong so sinh"),
]
STOPWORDS = {
    "cac",
    "cua",
    "va",
    "o",
    "cho",
    "ve",
    "trong",
    "voi",
    "tren",
    "nhung",
    "mot",
    "la",
    "dat",
    "giam",
    "tang",
    "duy",
    "tri",
    "nang",
    "len",
    "xuong",
    "duoi",
    "muc",
    "tong",
    "so",
    "ty",
    "le",
    "suat",
    "bi",
    "den",
    "tu",
    "hoac",
    "do",
    "nhat",
    "it",
    "toi",
    "thieu",
    "kip",
    "thoi",
    "nam",
    "con",
    "tro",
    "phu",
    "hop",
    "day",
    "du",
}
KEEP_NUMBERS = re.compile(r"^\d+$")


@dataclass
class Indicator:
    """A catalogue entry as the matcher needs it."""

    code: str
    name: str
    unit: str | None
    direction: str | None  # "lower" or "higher" (is better)
    texts: list[str]

    @property
    def subject(self) -> str | None:
        """What the indicator counts (children, schools, communes …), from its name."""
        return subject(self.name)

    @property
    def has_duoc(self) -> bool:
        """True when the indicator's own wording speaks of children who receive something."""
        return any(" duoc " in f" {fold(t)} " for t in self.texts)


@dataclass
class Match:
    code: str | None
    score: float
    name: str | None = None
    direction: str | None = None
    shared: tuple[str, ...] = ()


def normalise(text: str) -> list[str]:
    """Folded words of a wording after rewrites, without connectives."""
    f = fold(text)
    for pat, rep in REWRITES:
        f = re.sub(pat, rep, f)
    f = re.sub(r"[^\w\s]", " ", f)
    return [w for w in f.split() if w not in STOPWORDS]


SUBJECTS = [
    ("child", ("tre em", "tre", "hoc sinh", "nguoi chua thanh nien")),
    ("school", ("truong hoc", "truong", "co so giao duc", "co so")),
    ("commune", ("xa", "phuong", "thi tran")),
    ("village", ("thon", "ban", "to dan pho")),
    ("station", ("tram y te",)),
    ("household", ("ho gia dinh", "ho", "gia dinh")),
]


def subject(text: str) -> str | None:
    """The kind of unit a wording counts, from its first words ("tỷ lệ trường học …" → school)."""
    f = fold(text)
    f = re.sub(r"^(?:ty le|ty suat|so|phan dau|giam|tang|duy tri|cac|nhung|\W)+\s*", "", f)
    for name, heads in SUBJECTS:
        for h in heads:
            if f.startswith(h + " ") or f == h or f.startswith(h + ","):
                return name
    return None


def features(text: str) -> set[str]:
    """Words and adjacent word pairs of a normalised wording, and whether it is a count or a rate."""
    words = normalise(text)
    feats = set(words)
    f = fold(text).lstrip(" -+•")
    if re.match(r"^(?:giam\s+|tang\s+)?so\s", f):
        feats.add("#count")
    elif re.match(r"^(?:giam\s+|tang\s+)?ty (?:le|suat)\s", f):
        feats.add("#rate")
    feats.update(f"{a} {b}" for a, b in zip(words, words[1:], strict=False))
    return feats


def _direction(value) -> str | None:
    """Map the catalogue's direction spelling to "lower"/"higher"."""
    if value is None:
        return None
    v = str(value).strip().lower()
    if v in (
        "lower",
        "down",
        "decrease",
        "lower_is_better",
        "lower_better",
        "-1",
        "negative",
        "min",
        "giam",
        "low",
    ):
        return "lower"
    if v in (
        "higher",
        "up",
        "increase",
        "higher_is_better",
        "higher_better",
        "1",
        "+1",
        "positive",
        "max",
        "tang",
        "high",
    ):
        return "higher"
    return None


def load_catalogue(path: Path | str | None = None) -> list[Indicator]:
    """Read the indicator catalogue YAML (a list, or a mapping with "indicators")."""
    p = Path(path) if path else CATALOGUE
    if not p.is_file():
        return []
    data = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    items = data.get("indicators", []) if isinstance(data, dict) else data
    out = []
    for item in items or []:
        if not isinstance(item, dict) or not item.get("code"):
            continue
        texts = [item.get("name_vi") or ""] + [s for s in (item.get("synonyms") or []) if isinstance(s, str)]
        out.append(
            Indicator(
                code=str(item["code"]),
                name=item.get("name_vi") or "",
                unit=item.get("unit"),
                direction=_direction(item.get("direction")),
                texts=[t for t in texts if t],
            )
        )
    return out


class Matcher:
    """Weighted word-and-pair Dice matcher over a catalogue."""

    def __init__(self, indicators: list[Indicator]):
        self.indicators = indicators
        docs = [set().union(*(features(t) for t in ind.texts)) if ind.texts else set() for ind in indicators]
        n = max(1, len(docs))
        df: dict[str, int] = {}
        for d in docs:
            for f in d:
                df[f] = df.get(f, 0) + 1
        self.idf = {f: math.log(1 + n / c) for f, c in df.items()}
        self.default_idf = math.log(1 + n)
        self.entries = [(ind, [features(t) for t in ind.texts]) for ind in indicators]

    def weight(self, feat: str) -> float:
        """Rarity weight of a feature (pairs count a little more than words)."""
        w = self.idf.get(feat, self.default_idf)
        return w * (1.3 if " " in feat else 1.0)

    def score(self, query: set[str], target: set[str]) -> tuple[float, tuple[str, ...]]:
        """Weighted Dice coefficient between two feature sets."""
        if not query or not target:
            return 0.0, ()
        shared = query & target
        num = 2 * sum(self.weight(f) for f in shared)
        den = sum(self.weight(f) for f in query) + sum(self.weight(f) for f in target)
        return (num / den if den else 0.0), tuple(sorted(shared))

    def match(self, wording: str, unit: str | None = None) -> Match:
        """Best catalogue indicator for a wording (code None when nothing scores MIN_SCORE)."""
        q = features(wording)
        best = Match(code=None, score=0.0)
        for ind, feats_list in self.entries:
            for feats in feats_list:
                s, shared = self.score(q, feats)
                if unit == "count" and ind.unit and ind.unit != "count":
                    s = 0.0  # a count ("3 điểm vui chơi") is not a rate indicator
                qs, ts = subject(wording), ind.subject
                if qs and ts and qs != ts:
                    s *= 0.5  # schools are not children, communes are not villages
                if ind.direction == "lower" and "duoc" in q and not ind.has_duoc:
                    s *= 0.5  # children who receive something ("được hỗ trợ") are not a lower-is-better rate
                if s > best.score:
                    best = Match(
                        code=ind.code, score=s, name=ind.name, direction=ind.direction, shared=shared
                    )
        best.score = round(best.score, 3)
        if best.score < MIN_SCORE:
            return Match(code=None, score=best.score, name=best.name, shared=best.shared)
        return best

    def direction(self, wording: str, unit: str | None = None) -> str | None:
        """Direction of the indicator a wording matches, if it matches one."""
        m = self.match(wording, unit)
        return m.direction if m.code else None


@lru_cache(maxsize=4)
def default_matcher(path: str | None = None) -> Matcher:
    """Matcher over the shipped catalogue (cached)."""
    return Matcher(load_catalogue(path))
