"""Beyond one machine: Dask and object storage give the report a local run gives.

Everything runs here: one LocalCluster of two worker processes for the module, and a
real S3-compatible server (moto's) on 127.0.0.1, both started by the fixtures. The
command line connects to the module's cluster by its address (``--scheduler tcp://…``);
one test starts its own (``--scheduler dask``), as a user's run does.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

# A Dask client makes itself the process's default and keeps an event loop: each run in
# a process of its own, as a user's would be.
from conftest import (
    ROOT,
    hold_rule,
    run_cliplint_subprocess as run_cliplint,
    signalled,
    write,
)

distributed = pytest.importorskip(
    "distributed", reason="the dask extra is not installed (pip install -e '.[dask]')")

ARTICLE = ("<p>The harbour reopened on Monday after three weeks of repairs, the port "
           "authority said.</p><p>Ships waiting offshore began to unload cargo within hours.</p>")
CONFIG = """\
max-file-size = 3000
[per-file-ignores]
"feed/sub/*" = ["timestamp-comment"]
"""
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
               "AWS_DEFAULT_REGION": "us-east-1"}


def clipping(title: str, url: str, body: str = ARTICLE, stamp: str = "1594000000000") -> str:
    return f"<!--{stamp}-->\n[{title}]({url})\n------\n\n{body}\n"


def build_archive(root: Path) -> Path:
    """An archive with what a batched run must get right: files before subfolders in
    each folder, names fsspec would take for globs, duplicates between folders,
    per-file-ignores, unreadable, empty and oversized files, and what is not linted."""
    write(root / "cliplint.toml", CONFIG)
    example = (ROOT / "examples" / "harbour-reopens.md").read_bytes()
    (root / "z-example.md").write_bytes(example)
    for n in range(30):
        folder = "feed" if n % 3 else "feed/sub"
        write(root / f"{folder}/{n:02}.md",
              clipping("Harbour reopens" if n % 7 == 0 else f"Story {n}",
                       f"https://x.org/{n % 5 if n % 4 == 0 else n}",
                       stamp="1594000000" if n % 5 == 1 else str(1594000000000 + n)))
    write(root / "feed/sub/deeper/a [1] *.md", clipping("Odd name", "https://x.org/odd"))
    write(root / "feed/no-blank.md", "<!--1594000000000-->\n[T](https://x.org/t)\n------\n<p>x</p>\n")
    (root / "feed/binary.md").write_bytes(b"<!--1-->\x00\x01")
    (root / "feed/latin1.md").write_bytes(clipping("Caf\xe9", "https://x.org/c").encode("latin-1"))
    (root / "feed/empty.md").write_bytes(b"")
    write(root / "feed/huge.md", clipping("Huge", "https://x.org/h", body="<p>" + "x" * 4000 + "</p>"))
    write(root / "feed/notes.txt", "not a clipping")
    write(root / "node_modules/skip.md", clipping("Skipped", "https://x.org/s"))
    return root


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_archive(tmp_path_factory.mktemp("archive"))


@pytest.fixture(scope="module")
def s3(archive: Path) -> Iterator[dict[str, Any]]:
    """A moto S3 server on 127.0.0.1 holding the archive in ``s3://clippings/``; its
    address and credentials are in the environment while the module runs (the cluster's
    workers inherit them)."""
    pytest.importorskip("s3fs", reason="the s3 extra is not installed (pip install -e '.[s3]')")
    server_module = pytest.importorskip(
        "moto.server", reason="moto is not installed (pip install -e '.[test-dask]')")
    import logging

    import s3fs

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = server_module.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    saved = {name: os.environ.get(name) for name in [*CREDENTIALS, "AWS_ENDPOINT_URL"]}
    os.environ.update(CREDENTIALS, AWS_ENDPOINT_URL=endpoint)
    fs = s3fs.S3FileSystem(endpoint_url=endpoint, skip_instance_cache=True)
    fs.mkdir("clippings")
    fs.pipe({f"clippings/{path.relative_to(archive).as_posix()}": path.read_bytes()
             for path in archive.rglob("*") if path.is_file() and path.name != "cliplint.toml"})
    try:
        yield {"endpoint": endpoint, "fs": fs}
    finally:
        server.stop()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


#: What the reader of :func:`reader` may do: everything but read feed/02.md.
READER_POLICY = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
    {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::clippings/feed/02.md"},
]}


@pytest.fixture(scope="module")
def reader(s3: dict[str, Any]) -> dict[str, str]:
    """The credentials (environment variables) of a user of moto's IAM with
    :data:`READER_POLICY`."""
    import boto3

    iam = boto3.client("iam", endpoint_url=s3["endpoint"])
    iam.create_user(UserName="reader")
    iam.put_user_policy(UserName="reader", PolicyName="all-but-one",
                        PolicyDocument=json.dumps(READER_POLICY))
    key = iam.create_access_key(UserName="reader")["AccessKey"]
    return {"AWS_ACCESS_KEY_ID": key["AccessKeyId"],
            "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]}


@pytest.fixture
def credentials_checked(s3: dict[str, Any], reader: dict[str, str]) -> Iterator[dict[str, str]]:
    """moto's server checking each request's credentials, and the user's policies, while
    the test runs (it takes any credentials by default: the module's are made up); the
    reader's credentials."""
    import httpx

    def check_after(requests: bytes) -> None:
        # moto's own API: how many requests to let through before it checks them.
        httpx.post(f"{s3['endpoint']}/moto-api/reset-auth", content=requests,
                   headers={"Content-Type": "text/plain"}, trust_env=False).raise_for_status()

    check_after(b"0")
    try:
        yield reader
    finally:
        check_after(b"inf")


@pytest.fixture(scope="module")
def cluster(request: pytest.FixtureRequest) -> Iterator[Any]:
    """Two worker processes, one thread each, for the whole module; started after the
    S3 server (when the s3 extra is there), so that they inherit its address."""
    import logging

    try:
        request.getfixturevalue("s3")
    except pytest.skip.Exception:
        pass

    # On 127.0.0.1 only, the dashboard on a free port (None gave it 8787 on every interface).
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address="127.0.0.1:0",
                                  silence_logs=logging.ERROR) as local, \
            distributed.Client(local) as client:
        yield client


