"""cliplint on Dask and object storage, against the local process pool.

    python benchmarks/scale_out.py [--corpus ../shared/corpus/oped2] [--runs 2]
                                     [--s3-files 30000] [--skip-s3]

Needs ``pip install -e '.[dask,s3,test-dask]'``. Prints, each measured in one run with
the commands taking turns (see run.py):

1. 30,000 files on local disk (the corpus ten times over, hard links), every rule,
   ``--no-cache``: the local process pool against ``--scheduler dask`` (a LocalCluster of
   as many workers as cores), and the json reports compared byte for byte;
2. batch sizes: ``--scheduler dask --batch-size`` 10, 100 and 1,000 on 3,000 files;
3. the same files from an S3-compatible server on 127.0.0.1 (moto's, in this process:
   the objects are put through its backend, not over HTTP), ``--scheduler dask``; with
   the server's latency for one request and its throughput for many at once;
4. the client's peak RSS (its own, not the workers') at 3,000 and 30,000 files, with and
   without the archive rules, and the archive records' bytes each;
5. the reduce step's time over 30,000 records, and from all of it, on paper, a million
   clippings on N workers.

A benchmark, not a test: the figures depend on the machine (2 cores, shared) and are
compared side by side, never asserted.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import DEFAULT_CORPUS, child_environment, repeated_corpus  # noqa: E402

HERE = Path(__file__).resolve().parent
CLIENT = HERE / "_client_usage.py"
ARCHIVE_RULES = "duplicate-clipping,path-portability"


def run_client(arguments: Sequence[str], env: dict[str, str], output: Path | None = None
               ) -> tuple[float, float, float]:
    """Wall seconds, the client's own peak RSS (MB) and CPU seconds (the scheduler of a
    LocalCluster runs in it; the workers do not)."""
    with tempfile.NamedTemporaryFile("r", suffix=".json") as usage:
        command = [sys.executable, str(CLIENT), usage.name, "--isolated", "--no-cache",
                   "--exit-zero", *arguments]
        if output is not None:
            command += ["--format", "json", "--output-file", str(output)]
        started = time.perf_counter()
        completed = subprocess.run(command, env=child_environment(env), check=False,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wall = time.perf_counter() - started
        if completed.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed ({completed.returncode}): "
                             f"{completed.stderr.decode(errors='replace')[-3000:]}")
        found = json.loads(Path(usage.name).read_text())
    return wall, found["max_rss_mb"], found["cpu_seconds"]


def interleaved(commands: dict[str, list[str]], runs: int, env: dict[str, str]
                ) -> dict[str, list[tuple[float, float, float]]]:
    found: dict[str, list[tuple[float, float, float]]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, arguments in commands.items():
            found[name].append(run_client(arguments, env))
    return found


def table(title: str, found: dict[str, list[tuple[float, float, float]]], base: str) -> None:
    print(f"\n{title}")
    print(f"{'command':<52} {'wall s':>8} {'ratio':>7} {'client MB':>10} {'client cpu s':>13}")
    base_wall = statistics.median(value[0] for value in found[base])
    for name, values in found.items():
        wall = statistics.median(value[0] for value in values)
        print(f"{name:<52} {wall:>8.1f} {wall / base_wall:>6.2f}x "
              f"{max(v[1] for v in values):>10.0f} {statistics.median(v[2] for v in values):>13.1f}")


def start_s3(tree: Path, bucket: str, count: int) -> tuple[object, str]:
    """A moto S3 server on 127.0.0.1 holding the tree's first ``count`` files."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    from moto.backends import get_backend
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    backend = get_backend("s3")[DEFAULT_ACCOUNT_ID]["global"]
    backend.create_bucket(bucket, "us-east-1")
    files = sorted(path for path in tree.rglob("*.md"))[:count]
    for path in files:
        backend.put_object(bucket, path.relative_to(tree).as_posix(), path.read_bytes())
    return server, f"http://{host}:{port}"


def s3_latency(endpoint: str, bucket: str, env: dict[str, str]) -> tuple[float, float]:
    """Milliseconds per GET one after the other, and per object for 100 at once."""
    os.environ.update(env)
    import s3fs

    fs = s3fs.S3FileSystem(endpoint_url=endpoint, skip_instance_cache=True)
    keys = [entry for entry in fs.find(bucket)][:100]
    started = time.perf_counter()
    for key in keys[:30]:
        fs.cat_file(key)
    serial = (time.perf_counter() - started) / 30 * 1000
    started = time.perf_counter()
    fs.cat_ranges(keys, None, None)
    together = (time.perf_counter() - started) / len(keys) * 1000
    return serial, together


