"""What any exact pre-commit run of an archive costs beyond the one new file: list every
folder of the archive and stat every clipping in it (the least that tells whether a file
not given changed since the cache saw it), then run cliplint in this process.

    python benchmarks/_walk_then.py ARCHIVE CLIPLINT_COMMAND [cliplint arguments]

run.py's ``pre-commit-floor`` goal runs it with the one-file miss's arguments: a run that
did nothing for the archive but this walk (no records read, nothing reduced).
"""

from __future__ import annotations

import os
import runpy
import sys


def stat_clippings(folder: str) -> int:
    """Stat every ``*.md`` below ``folder`` (hidden folders, such as ``.git``, skipped);
    how many."""
    count = 0
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                if not entry.name.startswith("."):
                    count += stat_clippings(entry.path)
            elif entry.name.endswith(".md"):
                entry.stat()
                count += 1
    return count


if __name__ == "__main__":
    stat_clippings(sys.argv[1])
    command = sys.argv[2]
    # As Python starts the command's script: its folder first on the search path (the
    # plugins' snapshot depends on the path: this run must find the command's own).
    sys.path[0] = os.path.dirname(os.path.abspath(command))
    sys.argv = sys.argv[2:]
    runpy.run_path(command, run_name="__main__")