def lint(archive: Path, *arguments: str, env: dict[str, str] | None = None) -> Any:
    return run_cliplint("--no-cache", "--format", "json", *arguments, cwd=archive,
                        env={"PYTHONWARNINGS": "ignore", **(env or {})})


@pytest.fixture(scope="module")
def local_report(archive: Path) -> str:
    """The report of an ordinary run (local process pool) over the archive."""
    run = lint(archive, ".")
    assert run.status == 1, run.stderr
    return run.stdout


def local_spelling(report: str, prefix: str) -> str:
    """A report over ``prefix`` with paths spelled as a local run over ``.`` spells them."""
    return report.replace(json.dumps(prefix)[1:-1], "./")


def test_the_local_report_has_what_the_archive_was_built_for(local_report: str) -> None:
    problems = json.loads(local_report)["problems"]
    rules = {(problem["path"], problem["rule"]) for problem in problems}
    assert json.loads(local_report)["files_checked"] == 37
    assert ("./feed/binary.md", "file-unreadable") in rules
    assert ("./feed/latin1.md", "file-unreadable") in rules
    assert ("./feed/huge.md", "file-too-large") in rules
    assert any(rule == "duplicate-clipping" for _, rule in rules)
    assert ("./feed/01.md", "timestamp-comment") in rules  # seconds, not milliseconds
    assert ("./feed/sub/06.md", "timestamp-comment") not in rules  # per-file-ignores
    assert ("./feed/sub/06.md", "title-link") not in rules  # it is a clean clipping


def test_a_cluster_run_is_byte_for_byte_the_local_run(
        archive: Path, cluster: Any, local_report: str) -> None:
    run = lint(archive, "--scheduler", cluster.scheduler.address, "--batch-size", "4", ".")
    assert (run.status, run.stderr) == (1, "")
    assert run.stdout == local_report


def test_scheduler_dask_starts_its_own_cluster(archive: Path, local_report: str) -> None:
    run = lint(archive, "--scheduler", "dask", "--jobs", "2", ".")
    assert (run.status, run.stderr) == (1, "")
    assert run.stdout == local_report


def test_what_a_plugin_prints_on_the_workers_stays_out_of_the_report(
        tmp_path: Path, plugin_env: Any) -> None:
    # Dask's workers are processes of their own that share the command's standard output
    # (a LocalCluster's), and run the rules in threads: a plugin's prints came before the
    # JSON, twice.
    source = ('"""A rule."""\nimport sys\nfrom cliplint import hookimpl\n'
              'print("printed at import")\nID = "loud/rule"\nSEVERITY = "error"\n\n'
              'def check(document, options):\n    print("printed by the rule")\n'
              '    return iter(())\n\n@hookimpl\ndef cliplint_rules():\n'
              '    return [sys.modules[__name__]]\n')
    env = plugin_env(distribution="cliplint-loud", entry_name="loud", module="cliplint_loud",
                     source=source)
    write(tmp_path / "a.md", clipping("Story", "https://x.org/a", stamp="1594000000"))
    run = lint(tmp_path, "--scheduler", "dask", "--jobs", "1", "--select",
               "loud/,timestamp-comment", "a.md", env=env)
    assert run.status == 1, run.stderr
    [problem] = json.loads(run.stdout)["problems"]
    assert problem["rule"] == "timestamp-comment"
    assert "printed by the rule" in run.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs and signals")
def test_ctrl_c_is_interrupted_and_nothing_else(tmp_path: Path) -> None:
    """Ctrl-C (SIGINT to the process group, as a terminal sends it) while a worker of the
    run's LocalCluster lints: "interrupted", 130, and nothing more on standard error
    (each worker process printed its KeyboardInterrupt's traceback). The rule hold/hold
    keeps the batch running until the signal is sent."""
    installed, hold = hold_rule(tmp_path)
    write(tmp_path / "a.md", clipping("Story", "https://x.org/a", body="<p>HOLD</p>"))
    environment = {**{k: v for k, v in os.environ.items() if not k.startswith("CLIPLINT")},
                   "CLIPLINT_NO_SERVER": "1", "PYTHONWARNINGS": "ignore", **installed}
    run = subprocess.Popen(
        [sys.executable, "-m", "cliplint", "--isolated", "--no-cache", "--scheduler", "dask",
         "--jobs", "1", "--extend-select", "hold/hold", "a.md"],
        cwd=tmp_path, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        start_new_session=True)  # its own process group, as a shell's job
    worker, stderr = signalled(run, hold, lambda pid: os.killpg(pid, signal.SIGINT))
    assert worker != run.pid, "the file was not linted by a worker process"
    assert (run.returncode, stderr.decode()) == (130, "cliplint: interrupted\n")



