"""Built-in report formats, registered through the ``cliplint_formats`` hook."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from cliplint.hookspecs import hookimpl
from cliplint.model import Report


@dataclass(frozen=True)
class RenderOptions:
    show_source: bool = False
    color: bool = False
    statistics: bool = False


Renderer = Callable[[Report, RenderOptions], str]


@hookimpl
def cliplint_formats() -> Mapping[str, Renderer]:
    from cliplint.formats import github, gitlab, json_report, junit, sarif, text

    return {"text": text.render, "json": json_report.render, "github": github.render,
            "sarif": sarif.render, "junit": junit.render, "gitlab": gitlab.render}
