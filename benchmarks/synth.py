"""Synthetic task-exposure data sets at a chosen scale, in the same file formats `kb build` reads.

Scale k makes k copies of the real data (copy 0 is the real data itself, unchanged; 1x is the
real size, 19,265 tasks / 923 occupations; 100x about 1.9M tasks / 92k occupations):
- every copy j >= 1 of an occupation gets a fresh SOC code in its major group (spilling into the
  major group with most free codes when its own is full), the same O*NET suffix, and its title
  with " Variant j" appended, consistently in every file, so the joins by code and by title
  behave as on the real data;
- its tasks get new task ids (id + j * 1,000,000) and labels drawn at random from the real tasks
  of the same occupation (a task's human, GPT-4 and alt-rubric labels move together, so
  occupations keep roughly their exposure and the raters their agreement);
- occ_level.csv is recomputed for the copies (core 2 : supplemental 1, as the authors did);
- OEWS detailed rows, BLS projections (Table 1.7 line items), the O*NET -> NEM crosswalk and the
  Job Zone table get one row per copy, with the real row's numbers and formats.
Files that scale does not touch (licences, the working-with-ai data set) are copied as they are.
A manifest with every file's sha256 and size is written beside them, for
`kb.store.build(..., manifest=<dir>/sources.yml, raw_dir=<dir>)`.

    python benchmarks/synth.py --scale 10 --out benchmarks/.cache/synth-10x
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import shutil
import sys
import time
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import yaml

REPO = Path(__file__).resolve().parent.parent
REAL_MIRROR = REPO.parent / "shared" / "data"
MANIFEST = REPO / "data" / "sources.yml"
DATASET = "gpts-are-gpts"
# Bump when the generator's output changes, so cached data sets are regenerated.
GENERATOR_VERSION = 6
TASK_ID_STRIDE = 1_000_000

LABEL_COLUMNS = [
    "human_exposure_agg",
    "gpt4_exposure",
    "gpt4_exposure_alt_rubric",
    "gpt_3_relevant",
    "gpt4_automation",
    "alpha",
    "beta",
    "gamma",
    "automation",
    "human_labels",
]
OCC_RATERS = {"dv_rating": "gpt4_exposure", "human_rating": "human_exposure_agg"}


def variant_title(title: str, copy: int) -> str:
    return title if copy == 0 else f"{title} Variant {copy}"


class CodeMap:
    """Fresh 7-character SOC codes for every (real code, copy), shared by every file.

    Codes ending in 0 are SOC's broad groups, so new detailed codes never end in 0; codes that
    exist in the real data are never reused.
    """

    def __init__(self, real_codes: Iterable[str], copies: int, taken: Iterable[str] = ()) -> None:
        real = sorted({c for c in real_codes if _is_detailed(c)})
        taken = set(real) | set(taken)
        free: dict[str, list[str]] = {}
        for major in sorted({c[:2] for c in real}):
            slots = (f"{major}-{n:04d}" for n in range(9999, 1000, -1) if n % 10)
            free[major] = [s for s in slots if s not in taken]  # popped from the end: ascending
        self._map: dict[tuple[str, int], str] = {}
        for copy in range(1, copies):
            for code in real:
                major = code[:2]
                if not free[major]:
                    major = max(free, key=lambda m: len(free[m]))
                    if not free[major]:
                        raise ValueError("ran out of SOC codes; the scale is too large")
                self._map[(code, copy)] = free[major].pop()

    def soc(self, code: str, copy: int) -> str:
        return code if copy == 0 else self._map[(code, copy)]

    def onet(self, onet_code: str, copy: int) -> str:
        return onet_code if copy == 0 else self._map[(onet_code[:7], copy)] + onet_code[7:]

    def has(self, code: str) -> bool:
        return (code, 1) in self._map


def _is_detailed(code: object) -> bool:
    return isinstance(code, str) and len(code) == 7 and code[2] == "-" and code[3:].isdigit()


# --- readers of the real files (kept raw: strings in, the same strings out) -------------------


def _read_xlsx(path: Path) -> dict[str, list[tuple]]:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}
    finally:
        book.close()


def _write_xlsx(path: Path, sheets: dict[str, Iterable[tuple]]) -> None:
    # Not write_only: that mode leaves out the sheet's <dimension>, and readers in read-only mode
    # (openpyxl's, kb's) then get ragged rows, unlike the upstream files made by Excel.
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
    book.save(path)


def _unnamed_index(frame: pd.DataFrame) -> pd.DataFrame:
    """pandas reads the authors' blank index header as 'Unnamed: 0'; write it blank again."""
    if frame.columns[0].startswith("Unnamed"):
        return frame.rename(columns={frame.columns[0]: ""})
    return frame


