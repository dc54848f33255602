"""Parse time on hostile HTML: cliplint's parse against html5lib's own, at two sizes.

    python benchmarks/hostile.py [--size 1500] [--runs 3]

html5lib is quadratic on a few shapes of input; cliplint replaces those steps of its
parse with linear ones (``cliplint/html_parse.py``). For each shape this prints the median
time of ``cliplint.html_parse.parse_body`` and of ``html5lib.parseFragment`` (etree) on a body of
``size`` repetitions and one four times larger. Linear work grows about 4x from one size
to the next, quadratic work about 16x. A benchmark, not a test: timings depend on the
machine, so they are compared side by side and never asserted.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import html5lib

from cliplint.html_parse import parse_body

#: Each shape: a body of ``count`` repetitions of what html5lib handles in quadratic time.
SHAPES: dict[str, Callable[[int], str]] = {
    "tag with n attributes (& in a value)": lambda count: (
        "<p b=&amp; " + " ".join(f"a{index}" for index in range(count)) + ">x</p>"),
    "n nested <b>": lambda count: "<b>" * count + "x",
    "n unmatched </x> in n <span>": lambda count: "<span>" * count + "</x>" * count,
    "n stray </b> in n <i>": lambda count: "<i>" * count + "</b>" * count,
}


def median_seconds(parse: Callable[[str], object], body: str, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        parse(body)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def parse_with_cliplint(body: str) -> object:
    return parse_body(body, 0, len(body))


def parse_with_html5lib(body: str) -> object:
    return html5lib.parseFragment(body, treebuilder="etree", namespaceHTMLElements=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1500, help="repetitions in the smaller body")
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    small, large = options.size, options.size * 4
    print(f"{'shape':38} {'parser':9} {f'n={small} s':>10} {f'n={large} s':>10} {'growth':>7}")
    for shape, make in SHAPES.items():
        for name, parse in (("cliplint", parse_with_cliplint), ("html5lib", parse_with_html5lib)):
            first = median_seconds(parse, make(small), options.runs)
            second = median_seconds(parse, make(large), options.runs)
            print(f"{shape:38} {name:9} {first:10.3f} {second:10.3f} {second / first:6.1f}x")


if __name__ == "__main__":
    main()
