"""JUnit XML, for CI systems that show test reports (GitLab, Jenkins, Azure, CircleCI).

One ``testsuite`` named cliplint; one ``testcase`` per file checked (``classname``
cliplint, ``name`` and ``file`` the path); one ``failure`` per problem, as ESLint's
JUnit formatter does, with ``type`` the rule id and the severity in the message; an
``internal-error`` (a rule crashed) is an ``error`` instead.
No timestamps or durations: the same run gives the same bytes.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from cliplint import __version__
from cliplint.formats import RenderOptions
from cliplint.model import INTERNAL_ERROR, Problem, Report

# Characters XML 1.0 cannot carry at all, not even as references; paths and messages
# taken from scraped files may hold them.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    return _NOT_XML.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


def render(report: Report, options: RenderOptions) -> str:
    by_file: dict[str, list[Problem]] = {path: [] for path in report.files}
    for problem in report.problems:
        by_file.setdefault(problem.path, []).append(problem)
    errors = sum(1 for p in report.problems if p.rule == INTERNAL_ERROR)
    failures = len(report.problems) - errors
    counts = {"tests": str(len(by_file)), "failures": str(failures), "errors": str(errors)}
    suites = ET.Element("testsuites", {"name": "cliplint", **counts})
    suite = ET.SubElement(suites, "testsuite", {"name": "cliplint", **counts, "skipped": "0"})
    properties = ET.SubElement(suite, "properties")
    ET.SubElement(properties, "property", {"name": "cliplint.version", "value": __version__})
    for path, problems in by_file.items():
        name = xml_safe(path)
        case = ET.SubElement(suite, "testcase", {"classname": "cliplint", "name": name,
                                                 "file": name})
        for problem in problems:
            tag = "error" if problem.rule == INTERNAL_ERROR else "failure"
            element = ET.SubElement(case, tag, {
                "type": xml_safe(problem.rule),
                "message": xml_safe(f"{problem.severity}: {problem.message}"),
            })
            element.text = xml_safe(
                f"{path}:{problem.line}:{problem.column}: {problem.rule} {problem.message}"
            )
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, "unicode") + "\n"
