"""What a worker of the LocalCluster that cliplint starts (``--scheduler dask``) does as
it starts: a Dask preload module, named to the cluster (``preload``), whose
``dask_setup`` runs in each worker process (those the nannies start again too)."""

from __future__ import annotations

import signal
from typing import Any


def dask_setup(worker: Any) -> None:
    """Ctrl-C reaches the whole process group; the command alone handles it, and closes
    the cluster. A worker ended by it printed its KeyboardInterrupt's traceback on the
    command's standard error, before "interrupted". (As runner's pool workers do.)"""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
