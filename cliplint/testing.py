"""Testing rules with case files: the kit cliplint's own rules are tested with, for a
rule pack's own pytest.

A folder of cases (``tests/cases/`` say) holds one folder per rule, named after its id
(``mypack/shouting-title`` is the folder ``mypack/shouting-title/``), and in it:

- ``NAME.md``: a clipping, and ``NAME.expect``: the problems the rule must report on
  it, one per line, as ``LINE:COL message fragment`` (in the order the rule reports
  them; the fragment is looked for in the message; an empty file: no problem at all);
- ``NAME.toml`` (optional): a configuration table shaped like ``cliplint.toml`` for
  this case (``[rules."mypack/shouting-title"]`` options, say), read and checked as
  ``cliplint --config NAME.toml`` would: an error names the file;
- ``NAME.fixed.md`` (optional): the clipping as ``cliplint --fix`` leaves it (the
  rule's safe fixes applied until nothing is left to fix), byte for byte; the same text
  as ``NAME.md`` says that nothing may change;
- ``NAME.unsafe-fixed.md`` (optional): the same with ``--unsafe-fixes`` too;
- for an archive rule, ``NAME/``: a folder of clippings (every ``*.md`` under it) linted
  as one archive, and ``NAME.expect`` with ``PATH:LINE:COL message fragment`` lines
  (``PATH`` relative to ``NAME/``; the fragment is looked for in the message followed by
  the files it names: ``same article URL — duplicate of b.md``).

Only the case's rule runs, with the installed plugins: install the pack first
(``pip install -e .``). In the pack's tests::

    from pathlib import Path

    import pytest

    from cliplint.testing import check_case, find_cases

    @pytest.mark.parametrize("case", find_cases(Path(__file__).parent / "cases"), ids=str)
    def test_case(case):
        check_case(case)

``check_case`` raises :class:`CaseFailure` (an ``AssertionError``) saying what differs.
``find_cases`` raises it for a folder that is missing or holds no case, naming the folder:
the test would otherwise be skipped, and the suite pass with nothing tested.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, NamedTuple

FIXED = ".fixed.md"
UNSAFE_FIXED = ".unsafe-fixed.md"
#: ``LINE:COL fragment`` for a clipping, ``PATH:LINE:COL fragment`` in an archive (a path
#: may hold spaces and colons; a fragment too).
_POSITION = r"(?P<line>\d+):(?P<column>\d+)(?: (?P<fragment>.*))?"
_EXPECTATION = re.compile(_POSITION)
_ARCHIVE_EXPECTATION = re.compile(r"(?P<path>.+?\.md):" + _POSITION)


class CaseFailure(AssertionError):
    """A case's rule did not do what its files say."""


class Expected(NamedTuple):
    """One problem a case expects: where (``path`` is ``""`` for a clipping), and a
    fragment of its message."""

    path: str
    line: int
    column: int
    fragment: str


class Case(NamedTuple):
    """One case: the rule it tests and its clipping (``NAME.md``) or archive folder
    (``NAME/``)."""

    rule: str
    path: Path

    def __str__(self) -> str:
        return f"{self.rule}/{self.name}"

    @property
    def name(self) -> str:
        return self.path.name if self.is_archive else self.path.stem

    @property
    def is_archive(self) -> bool:
        return self.path.is_dir()

    def sibling(self, suffix: str) -> Path:
        """The case's file with this suffix (``.expect``, ``.toml``, ``.fixed.md``)."""
        return self.path.parent / f"{self.name}{suffix}"

    @property
    def expected(self) -> list[Expected]:
        """The problems ``NAME.expect`` lists."""
        source = self.sibling(".expect")
        pattern = _ARCHIVE_EXPECTATION if self.is_archive else _EXPECTATION
        expected = []
        for line in source.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            found = pattern.fullmatch(line)
            if found is None:
                raise CaseFailure(f"{source}: cannot read {line!r} (expected "
                                  f"{'PATH:' if self.is_archive else ''}LINE:COL fragment)")
            expected.append(Expected(found.groupdict().get("path") or "", int(found["line"]),
                                     int(found["column"]), (found["fragment"] or "").strip()))
        return expected

    @property
    def config(self) -> dict[str, Any] | None:
        """The table of ``NAME.toml``, if there is one, read and validated as
        ``cliplint --config NAME.toml`` does: a :class:`~cliplint.config.ConfigError`
        names the file (and the line), where the library, given the table alone, says
        "config"."""
        source = self.sibling(".toml")
        if not source.exists():
            return None
        from cliplint.config import load_config_file, validate
        from cliplint.plugins import load_registry

        table = load_config_file(source)
        validate(table, load_registry().rules, str(source), file=source)
        return table


