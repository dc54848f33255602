"""Time per MB of a whole lint and a whole fix on hostile clippings, at two sizes.

    python benchmarks/hostile_time.py [--sizes 0.25,1] [--shape NAME]

For each hostile shape (one problem per character, thousands of blocks to remove, floods
of zero-width or private-use characters, CR-only lines, deep nesting...) this builds a
clipping whose body is about SIZE MB, then measures the CPU time (``time.process_time``:
what the machine's other load does not inflate) of ``lint_text`` and of ``fix_text`` with
unsafe fixes, with every built-in rule. Prints seconds per MB and the growth from the
smaller size to the larger: linear work keeps seconds per MB flat. The worst seconds per
MB is the figure to compare against max-file-size (2 MB by default). A benchmark, not a
test: nothing is asserted.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from cliplint import fix_text, lint_text

HEADER = "<!--1686778744000-->\n[A title](https://example.com/a/1)\n------\n\n"
#: The feedx footer aggregator-boilerplate removes (examples/harbour-reopens.md's).
FOOTER = ('<hr><div>获取更多RSS：<br><a href="https://feedx.net" style="color:orange" '
          'target="_blank">https://feedx.net</a> <br><a href="https://feedx.best" '
          'style="color:orange" target="_blank">https://feedx.best</a><br></div>')
MB = 1024 * 1024

#: Each shape: a body of about ``size`` characters (a unit repeated).
SHAPES: dict[str, Callable[[int], str]] = {
    "'<' (one error each)": lambda size: "<" * size,
    "'\"' inside an attribute": lambda size: '<a title="x" ' + '"' * size + ">x</a>",
    "<p>t</p><script>1</script> (fix)": lambda size: "<p>t</p><script>1</script>" * (size // 26),
    "CR-only lines with scripts (fix)": lambda size: (
        "<p>t</p>\r<script>1</script>\r" * (size // 28)),
    "tag with many attributes": lambda size: (
        "<p " + " ".join(f"a{n}=v" for n in range(size // 7)) + ">x</p>"),
    "nested <b>": lambda size: "<b>" * (size // 3) + "x",
    "unmatched </x> in <span>s": lambda size: "<span>" * (size // 10) + "</x>" * (size // 10),
    "zero-width flood": lambda size: "<p>" + "\u200b\u200c\u200d" * (size // 9) + "</p>",
    "private-use flood + a block (fix)": lambda size: (
        "<p>" + "".join(chr(0xE000 + n % 6400) for n in range(size // 3))
        + "</p><script>1</script>"),
    "NUL / U+FFFD / CR mix": lambda size: "<p>a\x00\ufffd\rb</p>" * (size // 15),
    "entities": lambda size: "&amp;&notin;&#0;&x" * (size // 17),
    # Text of many tokens in one node: each was added to the node's text, a copy each.
    "'< ' (a text of a million tokens)": lambda size: "< " * (size // 2),
    # Runs of one reported character: their findings were joined a tuple at a time,
    # and the stream's errors taken one from the head of a list.
    "U+FFFD run": lambda size: "<p>" + "\ufffd" * size + "</p>",
    "U+0001 run": lambda size: "<p>" + "\x01" * size + "</p>",
    # A feed's footer inside unclosed <div>s: aggregator-boilerplate was quadratic in
    # their depth (4,000 took 8.6 s).
    "unclosed <div>s around a footer (fix)": lambda size: "<div>" * (size // 5) + FOOTER,
}


def cpu_seconds(work: Callable[[], object]) -> float:
    started = time.process_time()
    work()
    return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="0.25,1", help="body sizes in MB, comma separated")
    parser.add_argument("--shape", help="only shapes whose name contains this")
    options = parser.parse_args()
    sizes = [float(size) for size in options.sizes.split(",")]
    config = {"max-file-size": int(max(sizes) * MB * 4) + MB}  # measure, do not skip
    lint_text(HEADER, config=config)  # imports and the registry, outside the timings
    print(f"{'shape':36} {'MB':>5} {'lint s/MB':>10} {'fix s/MB':>9} {'problems':>9}")
    worst = 0.0
    for name, make in SHAPES.items():
        if options.shape and options.shape not in name:
            continue
        for size in sizes:
            text = HEADER + make(int(size * MB))
            megabytes = len(text.encode("utf-8")) / MB
            problems: list[object] = []
            lint = cpu_seconds(lambda: problems.extend(lint_text(text, config=config)))  # noqa: B023  (called at once)
            fix = cpu_seconds(lambda: fix_text(text, config=config, unsafe=True))  # noqa: B023
            worst = max(worst, lint / megabytes, fix / megabytes)
            print(f"{name:36} {megabytes:5.2f} {lint / megabytes:10.1f} {fix / megabytes:9.1f} "
                  f"{len(problems):9,}", flush=True)
    print(f"worst: {worst:.1f} CPU seconds per MB")


if __name__ == "__main__":
    main()
