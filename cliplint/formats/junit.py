"""JUnit XML, for CI systems that show test reports (GitLab, Jenkins, Azure, CircleCI).

One ``testsuite`` named cliplint; one ``testcase`` per file checked (``classname``
cliplint, ``name`` and ``file`` the path), then one per file that archive rules found
problems with (``classname`` cliplint.archive); one ``failure`` per error or warning, as
ESLint's JUnit formatter does, with ``type`` the rule id and the severity in the message;
an ``internal-error`` (a rule crashed) is an ``error`` instead. An info is no failure: a
run of infos only passes, and a dashboard must not show it red. Its test case passes and
lists it in ``system-out`` (not ``skipped``: the file was checked, not left out).
No timestamps or durations: the same run gives the same bytes.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING

from cliplint import __version__
from cliplint.formats import RenderOptions, full_message, whole_report
from cliplint.formats.spool import Spool
from cliplint.formats.text import printable
from cliplint.model import INTERNAL_ERROR, Problem, Rule, Tally
from cliplint.streams import python_escape

if TYPE_CHECKING:
    from cliplint.fixer import Fixes
    from cliplint.runner import FileResult

# Characters XML 1.0 cannot carry at all, not even as references; paths and messages
# taken from scraped files may hold them.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    """``text`` with what XML cannot carry escaped as the text report escapes it
    (``\\x1b``, and ``\\udcff`` for a byte of a name that is not UTF-8, which was
    ``\\xdcff``, matching neither that report nor the byte)."""
    return _NOT_XML.sub(lambda match: python_escape(match.group()), text)


def write_stream(results: Iterable[FileResult], rules: Mapping[str, Rule],
                 options: RenderOptions, write: Callable[[str], object], /, *,
                 fixes: Fixes | None = None) -> Tally:
    """The report of a lint run. The counts come first but are known only at the end:
    the test cases wait in a temporary file, not in memory."""
    tally = Tally()
    cases = 0
    with Spool() as spool:
        for result in results:
            case = _testcase(result.path, result.problems,
                             "cliplint" if result.checked else ARCHIVE_CLASS)
            ET.indent(case, level=2)  # where ET.indent(suites) would put a test case
            spool.write(_CASE_INDENT + ET.tostring(case, "unicode"))
            tally = tally.add(result.problems, result.checked)
            cases += 1
        failures = tally.errors + tally.warnings - tally.internal_errors
        suites, _ = _skeleton(cases, failures, tally.internal_errors)
        ET.indent(suites)
        # The test cases go after the properties, the suite's first child.
        head, tail = ET.tostring(suites, "unicode").split("</properties>")
        write(_DECLARATION + head + "</properties>")
        spool.copy_out(write)
        write(tail + "\n")
    return tally


render = whole_report(write_stream)


#: The class of the test cases that hold what archive rules found in a file (the file's
#: own test case was written before every file was checked).
ARCHIVE_CLASS = "cliplint.archive"
_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
#: What ET.indent puts before a test case (the suite's child, two levels down).
_CASE_INDENT = "\n    "


def _skeleton(tests: int, failures: int, errors: int) -> tuple[ET.Element, ET.Element]:
    """The report's elements other than the test cases: the root and the one suite."""
    counts = {"tests": str(tests), "failures": str(failures), "errors": str(errors)}
    suites = ET.Element("testsuites", {"name": "cliplint", **counts})
    suite = ET.SubElement(suites, "testsuite", {"name": "cliplint", **counts, "skipped": "0"})
    properties = ET.SubElement(suite, "properties")
    ET.SubElement(properties, "property", {"name": "cliplint.version", "value": __version__})
    return suites, suite


def _testcase(path: str, problems: Iterable[Problem],
              classname: str = "cliplint") -> ET.Element:
    name = xml_safe(path)
    case = ET.Element("testcase", {"classname": classname, "name": name, "file": name})
    infos = []
    for problem in problems:
        if problem.severity == "info" and problem.rule != INTERNAL_ERROR:
            infos.append(problem)
            continue
        tag = "error" if problem.rule == INTERNAL_ERROR else "failure"
        element = ET.SubElement(case, tag, {
            "type": xml_safe(problem.rule),
            "message": xml_safe(f"{problem.severity}: {full_message(problem)}"),
        })
        element.text = xml_safe(_line(path, problem))
    if infos:
        ET.SubElement(case, "system-out").text = xml_safe(
            "".join(f"{_line(path, problem)}\n" for problem in infos))
    return case


def _line(path: str, problem: Problem) -> str:
    """The problem as the text report shows it (the severity named unless an error), its
    paths and messages shown as there: a line break in a file name would forge another
    report line, a bidi control in a message reorder the line. (The attributes keep them
    as they are, for the programs that read them.)"""
    word = "" if problem.severity == "error" else f"{problem.severity} "
    return (f"{printable(path)}:{problem.line}:{problem.column}: {word}{problem.rule} "
            f"{full_message(problem, printable, printable)}")
