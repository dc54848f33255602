"""Run cliplint in this process and record its own peak RSS and CPU time (not its
children's: a LocalCluster's workers are children).

    python benchmarks/_client_usage.py USAGE.json [cliplint arguments]
"""

from __future__ import annotations

import json
import resource
import sys


def main() -> int:
    from cliplint.cli import main as cliplint

    status = cliplint(sys.argv[2:])
    usage = resource.getrusage(resource.RUSAGE_SELF)
    with open(sys.argv[1], "w", encoding="utf-8") as stream:
        json.dump({"max_rss_mb": usage.ru_maxrss / 1024,
                   "cpu_seconds": usage.ru_utime + usage.ru_stime, "status": status}, stream)
    return status


if __name__ == "__main__":  # a LocalCluster's workers import this module again
    sys.exit(main())