@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="looks for processes in /proc")
def test_ctrl_c_as_the_cluster_starts_is_interrupted_and_nothing_else(tmp_path: Path) -> None:
    """Ctrl-C while the run's LocalCluster starts (its first process started, importing
    Dask): "interrupted", 130, and nothing more on standard error (that process printed
    its KeyboardInterrupt's traceback, and closing the cluster interrupted as it started
    failed with Dask's "AssertionError: Status.init")."""
    write(tmp_path / "a.md", clipping("Story", "https://x.org/a"))
    environment = {**{k: v for k, v in os.environ.items() if not k.startswith("CLIPLINT")},
                   "CLIPLINT_NO_SERVER": "1", "PYTHONWARNINGS": "ignore"}
    run = subprocess.Popen(
        [sys.executable, "-m", "cliplint", "--isolated", "--no-cache", "--scheduler", "dask",
         "--jobs", "1", "a.md"],
        cwd=tmp_path, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        start_new_session=True)  # its own process group, as a shell's job
    try:
        while run.poll() is None and not _started_process_in_group(run.pid):
            time.sleep(0.01)
        os.killpg(run.pid, signal.SIGINT)
        _, stderr = run.communicate(timeout=120)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
            run.wait()
    assert (run.returncode, stderr.decode()) == (130, "cliplint: interrupted\n")


def _started_process_in_group(group: int) -> bool:
    """Whether a process that multiprocessing started (``spawn_main``) is in the process
    group ``group``."""
    for entry in Path("/proc").iterdir():
        try:
            # (the process group is the fifth field of stat, after the name in brackets)
            if int((entry / "stat").read_text().rpartition(")")[2].split()[2]) == group:
                if b"spawn_main" in (entry / "cmdline").read_bytes():
                    return True
        except (OSError, ValueError, IndexError):  # not a process, or one gone meanwhile
            continue
    return False

def test_text_report_too(archive: Path, cluster: Any) -> None:
    local = run_cliplint("--no-cache", ".", cwd=archive)
    remote = run_cliplint("--no-cache", "--scheduler", cluster.scheduler.address, ".",
                          cwd=archive)
    assert remote.stdout == local.stdout and " in 37 files checked" in local.stdout


def test_a_symlink_is_its_target_on_the_cluster_too(tmp_path: Path, cluster: Any) -> None:
    # A batched run walks a local folder its own way: the symlink was taken for a copy of
    # the clipping it leads to, which a local run does not (README: Archive rules).
    write(tmp_path / "2024/x.md", clipping("Harbour reopens", "https://x.org/h"))
    write(tmp_path / "old/copy.md", clipping("Harbour reopens", "https://x.org/h",
                                             stamp="1593000000000"))
    (tmp_path / "latest.md").symlink_to(os.path.join("2024", "x.md"))
    local = lint(tmp_path, "--select", "duplicate-clipping", ".")
    assert [(problem["path"], problem["message"]) for problem in
            json.loads(local.stdout)["problems"]] == [("./old/copy.md", "same article URL")]
    remote = lint(tmp_path, "--select", "duplicate-clipping", "--scheduler",
                  cluster.scheduler.address, ".")
    assert (remote.status, remote.stdout) == (local.status, local.stdout)
    # A folder named through a symlinked one: its files are the target's, under second
    # names (found by a stress test: cur/x.md was reported beside 2024/x.md).
    (tmp_path / "cur").symlink_to("2024")
    folders = ("2024", "cur", "old")
    local = lint(tmp_path, "--select", "duplicate-clipping", *folders)
    assert [problem["path"] for problem in json.loads(local.stdout)["problems"]] == [
        os.path.join("old", "copy.md")]
    remote = lint(tmp_path, "--select", "duplicate-clipping", "--scheduler",
                  cluster.scheduler.address, *folders)
    assert (remote.status, remote.stdout) == (local.status, local.stdout)
    # The same names in a manifest: latest.md and cur/x.md were each reported as a copy.
    names = ["latest.md", os.path.join("cur", "x.md"), os.path.join("2024", "x.md"),
             os.path.join("old", "copy.md")]
    write(tmp_path / "list.txt", "".join(f"{name}\n" for name in names))
    local = lint(tmp_path, "--select", "duplicate-clipping", *names)
    assert [problem["path"] for problem in json.loads(local.stdout)["problems"]] == [
        os.path.join("old", "copy.md")]
    remote = lint(tmp_path, "--select", "duplicate-clipping", "--scheduler",
                  cluster.scheduler.address, "--paths-from", "list.txt")
    assert (remote.status, remote.stdout) == (local.status, local.stdout)