def reduce_cost(corpus: Path, copies: int) -> tuple[float, int]:
    """Seconds the archive rules' reduce step takes over the corpus's records ``copies``
    times over (as the 30,000-file tree holds them), and the number of records."""
    from cliplint.archive import ArchiveFile, archive_rules, reduce_archive
    from cliplint.config import resolve
    from cliplint.document import Document
    from cliplint.linter import archive_records
    from cliplint.plugins import load_registry

    rules = load_registry().rules
    settings = resolve({}, rules)
    records = []
    for path in sorted(corpus.rglob("*.md")):
        document = Document.from_bytes(path.read_bytes(), str(path))
        records.append((path.relative_to(corpus).as_posix(),
                        archive_records(document, rules, settings, path=str(path))[0]))
    files = [ArchiveFile(f"copy{copy}/{relative}", f"copy{copy}/{relative}", record)
             for copy in range(copies) for relative, record in records]
    started = time.process_time()
    reduce_archive(files, archive_rules(rules, settings), settings, str(corpus))
    return time.process_time() - started, len(files)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--s3-files", type=int, default=30_000)
    parser.add_argument("--skip-s3", action="store_true")
    options = parser.parse_args(argv)
    corpus = options.corpus.resolve()
    jobs = str(len(os.sched_getaffinity(0)))
    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        env: dict[str, str] = {}
        small = repeated_corpus(corpus, 1, scratch / "small")
        large = repeated_corpus(corpus, 10, scratch / "large")
        count = sum(1 for _ in large.rglob("*.md"))
        files = min(options.s3_files, count)
        s3_env: dict[str, str] = {}
        server = None
        if not options.skip_s3:  # filled first: the S3 run takes its turn with the others
            server, endpoint = start_s3(large, "bench", files)
            s3_env = {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
                      "AWS_DEFAULT_REGION": "us-east-1", "AWS_ENDPOINT_URL": endpoint}
            serial, together = s3_latency(endpoint, "bench", s3_env)
            print(f"the S3 server: {serial:.1f} ms per GET one after the other, "
                  f"{together:.1f} ms per object for 100 at once", flush=True)
        try:
            # 1. local disk: the process pool against a LocalCluster, the same report;
            #    3. the same files from the S3 server; 4. the client's memory
            reports = {name: scratch / f"{name}.json" for name in ("pool", "dask", "s3")}
            commands: dict[str, tuple[list[str], Path | None]] = {
                f"process pool, {count:,} files": ([str(large)], reports["pool"]),
                f"--scheduler dask ({jobs} workers), {count:,} files": (
                    ["--scheduler", "dask", str(large)], reports["dask"]),
                f"--scheduler dask, {count:,} files, archive rules off": (
                    ["--scheduler", "dask", "--ignore", ARCHIVE_RULES, str(large)], None),
                "--scheduler dask, 3,000 files": (["--scheduler", "dask", str(small)], None),
                "--scheduler dask, 3,000 files, archive rules off": (
                    ["--scheduler", "dask", "--ignore", ARCHIVE_RULES, str(small)], None),
            }
            if server is not None:
                commands[f"--scheduler dask, {files:,} objects from s3://bench/"] = (
                    ["--scheduler", "dask", "s3://bench/"], reports["s3"])
            found: dict[str, list[tuple[float, float, float]]] = {name: [] for name in commands}
            for _ in range(options.runs):
                for name, (arguments, output) in commands.items():
                    found[name].append(run_client(arguments, {**env, **s3_env}, output))
                    print(f"  {name}: {found[name][-1][0]:.1f} s", flush=True)
            table("every rule, --no-cache (the client: its own peak RSS and CPU, the "
                  "LocalCluster's scheduler included, its workers not)", found,
                  f"process pool, {count:,} files")
            same = reports["pool"].read_bytes() == reports["dask"].read_bytes()
            print(f"json reports of the pool and of dask identical: {same}")
            if server is not None and files == count:
                spelled = reports["s3"].read_text().replace("s3://bench/", str(large) + "/")
                print(f"json report from S3, paths spelled locally, identical: "
                      f"{spelled == reports['pool'].read_text()}")
        finally:
            if server is not None:
                server.stop()  # type: ignore[attr-defined]

        # 2. batch sizes
        sizes = interleaved({
            f"--scheduler dask --batch-size {size}, 3,000 files": [
                "--scheduler", "dask", "--batch-size", str(size), str(small)]
            for size in (10, 100, 1000)
        }, options.runs, env)
        table("files per task (3,000 files)", sizes, "--scheduler dask --batch-size 100, 3,000 files")

        # 5. the archive records and the reduce step
        from archive import record_sizes

        record_sizes(corpus)
        seconds, records = reduce_cost(corpus, 10)
        print(f"reduce step over {records:,} records: {seconds:.2f} s of CPU on the client")
    return 0


if __name__ == "__main__":
    sys.exit(main())