def find_cases(folder: Path) -> list[Case]:
    """Every case under ``folder``, in path order: each ``*.md`` file and each folder
    with an ``.expect`` file beside it. A clipping without one is a mistake (a case that
    would never run): :class:`CaseFailure`. So is a ``folder`` that is missing or holds
    no case (misnamed, or a test module written before its cases): pytest would skip the
    test for its "empty parameter set", and the suite pass with nothing tested."""
    if not folder.is_dir():
        what = "not a folder" if folder.exists() else "no such folder"
        raise CaseFailure(f"{folder}: {what}: the cases are looked for there")
    cases = []
    archives: list[Path] = []
    for expect in sorted(folder.rglob("*.expect")):
        rule = expect.parent.relative_to(folder).as_posix()
        name = expect.name[: -len(".expect")]
        archive = expect.parent / name
        clipping = expect.parent / f"{name}.md"
        if archive.is_dir():
            cases.append(Case(rule, archive))
            archives.append(archive)
        elif clipping.is_file():
            cases.append(Case(rule, clipping))
        else:
            raise CaseFailure(f"{expect}: neither {clipping.name} nor a folder {name}/ beside it")
    for clipping in sorted(folder.rglob("*.md")):
        if any(archive in clipping.parents for archive in archives):
            continue
        name = clipping.name
        for suffix in (UNSAFE_FIXED, FIXED):
            if name.endswith(suffix):
                name = name[: -len(suffix)] + ".md"
                break
        if not (clipping.parent / name).with_suffix(".expect").is_file():
            raise CaseFailure(f"{clipping}: no {Path(name).stem}.expect beside it")
    if not cases:
        raise CaseFailure(f"{folder}: no case in it (a case is NAME.md, or a folder NAME/ "
                          "for an archive rule, with NAME.expect beside it, in a folder "
                          "named after the rule's id)")
    return cases


def check_case(case: Case) -> None:
    """Run the case's rule on it; raise :class:`CaseFailure` when the problems found, or
    the fixed text, differ from what the case's files say."""
    _require_rule(case.rule)
    if case.is_archive:
        _check_archive(case)
    else:
        _check_clipping(case)


def _require_rule(rule: str) -> None:
    from cliplint.plugins import load_registry

    if rule not in load_registry().rules:
        raise CaseFailure(f"no installed rule is named {rule!r} (is the plugin installed? "
                          "pip install -e . in the pack's folder)")


def _check_clipping(case: Case) -> None:
    from cliplint import fix_text, lint_text

    text = case.path.read_bytes().decode("utf-8")
    config = case.config
    problems = lint_text(text, path=str(case.path), config=config, select=[case.rule])
    found = [("", p.line, p.column, p.message, p.rule) for p in problems]
    _compare(case, found)
    for suffix, unsafe in ((FIXED, False), (UNSAFE_FIXED, True)):
        expected_file = case.sibling(suffix)
        if not expected_file.exists():
            continue
        result = fix_text(text, path=str(case.path), config=config, select=[case.rule],
                          unsafe=unsafe)
        expected = expected_file.read_bytes().decode("utf-8")
        if result.text != expected:
            why = f" (fixing was refused: {result.refusal})" if result.refusal else ""
            raise CaseFailure(f"{case}: the {'unsafe-' if unsafe else ''}fixed text differs "
                              f"from {expected_file.name}{why}:\n"
                              + _difference(expected, result.text))


def _check_archive(case: Case) -> None:
    from cliplint import lint_archive
    from cliplint.formats import full_message

    texts = {path.relative_to(case.path).as_posix(): path.read_bytes().decode("utf-8")
             for path in sorted(case.path.rglob("*.md"))}
    problems = lint_archive(texts, config=case.config, select=[case.rule])
    _compare(case, [(p.path, p.line, p.column, full_message(p), p.rule) for p in problems])


def _compare(case: Case, found: list[tuple[str, int, int, str, str]]) -> None:
    expected = case.expected
    shown = "\n".join(f"  {path + ':' if path else ''}{line}:{column} {rule} {message}"
                      for path, line, column, message, rule in found) or "  (none)"
    if [item[:3] for item in found] != [item[:3] for item in expected]:
        raise CaseFailure(f"{case}: the problems found are not those of "
                          f"{case.sibling('.expect').name}; found:\n{shown}")
    for (*_, message, rule), item in zip(found, expected):
        if rule != case.rule:
            raise CaseFailure(f"{case}: a problem of {rule}, not {case.rule}: {message}")
        if item.fragment not in message:
            raise CaseFailure(f"{case}: {message!r} lacks {item.fragment!r}")


def _difference(expected: str, actual: str) -> str:
    import difflib

    lines = difflib.unified_diff(expected.splitlines(keepends=True),
                                 actual.splitlines(keepends=True), "expected", "fixed")
    return "".join(lines)