def test_the_library_takes_a_symlink_for_its_target_too(tmp_path: Path, cluster: Any,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    # lint_paths walked and listed as --scheduler does, but did not hand the links it
    # found to the archive rules: latest.md was reported as a copy of 2024/x.md.
    from cliplint.dask import lint_paths

    write(tmp_path / "2024/x.md", clipping("Harbour reopens", "https://x.org/h"))
    write(tmp_path / "old/copy.md", clipping("Harbour reopens", "https://x.org/h",
                                             stamp="1593000000000"))
    (tmp_path / "latest.md").symlink_to(os.path.join("2024", "x.md"))
    (tmp_path / "cur").symlink_to("2024")
    monkeypatch.chdir(tmp_path)
    config = {"select": ["duplicate-clipping"]}
    names = ["latest.md", os.path.join("cur", "x.md"), os.path.join("2024", "x.md"),
             os.path.join("old", "copy.md")]
    for paths, walk in (([".", "cur"], True), (names, False)):
        local = lint(tmp_path, "--select", "duplicate-clipping", *paths)
        assert [problem["path"] for problem in json.loads(local.stdout)["problems"]] == [
            os.path.join(".", "old", "copy.md") if walk else os.path.join("old", "copy.md")]
        run = lint_paths(paths, config, client=cluster, walk=walk)
        assert run.report("json") == local.stdout


def test_the_archive_report_too(archive: Path, cluster: Any) -> None:
    import re

    def page(*arguments: str) -> str:
        run = run_cliplint("--no-cache", "--format", "html", *arguments, ".", cwd=archive)
        assert run.status == 1, run.stderr
        return re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "TIME", run.stdout)

    local = page()
    assert "37 files checked" in local
    assert page("--scheduler", cluster.scheduler.address) == local


@pytest.mark.parametrize("scheduler", ["processes", "cluster"])
def test_an_s3_prefix_gives_the_local_report(archive: Path, s3: dict[str, Any], cluster: Any,
                                             local_report: str, scheduler: str) -> None:
    address = cluster.scheduler.address if scheduler == "cluster" else "processes"
    run = lint(archive, "--scheduler", address, "--batch-size", "5", "s3://clippings/")
    assert (run.status, run.stderr) == (1, "")
    assert "s3://clippings/feed/sub/deeper/a [1] *.md" in run.stdout
    assert local_spelling(run.stdout, "s3://clippings/") == local_report


def test_storage_options_on_the_command_line(archive: Path, cluster: Any, s3: dict[str, Any],
                                             local_report: str) -> None:
    """Without the endpoint in the environment, --storage-options reaches the listing on
    the client and the reads on the workers (which have a wrong endpoint here)."""
    options = json.dumps({"endpoint_url": s3["endpoint"]})
    env = {"AWS_ENDPOINT_URL": "http://127.0.0.1:9"}
    run = lint(archive, "--storage-options", options, "s3://clippings/", env=env)
    assert run.status == 1, run.stderr
    assert local_spelling(run.stdout, "s3://clippings/") == local_report
    # (one attempt, as in test_unreachable_endpoint_is_exit_2: botocore's retries of a
    # refused connection took 6 s and say nothing more)
    wrong = lint(archive, "s3://clippings/", env={**env, "AWS_MAX_ATTEMPTS": "1"})
    assert wrong.status == 2 and "cannot reach s3://clippings/" in wrong.stderr


def test_a_file_url_gives_the_local_report(archive: Path, cluster: Any,
                                           local_report: str) -> None:
    url = archive.as_uri() + "/"
    run = lint(archive, "--scheduler", cluster.scheduler.address, url)
    assert run.status == 1, run.stderr
    assert local_spelling(run.stdout, url) == local_report


def test_a_manifest_lists_what_to_lint(archive: Path, s3: dict[str, Any], cluster: Any,
                                       tmp_path: Path) -> None:
    manifest = tmp_path / "paths.txt"
    lines = ["s3://clippings/feed/01.md", "", "feed/01.md", "s3://clippings/feed/missing.md",
             "feed/missing.md", "s3://clippings/feed/huge.md", "s3://clippings/feed/empty.md"]
    manifest.write_text("\n".join(lines) + "\n", encoding="utf-8")
    run = lint(archive, "--scheduler", cluster.scheduler.address, "--paths-from",
               str(manifest))
    assert run.status == 1, run.stderr
    report = json.loads(run.stdout)
    assert report["files_checked"] == 6  # the blank line is no file
    found = [(problem["path"], problem["rule"], problem["message"])
             for problem in report["problems"]]
    order = list(dict.fromkeys(path for path, _, _ in found))
    assert order[:3] == ["s3://clippings/feed/01.md", "feed/01.md",
                         "s3://clippings/feed/missing.md"]
    assert ("s3://clippings/feed/missing.md", "file-unreadable",
            "cannot read: no such object") in found
    assert ("feed/missing.md", "file-unreadable",
            "cannot read: No such file or directory") in found
    size = (archive / "feed/huge.md").stat().st_size  # read past the limit, not whole
    assert ("s3://clippings/feed/huge.md", "file-too-large",
            f"file is {size:,} bytes, over max-file-size (3,000); skipped") in found
    object_problems = [(rule, message) for path, rule, message in found
                       if path == "s3://clippings/feed/01.md"]
    file_problems = [(rule, message) for path, rule, message in found if path == "feed/01.md"]
    assert object_problems and file_problems == [*object_problems, (
        "duplicate-clipping", "same article URL")]  # the archive holds both
    [duplicate] = [problem for problem in report["problems"]
                   if problem["rule"] == "duplicate-clipping"]
    assert duplicate["related"] == [{"path": "s3://clippings/feed/01.md",
                                     "message": "duplicate of"}]
    # From standard input, with the default scheduler.
    piped = run_cliplint("--no-cache", "--format", "json", "--paths-from", "-", cwd=archive,
                         stdin=manifest.read_bytes())
    assert piped.stdout == run.stdout


