"""Compare cliplint's archive rules with the plain reference (scripts/archive_reference.py).

    python scripts/compare_archive_reference.py ARCHIVE [ARCHIVE ...]
        [--mirrors "_posts,archived/*"] [--per-kind] [--what-if] [--five-grams]
        [--sample-near 10 --seed 23] [--json OUT]

For each ARCHIVE it runs the reference in-process and cliplint as a subprocess
(``cliplint --no-cache --exit-zero --select duplicate-clipping,path-portability --format json``)
on a temporary copy of the archive holding a ``cliplint.toml`` with the same options (the
copy makes the archive's folder the archive root, as in a real archive; without options the
report equals ``cliplint --isolated`` run on the archive itself). Then it lists:

- per kind: the reference's pairs, groups and files it would report, and the files cliplint
  reports under that kind (its message says which kind); ``--per-kind`` also runs cliplint
  once per kind (``kinds = [KIND]``) and diffs the reported files kind by kind;
- every file reported by one side only, with the reference's pairs on it;
- every cliplint problem whose (file, twin) pair is not a reference pair of the same kind,
  and every one whose twin is not the reference's copy to keep;
- path-portability: the files per check on both sides.

``--what-if`` measures two causes of difference: the reference's body/near pairs when clauses
are cut at punctuation only (what cliplint was seen to do: no cut at line breaks or blocks), and,
per near pair, what a 64-clause sketch does over 50 salted hash functions, for the Jaccard of
the two sketches and for the bottom-k estimator (the 64 lowest clauses of the union).
``--five-grams`` counts the pairs with identical or >= 0.9 similar bodies (Jaccard of character
5-grams of the folded visible text, bodies of at least 80 characters), split by whether the
titles agree, and how many of them cliplint reports. ``--sample-near N --seed S`` draws N of
cliplint's near-duplicate pairs over all ARCHIVEs for reading by eye.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from hashlib import blake2b
from itertools import combinations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import archive_reference as ref  # noqa: E402

KINDS = ("url", "id", "body", "near")
KIND_OF_MESSAGE = [("same article URL", "url"), ("same numeric id", "id"),
                   ("nearly the same body", "near"), ("same body", "body")]
CHECK_OF_MESSAGE = [("forbids", "forbidden-char"), ("ends with", "trailing-dot-space"),
                    ("reserves", "reserved-name"), ("bytes", "name-bytes"),
                    ("UTF-16", "path-length"), ("long", "path-length"), ("collides", "collision")]


def run_cliplint(archive: Path, options: dict) -> list[dict]:
    """cliplint's problems, paths relative to the archive, on a copy holding cliplint.toml."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "archive"
        shutil.copytree(archive, copy)
        lines = ["[rules.duplicate-clipping]"] + [f"{k} = {json.dumps(v)}" for k, v in options.items()]
        (copy / "cliplint.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
        done = subprocess.run([sys.executable, "-m", "cliplint", "--config", "cliplint.toml",
                               "--no-cache", "--exit-zero", "--select",
                               "duplicate-clipping,path-portability", "--format", "json", "."],
                              cwd=copy, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            sys.exit(f"cliplint failed ({done.returncode}): {done.stderr}")
    problems = json.loads(done.stdout)["problems"]
    for p in problems:
        p["path"] = relative(p["path"])
        for r in p.get("related", []):
            r["path"] = relative(r["path"])
    return problems


def relative(path: str) -> str:
    return path[2:] if path.startswith("./") else path


def classify(message: str, table: list[tuple[str, str]]) -> str:
    return next((name for needle, name in table if needle in message), "other")


def duplicate_problems(problems: list[dict]) -> list[tuple[str, str, str, str]]:
    """(file, twin, kind, message) per duplicate-clipping problem."""
    return [(p["path"], p["related"][0]["path"] if p.get("related") else "",
             classify(p["message"], KIND_OF_MESSAGE), p["message"])
            for p in problems if p["rule"] == "duplicate-clipping"]


def reported(result: dict) -> set[str]:
    return set(result["duplicate-clipping"]["reported"])


def pair_index(result: dict) -> dict[frozenset, dict[str, str]]:
    index: dict[frozenset, dict[str, str]] = defaultdict(dict)
    for kind, found in result["duplicate-clipping"]["per_kind"].items():
        for a, b, detail in found["pairs"]:
            index[frozenset((a, b))][kind] = detail
    return index


def explain_file(path: str, result: dict, index: dict[frozenset, dict[str, str]]) -> list[str]:
    lines = [f"      ref pair {kinds} with {next(iter(pair - {path}))}"
             for pair, kinds in sorted(index.items(), key=str) if path in pair]
    group = next((g for g in result["duplicate-clipping"]["groups"] if path in g["files"]), None)
    lines.append(f"      ref group keep: {group['keep'] if group else '(not in a group)'}")
    return lines


def compare(archive: Path, mirrors: list[list[str]],
            per_kind: bool) -> tuple[dict, list[dict], list[str]]:
    result = ref.run(archive, mirrors)
    options = {"mirrors": mirrors} if mirrors else {}
    problems = run_cliplint(archive, options)
    out = [f"== {archive}  ({result['files']} files, mirrors {mirrors or 'none'})"]
    out += kind_table(archive, result, problems, options if per_kind else None)
    out += file_differences(result, duplicate_problems(problems))
    out += similarities(archive, duplicate_problems(problems))
    out += portability_table(result, problems)
    return result, problems, out


def kind_table(archive: Path, result: dict, problems: list[dict], options: dict | None) -> list[str]:
    """Counts per kind; with `options`, cliplint also runs once per kind and files are diffed."""
    dups = duplicate_problems(problems)
    out = [f"{'kind':<6} {'ref pairs':>9} {'ref groups':>10} {'ref files':>9} "
           f"{'cliplint files (by message)':>28}"
           + ("  cliplint files (kinds=[kind])" if options is not None else "")]
    by_message = Counter(kind for _, _, kind, _ in dups)
    diffs = []
    for kind in KINDS:
        found = result["duplicate-clipping"]["per_kind"][kind]
        ref_files = {p for g in found["groups"] for p in g["reported"]}
        row = (f"{kind:<6} {len(found['pairs']):>9} {len(found['groups']):>10} "
               f"{len(ref_files):>9} {by_message[kind]:>28}")
        if options is not None:
            alone = run_cliplint(archive, {**options, "kinds": [kind]})
            theirs = {f for f, *_ in duplicate_problems(alone)}
            row += f"  {len(theirs):>29}"
            diffs += [f"  [{kind}] cliplint only: {f}" for f in sorted(theirs - ref_files)]
            diffs += [f"  [{kind}] reference only: {f}" for f in sorted(ref_files - theirs)]
        out.append(row)
    out.append(f"all    {'':>9} {len(result['duplicate-clipping']['groups']):>10} "
               f"{len(reported(result)):>9} {len({f for f, *_ in dups}):>28}")
    if options is not None:
        out += [f"per-kind differences: {len(diffs) or 'none'}"] + diffs
    return out


def file_differences(result: dict, dups: list[tuple[str, str, str, str]]) -> list[str]:
    index = pair_index(result)
    keep_of = {p: g["keep"] for g in result["duplicate-clipping"]["groups"] for p in g["files"]}
    ours, theirs = reported(result), {f for f, *_ in dups}
    out = [f"files reported by the reference only: {len(ours - theirs) or 'none'}"]
    for f in sorted(ours - theirs):
        out += [f"  {f}"] + explain_file(f, result, index)
    out.append(f"files reported by cliplint only: {len(theirs - ours) or 'none'}")
    for f, twin, _kind, message in dups:
        if f not in ours:
            out += [f"  {f}", f"      cliplint: {message} -> {twin}"] + explain_file(f, result, index)
    out.append("cliplint problems whose pair or kind the reference does not have:")
    for f, twin, kind, message in dups:
        kinds = index.get(frozenset((f, twin)), {})
        if kind not in kinds:
            out += [f"  {f} -> {twin}", f"      cliplint: {message}; reference: {kinds or 'no pair'}"]
    out.append("cliplint problems whose twin is not the reference's copy to keep:")
    for f, twin, _kind, _message in dups:
        if f in keep_of and twin != keep_of[f]:
            out.append(f"  {f} -> {twin} (reference keeps {keep_of[f]})")
    return out


def similarities(archive: Path, dups: list[tuple[str, str, str, str]]) -> list[str]:
    out = ["similarity of cliplint's body and near pairs (cliplint, reference on full clause sets):"]
    for f, twin, kind, message in dups:
        if kind in ("body", "near"):
            m = re.search(r"similarity ([\d.]+)", message)
            out.append(f"  {m.group(1) if m else 'same':>5} {similarity(archive, f, twin):.3f}  {f}")
    return out


def portability_table(result: dict, problems: list[dict]) -> list[str]:
    theirs: dict[str, set[str]] = defaultdict(set)
    for p in problems:
        if p["rule"] == "path-portability":
            theirs[classify(p["message"], CHECK_OF_MESSAGE)].add(p["path"])
    out = [f"{'path check':<20} {'reference':>9} {'cliplint':>9}  differences"]
    for check in (*ref.CHECKS, "other"):
        mine = set(result["path-portability"].get(check, []))
        diff = sorted(mine ^ theirs[check])
        out.append(f"{check:<20} {len(mine):>9} {len(theirs[check]):>9}  {diff[:5]}")
    return out


def similarity(archive: Path, a: str, b: str) -> float:
    """The reference's clause Jaccard of two clippings (1.0 also when their folded texts are equal)."""
    texts = [ref.parse_clipping(p, (archive / p).read_text(encoding="utf-8")).text for p in (a, b)]
    return ref.jaccard(ref.clauses(texts[0]), ref.clauses(texts[1]))


def bottom(clause_set: frozenset[str], salt: bytes, k: int = 64) -> frozenset[str]:
    """The k clauses with the lowest (salted) hash: a sketch as the rule's docstring describes it."""
    def rank(clause: str) -> bytes:
        return blake2b(salt + clause.encode(), digest_size=8).digest()

    return frozenset(sorted(clause_set, key=rank)[:k])


def sketch_estimates(a: frozenset[str], b: frozenset[str], salt: bytes) -> tuple[float, float]:
    """(Jaccard of the two sketches, bottom-k estimate on the union's 64 lowest clauses)."""
    sa, sb = bottom(a, salt), bottom(b, salt)
    union = bottom(sa | sb, salt)
    return ref.jaccard(sa, sb), len(union & sa & sb) / len(union)


def what_if(archive: Path, result: dict, problems: list[dict]) -> list[str]:
    """The reference's body/near pairs under cliplint's observed clause cut (punctuation only,
    no break at line breaks or blocks), and what a 64-clause sketch does to each near pair."""
    flat = [c._replace(text=" ".join(c.text.splitlines())) for c in ref.load(archive, blocks=False)]
    variant = ref.find_pairs(flat)
    out = ["what if clauses were cut at punctuation only (no line-break or block cut):"]
    for kind in ("body", "near"):
        mine = {frozenset(p[:2]) for p in result["duplicate-clipping"]["per_kind"][kind]["pairs"]}
        theirs = {frozenset(k) for k in variant[kind] if not ref.is_mirror_pair(*k, result["mirrors"])}
        out.append(f"  {kind}: {len(theirs)} pairs "
                   f"({len(theirs - mine)} new, {len(mine - theirs)} gone)")
        out += [f"    {'new' if pair in theirs else 'gone'}: {' <-> '.join(sorted(pair))}"
                for pair in sorted(mine ^ theirs, key=sorted)]
    full = {c.path: ref.clauses(c.text) for c in ref.load(archive)}
    return out + sketch_table(result, problems, full, {c.path: ref.clauses(c.text) for c in flat})


def sketch_table(result: dict, problems: list[dict], full: dict[str, frozenset[str]],
                 flat: dict[str, frozenset[str]], runs: int = 50) -> list[str]:
    reported = {frozenset((f, twin)): message for f, twin, _, message in duplicate_problems(problems)}
    out = [f"near pairs under a 64-clause sketch ({runs} salted hashes): mean estimate and share "
           "below the threshold, for the Jaccard of the two sketches and for the bottom-k estimator",
           "  full  flat  sizes     sketch-J  <0.7   bottom-k  <0.7   cliplint"]
    lost = [0.0, 0.0]
    for a, b, _ in result["duplicate-clipping"]["per_kind"]["near"]["pairs"]:
        estimates = [sketch_estimates(full[a], full[b], bytes([n])) for n in range(runs)]
        means, below = [], []
        for column in (0, 1):
            values = [e[column] for e in estimates]
            means.append(sum(values) / runs)
            below.append(sum(v < ref.NEAR_SIMILARITY for v in values) / runs)
            lost[column] += below[column]
        message = reported.get(frozenset((a, b)), "")
        m = re.search(r"similarity [\d.]+", message) or re.search(r"same body|URL|numeric id", message)
        out.append(f"  {ref.jaccard(full[a], full[b]):.3f} {ref.jaccard(flat[a], flat[b]):.3f} "
                   f"{len(full[a]):>4}/{len(full[b]):<4} {means[0]:.3f}  {below[0]:.2f}   "
                   f"{means[1]:.3f}  {below[1]:.2f}   {m.group(0) if m else '-':<15} {a}")
    out.append(f"  expected near pairs lost to the sketch: "
               f"sketch-J {lost[0]:.1f}, bottom-k {lost[1]:.1f}")
    return out


def five_grams(archive: Path, problems: list[dict]) -> list[str]:
    """Pairs with identical or >= 0.9 similar bodies (character 5-grams), and cliplint's share."""
    clips = [c for c in ref.load(archive) if len(ref.fold(c.text)) >= ref.MIN_BODY_LENGTH]
    texts = [ref.fold(c.text) for c in clips]
    grams = [frozenset(t[k:k + 5] for k in range(len(t) - 4)) for t in texts]
    titles = [ref.title_key(c.title) for c in clips]
    linked = {frozenset((f, twin)) for f, twin, _, _ in duplicate_problems(problems)}
    counts: Counter = Counter()
    for i, j in combinations(range(len(clips)), 2):
        small, large = sorted((len(grams[i]), len(grams[j])))
        if small < 0.9 * large:                       # Jaccard >= 0.9 is impossible
            continue
        if texts[i] == texts[j] or ref.jaccard(grams[i], grams[j]) >= 0.9:
            agree = "titles agree" if ref.titles_agree(titles[i], titles[j]) else "titles differ"
            counts[agree] += 1
            if frozenset((clips[i].path, clips[j].path)) in linked:
                counts[agree + ", linked by a cliplint problem"] += 1
    severities = Counter(p["severity"] for p in problems if p["rule"] == "duplicate-clipping")
    return ([f"5-gram pairs (identical or >= 0.9, bodies >= {ref.MIN_BODY_LENGTH} chars):"]
            + [f"  {k}: {v}" for k, v in sorted(counts.items())]
            + [f"  cliplint duplicate-clipping problems by severity: {dict(severities)}"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("archives", nargs="+", type=Path)
    parser.add_argument("--mirrors", action="append", default=[])
    parser.add_argument("--per-kind", action="store_true")
    parser.add_argument("--five-grams", action="store_true")
    parser.add_argument("--what-if", action="store_true")
    parser.add_argument("--sample-near", type=int, default=0)
    parser.add_argument("--seed", type=int, default=23)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    near_pairs, saved = [], {}
    for archive in args.archives:
        result, problems, lines = compare(archive, ref.parse_mirrors(args.mirrors), args.per_kind)
        print("\n".join(lines))
        if args.what_if:
            print("\n".join(what_if(archive, result, problems)))
        if args.five_grams:
            print("\n".join(five_grams(archive, problems)))
        near_pairs += [(str(archive), f, twin, message) for f, twin, kind, message
                       in duplicate_problems(problems) if kind == "near"]
        saved[str(archive)] = {"reference": result, "cliplint": problems}
    if args.sample_near:
        print(f"== {args.sample_near} of cliplint's {len(near_pairs)} near pairs, seed {args.seed}")
        for archive, f, twin, message in random.Random(args.seed).sample(
                near_pairs, min(args.sample_near, len(near_pairs))):
            print(f"  {archive}: {f}\n      <-> {twin}\n      {re.sub(r'^.*?: ', '', message)}")
    if args.json:
        args.json.write_text(json.dumps(saved, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
