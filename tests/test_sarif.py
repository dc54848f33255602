"""SARIF 2.1.0 output. Every SARIF emitted here is validated against the official schema
(``shared/reference/schemas/sarif-schema-2.1.0.json``), with format checks on, so that
URIs must really be URIs."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import jsonschema
import pytest
from conftest import (
    GOOD_CLIPPING,
    ROOT,
    SHARED,
    require_corpus,
    require_shared,
    run_cliplint,
    write,
)

SARIF_SCHEMA = SHARED / "reference" / "schemas" / "sarif-schema-2.1.0.json"
HEADER_RULES = "timestamp-comment,title-link"
SECONDS = GOOD_CLIPPING.replace("<!--1686778744000-->", "<!--1686778744-->")


def sarif_validator() -> jsonschema.Draft4Validator:
    require_shared(SARIF_SCHEMA)
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    checker = jsonschema.FormatChecker()
    # Without a URI library jsonschema skips "uri" checks silently; the percent-encoding
    # of odd file names is exactly what must be checked here.
    assert {"uri", "uri-reference"} <= set(checker.checkers), "pip install rfc3986-validator"
    return jsonschema.Draft4Validator(schema, format_checker=checker)


def sarif(stdout: str) -> dict[str, Any]:
    data = json.loads(stdout)
    errors = sorted(sarif_validator().iter_errors(data), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])
    return data


def results_by_uri(run: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for result in run["results"]:
        location = result["locations"][0]["physicalLocation"]["artifactLocation"]
        found.setdefault(location["uri"], []).append(result)
    return found


def test_the_validator_rejects_an_unencoded_uri() -> None:
    """The check below is only worth something if a raw space or CJK name fails it."""
    bad = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [
        {"message": {"text": "m"}, "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": "a b|中.md"}}}]}]}]}
    assert list(sarif_validator().iter_errors(bad))


def test_rules_metadata(tmp_path: Path) -> None:
    write(tmp_path / "a.md", GOOD_CLIPPING)
    result = run_cliplint("--isolated", "--format", "sarif", "a.md", cwd=tmp_path)
    assert result.status == 0, result.stderr
    data = sarif(result.stdout)
    run = data["runs"][0]
    assert data["version"] == "2.1.0" and run["results"] == []
    assert run["columnKind"] == "unicodeCodePoints"
    driver = run["tool"]["driver"]
    assert driver["name"] == "cliplint"
    rules = {rule["id"]: rule for rule in driver["rules"]}
    listing = json.loads(run_cliplint("rules", "--json").stdout)
    assert set(rules) >= {rule["id"] for rule in listing}
    timestamp = rules["timestamp-comment"]
    assert timestamp["shortDescription"]["text"] == (
        "The first line must be a timestamp comment in epoch milliseconds.")
    assert timestamp["fullDescription"]["text"].startswith(timestamp["shortDescription"]["text"])
    assert "Bad::" not in timestamp["fullDescription"]["text"]  # examples stay in help
    assert "max-future" in timestamp["help"]["text"] and "Bad:" in timestamp["help"]["markdown"]
    assert timestamp["helpUri"] == rule_page_url("timestamp-comment")
    assert driver["informationUri"] == documentation_base()
    assert timestamp["defaultConfiguration"] == {"level": "error"}
    assert timestamp["properties"]["fix"] == "safe"


def test_odd_file_names_become_relative_percent_encoded_uris(tmp_path: Path) -> None:
    names = ["中国数字时代/今日 头条?.md", "a|b:c.md", "line\nbreak.md", "100%.md", "#hash.md"]
    for name in names:
        write(tmp_path / "archive" / name, SECONDS)
    result = run_cliplint("--isolated", "--select", HEADER_RULES, "--format", "sarif",
                          "archive", cwd=tmp_path)
    assert result.status == 1, result.stderr
    run = sarif(result.stdout)["runs"][0]
    by_uri = results_by_uri(run)
    assert sorted(unquote(uri) for uri in by_uri) == sorted(f"archive/{n}" for n in names)
    for uri, results in by_uri.items():
        assert all(ord(char) < 128 and char not in " ?|#\n" for char in uri), uri
        assert not uri.startswith("./")
        for entry in results:
            location = entry["locations"][0]["physicalLocation"]
            assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
    assert by_uri["archive/a%7Cb%3Ac.md"][0]["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 1, "startColumn": 5, "endLine": 1, "endColumn": 15,
        "charOffset": 4, "charLength": 10,
    }


def test_results_regions_levels_and_fingerprints(tmp_path: Path) -> None:
    write(tmp_path / "cliplint.toml", '[severity]\ntitle-link = "info"\n')
    # Columns count code points, not UTF-8 bytes.
    write(tmp_path / "a.md", GOOD_CLIPPING.replace("[A good title](https://example.com/a/1)",
                                                   "[中文标题 x](https://exa mple.com/a)"))
    result = run_cliplint("--select", HEADER_RULES, "--format", "sarif", "a.md", cwd=tmp_path)
    run = sarif(result.stdout)["runs"][0]
    [entry] = run["results"]
    assert entry["ruleId"] == "title-link"
    assert run["tool"]["driver"]["rules"][entry["ruleIndex"]]["id"] == "title-link"
    assert entry["level"] == "note"  # the configured severity, info
    region = entry["locations"][0]["physicalLocation"]["region"]
    text = (tmp_path / "a.md").read_text(encoding="utf-8")
    space = text.index("exa mple") + 3
    assert (region["charOffset"], region["charLength"]) == (space, 1)
    assert (region["startLine"], region["startColumn"]) == (2, space - text.index("[") + 1)
    assert region["startColumn"] == 21  # code points: 20 before it, 28 bytes in UTF-8
    assert len(entry["partialFingerprints"]["cliplint/v1"]) == 32
    assert result.status == 0  # info does not fail the run


def apply_sarif_fixes(text: str, results: list[dict[str, Any]]) -> str:
    """Apply every replacement as a SARIF consumer would: by charOffset/charLength."""
    replacements = [
        replacement
        for result in results
        for fix in result.get("fixes", [])
        for change in fix["artifactChanges"]
        for replacement in change["replacements"]
    ]
    for replacement in sorted(replacements, key=lambda r: -r["deletedRegion"]["charOffset"]):
        region = replacement["deletedRegion"]
        start, end = region["charOffset"], region["charOffset"] + region["charLength"]
        text = text[:start] + replacement.get("insertedContent", {}).get("text", "") + text[end:]
    return text


@pytest.mark.parametrize("bom", [False, True], ids=["plain", "bom"])
def test_fixes_as_replacements(tmp_path: Path, bom: bool) -> None:
    """Applied to the text after the byte order mark (see cliplint/formats/sarif.py), the
    SARIF fixes give the clipping --fix would write."""
    broken = SECONDS.replace("------\n\n", "------\n")
    raw = ("\ufeff" if bom else "") + broken
    write(tmp_path / "a.md", raw.encode("utf-8"))
    result = run_cliplint("--isolated", "--select", HEADER_RULES, "--format", "sarif", "a.md",
                          cwd=tmp_path)
    run = sarif(result.stdout)["runs"][0]
    assert {r["ruleId"] for r in run["results"]} == {"timestamp-comment", "title-link"}
    fix = run["results"][0]["fixes"][0]
    assert fix["properties"]["applicability"] == "safe"
    assert fix["description"]["text"] == "convert seconds to milliseconds"
    assert fix["artifactChanges"][0]["artifactLocation"]["uri"] == "a.md"
    text_after_bom = raw.removeprefix("\ufeff")
    assert apply_sarif_fixes(text_after_bom, run["results"]) == GOOD_CLIPPING
    # Columns agree with the offsets: the BOM is not counted by either.
    region = run["results"][0]["locations"][0]["physicalLocation"]["region"]
    assert (region["startColumn"], region["charOffset"]) == (5, 4)


def test_engine_problems_have_rule_descriptors(tmp_path: Path) -> None:
    write(tmp_path / "binary.md", b"\x89PNG\x00\x00")
    result = run_cliplint("--isolated", "--format", "sarif", "binary.md", cwd=tmp_path)
    assert result.status == 1
    run = sarif(result.stdout)["runs"][0]
    [entry] = run["results"]
    descriptor = run["tool"]["driver"]["rules"][entry["ruleIndex"]]
    assert entry["ruleId"] == descriptor["id"] == "file-unreadable"
    assert descriptor["helpUri"] == rule_page_url("file-unreadable")
    assert descriptor["shortDescription"]["text"] == (
        "The file could not be read as a text clipping; no rule ran on it.")
    assert "What to do:" in descriptor["help"]["text"]


def documentation_base() -> str:
    """The Documentation URL of pyproject.toml's [project.urls], which the installed
    metadata must carry (after a change: pip install -e .)."""
    import tomllib

    urls = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["urls"]
    return urls["Documentation"]


def rule_page_url(rule_id: str) -> str:
    assert (ROOT / "docs" / "rules" / f"{rule_id}.md").is_file()  # the page it links to
    return f"{documentation_base()}rules/{rule_id}.md"


def test_json_problems_link_their_rule_documentation(tmp_path: Path) -> None:
    write(tmp_path / "a.md", SECONDS)
    write(tmp_path / "binary.md", b"\x89PNG\x00\x00")
    result = run_cliplint("--isolated", "--format", "json", "a.md", "binary.md", cwd=tmp_path)
    report = json.loads(result.stdout)
    schema = json.loads((ROOT / "cliplint" / "schemas" / "report.schema.json").read_text())
    jsonschema.validate(report, schema, format_checker=jsonschema.FormatChecker())
    problems = {p["rule"]: p for p in report["problems"]}
    assert problems["timestamp-comment"]["url"] == rule_page_url("timestamp-comment")
    assert problems["file-unreadable"]["url"] == rule_page_url("file-unreadable")


def test_output_file(tmp_path: Path) -> None:
    write(tmp_path / "a.md", SECONDS)
    result = run_cliplint("--isolated", "--format", "sarif", "--output-file", "out.sarif",
                          "a.md", cwd=tmp_path)
    assert result.status == 1 and result.stdout == ""
    assert sarif((tmp_path / "out.sarif").read_text(encoding="utf-8"))["runs"][0]["results"]


@pytest.mark.shared
def test_corpus_sarif_is_valid_and_complete(tmp_path: Path) -> None:
    """The whole shared corpus (3,000 real clippings with CJK, spaces, '?', '|' and '%'
    in their names) as one SARIF log: valid, every problem of the JSON report in it."""
    corpus = require_corpus()
    env = {"CLIPLINT_CACHE_DIR": str(tmp_path / "cache")}
    result = run_cliplint("--isolated", "--format", "sarif", "--output-file",
                          str(tmp_path / "corpus.sarif"), ".", cwd=corpus, env=env)
    assert result.status in (0, 1), result.stderr
    data = sarif((tmp_path / "corpus.sarif").read_text(encoding="utf-8"))
    as_json = run_cliplint("--isolated", "--format", "json", ".", cwd=corpus, env=env)
    problems = json.loads(as_json.stdout)["problems"]
    results = data["runs"][0]["results"]
    assert len(results) == len(problems)
    paths = {unquote(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
             for r in results}
    assert paths == {p["path"].removeprefix("./") for p in problems}
    for path in list(paths)[:50]:
        assert (corpus / path).is_file(), path


def test_readme_workflow(tmp_path: Path) -> None:
    """The README's GitHub Actions workflow: its cliplint commands parse, the full scan
    uploads SARIF with the permission code scanning needs, and its command, run here on
    an archive, writes a valid SARIF log and exits 0."""
    import yaml  # PyYAML comes with pre-commit, in the test extra

    from cliplint.cli.parser import lint_parser

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(# \.github/workflows/clippings\.yml\n.*?)```", readme,
                      re.DOTALL)
    assert block, "README.md lost its GitHub Actions workflow"
    jobs = yaml.safe_load(block.group(1))["jobs"]
    commands = [
        shlex.split(line.split("cliplint", 1)[1])
        for job in jobs.values() for step in job["steps"]
        for line in step.get("run", "").splitlines() if re.search(r"(^|\s)cliplint\s", line)
    ]
    assert len(commands) == 2
    for arguments in commands:
        lint_parser().parse_args(arguments)  # raises on an unknown option
    assert commands[0][1:3] == ["--format", "github"]
    full_scan = jobs["full-scan"]
    assert full_scan["permissions"]["security-events"] == "write"
    assert full_scan["permissions"]["actions"] == "read"  # upload-sarif in a private repo
    assert full_scan["permissions"]["contents"] == "read"
    upload = [s for s in full_scan["steps"] if s.get("uses", "").startswith(
        "github/codeql-action/upload-sarif@")]
    assert upload and upload[0]["with"]["sarif_file"] == "cliplint.sarif"

    write(tmp_path / "BBC" / "a b.md", SECONDS)
    write(tmp_path / "BBC" / "ok.md", GOOD_CLIPPING.replace("/a/1", "/a/2"))
    result = run_cliplint(*commands[1], cwd=tmp_path)
    assert result.status == 0, result.stderr
    run = sarif((tmp_path / "cliplint.sarif").read_text(encoding="utf-8"))["runs"][0]
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in run["results"]} == {"BBC/a%20b.md"}