def test_credentials_refused_are_the_runs_not_each_files(
        archive: Path, s3: dict[str, Any], cluster: Any, tmp_path: Path,
        credentials_checked: dict[str, str]) -> None:
    """A manifest's objects read with credentials the endpoint refuses were each a
    file-unreadable problem, exit 1, as if every clipping were broken: the refusal is
    the run's, exit 2, as a listing's is. What the request for one object meets is still
    that file's problem: an object the user may not read, an object that is not there."""
    manifest = tmp_path / "paths.txt"
    manifest.write_text("s3://clippings/feed/01.md\ns3://clippings/feed/02.md\n"
                        "s3://clippings/feed/missing.md\n", encoding="utf-8")
    reader = credentials_checked
    run = lint(archive, "--paths-from", str(manifest), env=reader)
    assert run.status == 1, run.stderr
    unreadable = {problem["path"]: problem["message"]
                  for problem in json.loads(run.stdout)["problems"]
                  if problem["rule"] == "file-unreadable"}
    assert unreadable == {"s3://clippings/feed/02.md": "cannot read: Access Denied",
                          "s3://clippings/feed/missing.md": "cannot read: no such object"}

    unknown_key = ("credentials refused (InvalidAccessKeyId): The AWS Access Key Id you "
                   "provided does not exist in our records.")
    wrong_secret = ("credentials refused (SignatureDoesNotMatch): The request signature we "
                    "calculated does not match the signature you provided. Check your key "
                    "and signing method.")
    unknown = {**reader, "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE"}
    for env, said in ((unknown, unknown_key),
                      ({**reader, "AWS_SECRET_ACCESS_KEY": "not-the-secret"}, wrong_secret)):
        run = lint(archive, "--paths-from", str(manifest), env=env)
        assert (run.status, run.stdout) == (2, ""), run.stderr
        assert run.stderr == f"cliplint: error: cannot read s3://clippings/feed/01.md: {said}\n"
    # The cluster's workers read with the module's credentials, unknown to the server now
    # (a failed batch is tried again, and fails again).
    run = lint(archive, "--scheduler", cluster.scheduler.address, "--paths-from",
               str(manifest))
    assert (run.status, run.stdout) == (2, ""), run.stderr
    assert run.stderr == f"cliplint: error: cannot read s3://clippings/feed/01.md: {unknown_key}\n"
    # A listing names the cause too.
    run = lint(archive, "s3://clippings/", env=unknown)
    assert (run.status, run.stdout) == (2, ""), run.stderr
    assert run.stderr == f"cliplint: error: cannot reach s3://clippings/: {unknown_key}\n"


