"""Run cliplint in this process and record its own peak RSS and CPU time (not its
children's: a LocalCluster's workers are children). The peak is the kernel's VmHWM of
this process image: ``ru_maxrss`` would count the memory of the process that started
this one (a benchmark holding an S3 server's objects), as fork-then-exec keeps it.

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
    with open("/proc/self/status", encoding="ascii") as proc:
        peak_kb = next(int(line.split()[1]) for line in proc if line.startswith("VmHWM:"))
    with open(sys.argv[1], "w", encoding="utf-8") as stream:
        json.dump({"max_rss_mb": peak_kb / 1024,
                   "cpu_seconds": usage.ru_utime + usage.ru_stime, "status": status}, stream)
    return status


if __name__ == "__main__":  # a LocalCluster's workers import this module again
    sys.exit(main())