# --- one writer per upstream file --------------------------------------------------------------


def _labelset(
    real: Path, out: Path, codes: CodeMap, copies: int, rng: np.random.Generator
) -> pd.DataFrame:
    frame = pd.read_csv(real, sep="\t", dtype=str, keep_default_na=False)
    parts = [frame]
    task_ids = frame["Task ID"].astype(float)
    for copy in range(1, copies):
        part = frame.copy()
        part["O*NET-SOC Code"] = [codes.onet(c, copy) for c in frame["O*NET-SOC Code"]]
        part["Title"] = [variant_title(t, copy) for t in frame["Title"]]
        part["Task ID"] = (task_ids + copy * TASK_ID_STRIDE).map(repr)
        part[LABEL_COLUMNS] = frame[LABEL_COLUMNS].to_numpy()[_same_occupation_draw(frame, rng)]
        parts.append(part)
    full = pd.concat(parts, ignore_index=True)
    full.iloc[:, 0] = [str(i) for i in range(len(full))]  # the authors' unnamed index column
    _unnamed_index(full).to_csv(out, sep="\t", index=False)
    return full


def _same_occupation_draw(frame: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    """For every task, the row of a random task of the same occupation (with replacement): each
    copy's occupations keep roughly their real exposure, so shares stay realistic."""
    codes = frame["O*NET-SOC Code"].to_numpy()
    order = np.argsort(codes, kind="stable")
    _, start, size = np.unique(codes[order], return_index=True, return_counts=True)
    group = np.repeat(np.arange(len(start)), size)
    picks = start[group] + (rng.random(len(codes)) * size[group]).astype(int)
    draw = np.empty(len(codes), dtype=int)
    draw[order] = order[picks]
    return draw


def _occ_level(real: Path, out: Path, labels: pd.DataFrame, copies: int) -> None:
    frame = pd.read_csv(real, dtype=str, keep_default_na=False)
    if copies > 1:
        synthetic = labels[~labels["O*NET-SOC Code"].isin(set(frame["O*NET-SOC Code"]))]
        weight = np.where(synthetic["Task Type"] == "Core", 2.0, 1.0)
        columns = {"O*NET-SOC Code": synthetic["O*NET-SOC Code"], "Title": synthetic["Title"]}
        sums = pd.DataFrame(columns)
        sums["w"] = weight
        for prefix, column in OCC_RATERS.items():
            e1 = (synthetic[column] == "E1").to_numpy()
            e2 = (synthetic[column] == "E2").to_numpy()
            sums[f"{prefix}_alpha"] = weight * e1
            sums[f"{prefix}_beta"] = weight * (e1 + 0.5 * e2)
            sums[f"{prefix}_gamma"] = weight * (e1 + e2)
        grouped = sums.groupby(["O*NET-SOC Code", "Title"], sort=False).sum()
        measures = [c for c in frame.columns if c not in ("O*NET-SOC Code", "Title")]
        extra = grouped[measures].div(grouped["w"], axis=0).reset_index()
        extra[measures] = extra[measures].map(repr)
        frame = pd.concat([frame, extra[frame.columns]], ignore_index=True)
    frame.to_csv(out, index=False)


def _oews(real: Path, out: Path, codes: CodeMap, copies: int) -> None:
    raw = real.read_bytes()
    bom = b"\xef\xbb\xbf" if raw.startswith(b"\xef\xbb\xbf") else b""
    text = raw[len(bom) :].decode("utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    code_at, title_at, group_at = (header.index(c) for c in ("OCC_CODE", "OCC_TITLE", "O_GROUP"))
    detailed = [r for r in body if r[group_at] == "detailed" and codes.has(r[code_at])]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n" if "\r\n" in text[:2000] else "\n")
    writer.writerows(rows)
    for copy in range(1, copies):
        for row in detailed:
            new = list(row)
            new[code_at] = codes.soc(row[code_at], copy)
            new[title_at] = variant_title(row[title_at], copy)
            writer.writerow(new)
    out.write_bytes(bom + buffer.getvalue().encode("utf-8"))


def _projections(real: Path, out: Path, codes: CodeMap, copies: int) -> None:
    sheets = _read_xlsx(real)
    rows = sheets["Table 1.7"]
    line_items = [r for r in rows if len(r) > 2 and r[2] == "Line item" and codes.has(r[1])]
    last = max(i for i, r in enumerate(rows) if len(r) > 2 and r[2] in ("Line item", "Summary"))
    copies_rows = []
    for copy in range(1, copies):
        for row in line_items:
            indent = row[0][: len(row[0]) - len(row[0].lstrip())]
            title = indent + variant_title(row[0].strip(), copy)
            copies_rows.append((title, codes.soc(row[1], copy), *row[2:]))
    sheets["Table 1.7"] = rows[: last + 1] + copies_rows + rows[last + 1 :]
    _write_xlsx(out, sheets)


def _crosswalk(real: Path, out: Path, codes: CodeMap, copies: int) -> None:
    sheets = _read_xlsx(real)
    name = next(n for n in sheets if "crosswalk" in n.lower())
    rows = sheets[name]
    header_at = next(i for i, r in enumerate(rows) if r and r[0] == "Sort Order")
    header = rows[header_at]
    onet_at = header.index("O*NET-SOC Code")
    onet_title_at = header.index("O*NET-SOC Title")
    nem_at = header.index("NEM Code")
    nem_title_at = header.index("National Employment Matrix Occupational Title")
    body = [r for r in rows[header_at + 1 :] if r and r[onet_at]]
    order = max(int(r[0]) for r in body if isinstance(r[0], (int, float)))
    extra = []
    for copy in range(1, copies):
        for row in body:
            if not (codes.has(str(row[onet_at])[:7]) and codes.has(str(row[nem_at]))):
                continue
            order += 1
            new = list(row)
            new[0] = order
            new[onet_at] = codes.onet(row[onet_at], copy)
            new[onet_title_at] = variant_title(row[onet_title_at], copy)
            new[nem_at] = codes.soc(row[nem_at], copy)
            new[nem_title_at] = variant_title(row[nem_title_at], copy)
            extra.append(tuple(new))
    sheets[name] = rows + extra
    _write_xlsx(out, sheets)


def _job_zones(real: Path, out: Path, titles: set[str], copies: int) -> None:
    frame = pd.read_csv(real, dtype=str, keep_default_na=False)
    matched = frame[frame["Occupation"].isin(titles)]
    parts = [frame]
    for copy in range(1, copies):
        part = matched.copy()
        part["Occupation"] = [variant_title(t, copy) for t in matched["Occupation"]]
        parts.append(part)
    full = pd.concat(parts, ignore_index=True)
    if full.columns[0].startswith("Unnamed"):
        full.iloc[:, 0] = [str(i) for i in range(len(full))]
    _unnamed_index(full).to_csv(out, index=False)


# --- the data set and its manifest ------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _real(dataset: str, file: str, mirror: Path) -> Path:
    for candidate in (mirror / dataset / file, mirror / file, mirror.parent / dataset / file):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"{dataset}/{file} not found under {mirror}")


def generate(scale: int, out: Path, *, mirror: Path = REAL_MIRROR, seed: int = 2303) -> Path:
    """Write the data set for `scale` into out/<dataset>/ and out/sources.yml; returns the
    manifest path. Reuses an existing data set made by the same generator version and seed."""
    out = Path(out)
    stamp = {
        "scale": scale,
        "seed": seed,
        "generator": GENERATOR_VERSION,
        "manifest_sha256": _sha256(MANIFEST),
    }
    stamp_file = out / "synth.json"
    if stamp_file.exists() and json.loads(stamp_file.read_text()) == stamp:
        return out / "sources.yml"
    if out.exists():
        shutil.rmtree(out)
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    files = manifest["datasets"][DATASET]["files"]
    folder = out / DATASET
    folder.mkdir(parents=True)
    rng = np.random.default_rng(seed)

    def real(file: str) -> Path:
        return _real(DATASET, file, mirror)

    labels_raw = pd.read_csv(real("full_labelset.tsv"), sep="\t", dtype=str, keep_default_na=False)
    oews_raw = pd.read_csv(real("national_May2021_dl.csv"), dtype=str, encoding="utf-8-sig")
    projections_raw = _read_xlsx(real("occupation_2023_final.xlsx"))["Table 1.7"]
    crosswalk_raw = next(iter(_read_xlsx(real("nem-onet-to-soc-crosswalk.xlsx")).values()))
    crosswalk_codes = [str(c)[:7] for r in crosswalk_raw for c in r[1:4:2] if c]
    codes = CodeMap(
        list(labels_raw["O*NET-SOC Code"].str[:7])
        + list(oews_raw.loc[oews_raw["O_GROUP"] == "detailed", "OCC_CODE"])
        + [r[1] for r in projections_raw if len(r) > 2 and r[2] == "Line item"]
        + crosswalk_codes,
        scale,
        taken=list(oews_raw["OCC_CODE"]) + [str(r[1]) for r in projections_raw if len(r) > 1],
    )
    labels = _labelset(real("full_labelset.tsv"), folder / "full_labelset.tsv", codes, scale, rng)
    writers = {
        "occ_level.csv": lambda src, dst: _occ_level(src, dst, labels, scale),
        "national_May2021_dl.csv": lambda src, dst: _oews(src, dst, codes, scale),
        "occupation_2023_final.xlsx": lambda src, dst: _projections(src, dst, codes, scale),
        "nem-onet-to-soc-crosswalk.xlsx": lambda src, dst: _crosswalk(src, dst, codes, scale),
        "occupations_onet_basic_skills.csv": lambda src, dst: _job_zones(
            src, dst, set(labels_raw["Title"]), scale
        ),
    }
    for file in files:
        if file == "full_labelset.tsv":
            continue
        writer = writers.get(file)
        if writer is None:
            shutil.copyfile(real(file), folder / file)
        else:
            writer(real(file), folder / file)
    for dataset, spec in manifest["datasets"].items():
        for file, entry in spec["files"].items():
            path = out / dataset / file
            if dataset != DATASET:
                path.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(_real(dataset, file, mirror), path)
            entry["sha256"] = _sha256(path)
            entry["bytes"] = path.stat().st_size
    manifest_out = out / "sources.yml"
    header = f"# Synthetic data set at {scale}x (benchmarks/synth.py, seed {seed}); never commit.\n"
    manifest_out.write_text(header + yaml.safe_dump(manifest, sort_keys=False), encoding="utf-8")
    stamp_file.write_text(json.dumps(stamp))
    return manifest_out


def describe(out: Path) -> dict[str, int]:
    """Size of a generated data set: tasks, occupations and bytes on disk."""
    tasks = sum(1 for _ in (out / DATASET / "full_labelset.tsv").open("rb")) - 1
    occupations = sum(1 for _ in (out / DATASET / "occ_level.csv").open("rb")) - 1
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    return {"tasks": tasks, "occupations": occupations, "bytes": size}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--scale", type=int, required=True, help="copies of the real data (1 = real size)"
    )
    parser.add_argument("--out", type=Path, required=True, help="folder to write (replaced)")
    parser.add_argument("--seed", type=int, default=2303)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    manifest = generate(args.scale, args.out, seed=args.seed)
    print(
        json.dumps(
            {
                "manifest": str(manifest),
                **describe(args.out),
                "seconds": round(time.perf_counter() - started, 1),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