def test_an_archived_object_is_its_files_problem_not_the_runs(
        archive: Path, s3: dict[str, Any], cluster: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """An object in S3 Glacier or Deep Archive that is not restored, which S3 will not
    read (403 InvalidObjectState), is that file's file-unreadable problem saying so and
    what to do, on the local workers, on the cluster and through the library; the
    other objects are linted as in a bucket without it. Restored, it is read."""
    import boto3

    from cliplint.config import load_config_file
    from cliplint.dask import lint_paths

    client = boto3.client("s3", endpoint_url=s3["endpoint"])
    good = {f"feed/{path.name}": path.read_bytes()
            for path in sorted((archive / "feed").glob("0*.md"))}
    for bucket in ("warm", "cold"):
        client.create_bucket(Bucket=bucket)
        for key, content in good.items():
            client.put_object(Bucket=bucket, Key=key, Body=content)
    for key, storage_class in (("deep.md", "DEEP_ARCHIVE"), ("glacier.md", "GLACIER")):
        client.put_object(Bucket="cold", Key=key, StorageClass=storage_class,
                          Body=clipping("Archived", "not a url").encode())

    run = lint(archive, "s3://cold/")
    assert (run.status, run.stderr) == (1, "")
    report = json.loads(run.stdout)
    assert report["files_checked"] == len(good) + 2
    unreadable = {problem["path"]: problem["message"] for problem in report["problems"]
                  if problem["rule"] == "file-unreadable"}
    assert unreadable == {
        f"s3://cold/{key}": f"cannot read: the object is archived (storage class {name}) "
                            "and not restored (InvalidObjectState): restore it, or exclude it"
        for key, name in (("deep.md", "DEEP_ARCHIVE"), ("glacier.md", "GLACIER"))}
    warm = lint(archive, "s3://warm/")
    assert [problem for problem in report["problems"] if problem["path"] not in unreadable] \
        == json.loads(warm.stdout.replace("s3://warm/", "s3://cold/"))["problems"] != []
    assert lint(archive, "--scheduler", cluster.scheduler.address, "s3://cold/").stdout \
        == run.stdout
    monkeypatch.chdir(archive)
    library = lint_paths(["s3://cold/"], load_config_file(archive / "cliplint.toml"),
                         client=cluster)
    assert library.report("json") == run.stdout

    client.restore_object(Bucket="cold", Key="glacier.md", RestoreRequest={"Days": 1})
    restored = json.loads(lint(archive, "s3://cold/").stdout)["problems"]
    assert {problem["path"] for problem in restored
            if problem["rule"] == "file-unreadable"} == {"s3://cold/deep.md"}
    assert ("s3://cold/glacier.md", "title-link") in {
        (problem["path"], problem["rule"]) for problem in restored}


def test_the_library_streams_the_same_report(archive: Path, cluster: Any, local_report: str,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from cliplint.config import load_config_file
    from cliplint.dask import lint_paths

    monkeypatch.chdir(archive)
    config = load_config_file(archive / "cliplint.toml")
    run = lint_paths(["."], config, client=cluster, batch_size=3)
    assert run.report("json") == local_report
    assert run.stats.files == 37 and run.stats.linted == 37
    assert run.stats.batches == 13  # 37 files, three a batch
    assert len(run.stats.workers) == 2  # both workers had work


def test_the_cache_knows_objects_by_their_etag(archive: Path, cluster: Any, s3: dict[str, Any],
                                               tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from cliplint.config import load_config_file
    from cliplint.dask import lint_paths

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CLIPLINT_CACHE_DIR", str(tmp_path / "cache"))
    fs = s3["fs"]
    fs.mkdir("cached")
    fs.pipe({f"cached/{path.relative_to(archive).as_posix()}": path.read_bytes()
             for path in (archive / "feed").rglob("*") if path.is_file()})
    config = load_config_file(archive / "cliplint.toml")

    def run() -> tuple[str, Any]:
        started = lint_paths(["s3://cached/"], config, client=cluster, use_cache=True)
        return started.report("json"), started.stats

    cold, stats = run()
    assert stats.linted == 35 and stats.cache_hits == 0  # huge.md: too large by its listing
    warm, stats = run()
    assert warm == cold
    assert stats.linted == 0 and stats.batches == 0 and stats.cache_hits == 35
    fs.pipe_file("cached/feed/07.md", clipping("Story 7", "not a url").encode())
    changed, stats = run()
    assert stats.linted == 1 and stats.cache_hits == 34
    assert "s3://cached/feed/07.md" in changed and changed != cold


def test_progress_advances_by_completed_batches(cluster: Any, archive: Path) -> None:
    from cliplint.batches import Job, RunStats, _entry, _groups, _in_order, sources
    from cliplint.dask import DaskEngine
    from cliplint.linter import library_settings
    from cliplint.plugins import load_registry

    rules, settings = library_settings(None, None)
    job = Job(rules, settings, False, False, {}, load_registry().plugins)
    found = [_entry(source, None, rules, settings) for source in sources([str(archive)], settings, {})]
    steps: list[int] = []
    results = list(_in_order(_groups(iter(found), 5), DaskEngine(cluster), job, steps.append,
                             RunStats()))
    assert [entry.shown for entry, _ in results] == [entry.shown for entry in found]
    assert sorted(steps) == [2] + [5] * 7  # one step per batch as it completes


def test_a_worker_dying_costs_its_batch_only(archive: Path, cluster: Any,
                                             local_report: str,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from cliplint.config import load_config_file
    from cliplint.dask import lint_paths

    monkeypatch.chdir(archive)
    before = set(cluster.run(os.getpid).values())
    started = time.time()
    run = lint_paths(["."], load_config_file(archive / "cliplint.toml"), client=cluster,
                     batch_size=1)
    results = iter(run)
    first = next(results)
    victim = sorted(before)[0]
    os.kill(victim, signal.SIGKILL)  # mid-run: the other batches are queued or running
    rest = list(results)
    assert [first, *rest] and len([r for r in [first, *rest] if r.checked]) == 37
    cluster.wait_for_workers(2, timeout=180)  # the nanny starts a new one
    after = set(cluster.run(os.getpid).values())
    assert victim not in after
    # The report of those results is the local one: nothing lost, nothing twice.
    from cliplint.formats import RenderOptions
    from cliplint.formats.json_report import write_stream

    parts: list[str] = []
    write_stream(iter([first, *rest]), run.rules, RenderOptions(), parts.append)
    assert "".join(parts) == local_report
    assert run.stats.linted == 37  # each batch's result taken once

    def processing(dask_scheduler: Any) -> list[str]:
        return [str(entry[0]) for entry in dask_scheduler.transition_log
                if entry[2] == "processing" and entry[5] >= started]

    runs = [key for key in cluster.run_on_scheduler(processing) if "lint_batch" in key]
    # Run again: at most the batches in flight (the window: two for each worker), not
    # the run's; a result already fetched is never computed again.
    assert 37 <= len(runs) <= 37 + 4, runs


def test_fix_over_object_storage_is_refused(archive: Path, s3: dict[str, Any]) -> None:
    before = s3["fs"].cat_file("clippings/feed/no-blank.md")
    for flag in ("--fix", "--diff", "--fix-only"):
        run = run_cliplint(flag, "s3://clippings/feed/", cwd=archive)
        assert run.status == 2 and "Traceback" not in run.stderr
        assert "object storage, linted read-only" in run.stderr
    run = run_cliplint("--fix", "--scheduler", "dask", "feed", cwd=archive)
    assert run.status == 2 and "drop --scheduler" in run.stderr
    assert s3["fs"].cat_file("clippings/feed/no-blank.md") == before


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_unreachable_scheduler_is_exit_2(archive: Path) -> None:
    address = f"tcp://127.0.0.1:{free_port()}"
    run = lint(archive, "--scheduler", address, ".",
               env={"DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "1s"})
    assert run.status == 2 and "Traceback" not in run.stderr
    assert f"cannot reach the Dask scheduler at {address}" in run.stderr


@pytest.fixture
def not_a_scheduler() -> Iterator[tuple[str, list[bytes]]]:
    """A server on 127.0.0.1 that takes each connection, says ``answer`` (set by the
    test, through the list) and keeps it open: what the scheduler's dashboard port, or
    any other server, is to a Dask client."""
    listener = socket.create_server(("127.0.0.1", 0))
    said: list[bytes] = []
    held: list[socket.socket] = []

    def serve() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return  # closed: the test is over
            connection.sendall(said[0] if said else b"")
            held.append(connection)

    threading.Thread(target=serve, daemon=True).start()
    yield f"tcp://127.0.0.1:{listener.getsockname()[1]}", said
    listener.close()
    for connection in held:
        connection.close()


@pytest.mark.parametrize("answer, message", [
    # The dashboard's port (an HTTP server) waits for a request: Client() waited for ever.
    (b"", "no Dask scheduler answered at {address} within 2 s (is it the address of the "
          "scheduler, not of its dashboard?)"),
    # Other bytes were read as a frame's length: "internal error: MemoryError", exit 3.
    (b"HTTP/1.1 400 Bad Request\r\n\r\n", "cannot reach the Dask scheduler at {address}: it "
     "does not answer as a Dask scheduler (MemoryError)"),
])
def test_a_server_that_is_no_scheduler_is_exit_2(
        archive: Path, answer: bytes, message: str,
        not_a_scheduler: tuple[str, list[bytes]]) -> None:
    address, said = not_a_scheduler
    said.append(answer)
    run = lint(archive, "--scheduler", address, ".",
               env={"DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "1s"})
    assert (run.status, run.stdout) == (2, ""), run.stderr
    assert run.stderr == f"cliplint: error: {message.format(address=address)}\n"


@pytest.fixture
def lone_scheduler() -> Iterator[Any]:
    """A LocalCluster of no worker, in this process, on 127.0.0.1: a batch sent to it
    waits until the test ends it (or the scheduler)."""
    import logging

    # (dashboard_address=None gave the dashboard port 8787, on every interface)
    with distributed.LocalCluster(n_workers=0, processes=False, protocol="tcp",
                                  host="127.0.0.1", dashboard_address="127.0.0.1:0",
                                  silence_logs=logging.ERROR) as cluster:
        yield cluster


@pytest.mark.parametrize("end, message", [
    # The client cancels every future when its scheduler goes away: the cancelled
    # future's exception was taken for the batch ("internal error: AttributeError").
    pytest.param("close the scheduler", "lost the Dask scheduler at {address}: the "
                 "connection to it closed", id="scheduler-lost"),
    pytest.param("cancel the batch", "a batch was cancelled on the Dask scheduler at "
                 "{address} (unknown)", id="batch-cancelled"),
])
def test_a_batch_that_cannot_come_back_fails_the_run(
        lone_scheduler: Any, archive: Path, end: str, message: str) -> None:
    from cliplint.batches import Item, Job, RunFailed
    from cliplint.dask import DaskEngine
    from cliplint.linter import library_settings
    from cliplint.plugins import load_registry

    rules, settings = library_settings(None, None)
    job = Job(rules, settings, False, False, {}, load_registry().plugins)
    location = str(archive / "feed/02.md")
    address = lone_scheduler.scheduler_address
    with distributed.Client(address) as client:
        engine = DaskEngine(client)
        key = engine.submit([Item("feed/02.md", location, location)], job)
        if end == "close the scheduler":
            lone_scheduler.close()
        else:
            client.cancel([distributed.Future(key, client)])
        with pytest.raises(RunFailed) as failed:
            engine.next_done()
    assert str(failed.value) == message.format(address=address)


def test_a_scheduler_lost_while_waiting_for_workers_is_exit_2(
        archive: Path, lone_scheduler: Any) -> None:
    """The scheduler goes away as the command waits for its first worker (an OSError
    there was an internal error, exit 3)."""
    scheduler = lone_scheduler.scheduler
    identity = scheduler.handlers["identity"]
    # (closed from a thread of its own: the cluster's close waits for the scheduler's
    # loop, where the handler runs)
    closer = threading.Thread(target=lone_scheduler.close)

    def asked(n_workers: int = -1) -> dict[str, Any]:
        if n_workers == -1 and closer.ident is None:  # how many workers: the waiting asks
            closer.start()  # (a client starting asks for none)
        return dict(identity(n_workers=n_workers))

    scheduler.handlers["identity"] = asked
    address = lone_scheduler.scheduler_address
    run = lint(archive, "--scheduler", address, ".",
               env={"DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "1s"})
    assert closer.ident is not None, run.stderr
    closer.join()
    assert (run.status, run.stdout) == (2, ""), run.stderr
    lost = f"cliplint: error: lost the Dask scheduler at {address}: "
    # (the pending request's connection closed, or the next one found no one listening)
    assert run.stderr in {f"{lost}the connection to it closed\n",
                          f"{lost}Timed out trying to connect to {address} after 1 s\n"}


@pytest.mark.parametrize("url, message", [
    ("s3://no-such-bucket/", "path does not exist: s3://no-such-bucket/"),
    ("s3://clippings/no/such/prefix/", "path does not exist: s3://clippings/no/such/prefix/"),
    ("nosuchprotocol://x/", "cannot open nosuchprotocol://x/"),
])
def test_missing_storage_is_exit_2(archive: Path, s3: dict[str, Any], url: str,
                                   message: str) -> None:
    run = lint(archive, url)
    assert run.status == 2 and "Traceback" not in run.stderr
    assert message in run.stderr


def test_unreachable_endpoint_is_exit_2(archive: Path) -> None:
    pytest.importorskip("s3fs", reason="the s3 extra is not installed (pip install -e '.[s3]')")
    # Credentials of its own (the s3 fixture's are in the environment only when it ran
    # before): without any, botocore looks for them (the instance's metadata address
    # among them) and gives up before it tries the endpoint.
    run = lint(archive, "s3://clippings/",
               env={**CREDENTIALS, "AWS_ENDPOINT_URL": f"http://127.0.0.1:{free_port()}",
                    "AWS_MAX_ATTEMPTS": "1"})
    assert run.status == 2 and "Traceback" not in run.stderr
    assert "cannot reach s3://clippings/: Could not connect" in run.stderr


@pytest.mark.parametrize("arguments, message", [
    (["--storage-options", "{nope"], "--storage-options: not JSON"),
    (["--storage-options", "[1]"], "expected a JSON object"),
    (["--scheduler", "threads"], "expected processes, dask or an address"),
    (["--paths-from", "no-such-manifest.txt"], "cannot read the manifest no-such-manifest.txt"),
    (["--scheduler", "dask", "-"], "'-' (standard input) cannot be linted with --scheduler"),
    (["--paths-from", "-", "feed"], "on the command line or in --paths-from, not both"),
])
def test_bad_options_are_exit_2(archive: Path, arguments: list[str], message: str) -> None:
    run = lint(archive, *arguments)
    assert run.status == 2 and "Traceback" not in run.stderr
    assert message in run.stderr


def test_workers_with_other_plugins_are_refused() -> None:
    from cliplint.batches import Job, WorkerMismatch, lint_batch
    from cliplint.linter import library_settings

    rules, settings = library_settings(None, None)
    job = Job(rules, settings, False, False, {}, {"builtin": "cliplint 0.0.1"})
    with pytest.raises(WorkerMismatch, match=r"the client has builtin=cliplint 0\.0\.1"):
        lint_batch([], job)


def test_the_client_holds_a_window_not_the_run(cluster: Any, archive: Path) -> None:
    """How far the client reads ahead of the results it has given out is the same for
    200 files and for 2,000: what it holds does not grow with the run."""
    from cliplint.batches import Source, batched_results
    from cliplint.dask import DaskEngine
    from cliplint.linter import library_settings
    from cliplint.plugins import load_registry
    from cliplint.runner import RunOptions

    rules, settings = library_settings(None, ["title-link"])
    location = str(archive / "feed/02.md")

    def ahead(count: int) -> int:
        pulled = 0

        def found() -> Iterator[Source]:
            nonlocal pulled
            for n in range(count):
                pulled += 1
                yield Source(f"{n}.md", location, location)

        most = 0
        for given, _ in enumerate(batched_results(
                found(), rules, settings, RunOptions(), load_registry().plugins,
                DaskEngine(cluster), batch_size=10), 1):
            most = max(most, pulled - given)
        assert given == count
        return most

    # At most twice the window (two batches for each of the two workers) of batches sent
    # or done and waiting for the ones before them, and the batch being gathered: how
    # close to that depends on the workers' timing, not on the number of files.
    bound = (2 * (2 * 2) + 1) * 10
    assert ahead(200) <= bound and ahead(2000) <= bound


def test_an_objects_cache_entry_is_for_one_day(tmp_path: Path) -> None:
    """timestamp-comment compares with the run's day (an input): an object's cached result
    is keyed by it, as a local file's is, so tomorrow's run does not reuse today's."""
    from dataclasses import replace

    from cliplint.batches import Source, _entry
    from cliplint.linter import library_settings

    rules, settings = library_settings(None, None)

    class Cache:
        keys: ClassVar[list[str]] = []

        def get(self, key: str, shown: str) -> None:
            self.keys.append(key)

    source = Source("s3://b/a.md", "s3://b/a.md", "a.md", tag="etag-1", size=10)
    for day in ("2026-12-05", "2026-12-06", "2026-12-05"):
        _entry(source, Cache(), rules, replace(settings, inputs={"today": day}))
    today, tomorrow, again = Cache.keys
    assert today != tomorrow and today == again
