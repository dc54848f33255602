"""The baseline a cold run is measured against: a plain script that parses each clipping's
body with html5lib and does nothing else, the work cliplint cannot avoid.

    python benchmarks/plain_parse.py FOLDER

The body is what follows the header (front matter, timestamp comment, title link and its
underline, the blank line after it), found the simple way; html5lib parses it as a
fragment with its default tree builder, one ``parseFragment`` call a file, as a user's
own script would. Prints how many files and parse errors it saw, so that the work cannot
be optimised away.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import html5lib

#: A setext underline, then an optional blank line: the body starts after them.
_UNDERLINE = re.compile(r"^-+[ \t]*\r?\n(?:[ \t]*\r?\n)?", re.MULTILINE)


def body_of(text: str) -> str:
    if text.startswith("---"):  # Jekyll front matter
        closing = text.find("\n---", 3)
        if closing != -1:
            text = text[text.find("\n", closing + 1) + 1:]
    underline = _UNDERLINE.search(text)
    return text[underline.end():] if underline else text


def main(argv: list[str]) -> int:
    files = errors = 0
    for path in sorted(Path(argv[0]).rglob("*.md")):
        text = path.read_bytes().decode("utf-8", errors="replace")
        parser = html5lib.HTMLParser(namespaceHTMLElements=False)
        parser.parseFragment(body_of(text))
        files += 1
        errors += len(parser.errors)
    print(f"{files} files, {errors} parse errors")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
