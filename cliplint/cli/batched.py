"""Beyond one machine: a lint run with --scheduler, of URLs, or of --paths-from's list
(cliplint/batches.py)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from cliplint.cli import UsageError
from cliplint.cli.context import WrittenFiles, local_file
from cliplint.cli.inputs import refuse_missing, standard_input, warn_if_none

if TYPE_CHECKING:
    from cliplint.batches import Source
    from cliplint.cli.context import RunContext
    from cliplint.runner import FileResult, RunOptions


def batched_results(run: RunContext, run_options: RunOptions) -> Iterator[FileResult]:
    """The results of a run on --scheduler's workers, then the archive rules'."""
    from cliplint.archive import archive_rules, with_archive_rules
    from cliplint.batches import (
        DEFAULT_BATCH_SIZE,
        RunFailed,
        archive_of,
        batched_results as lint_in_batches,
        manifest_sources,
        open_engine,
        read_manifest,
        sources,
    )

    options, registry, settings = run.options, run.registry, run.settings
    if options.paths_from and options.paths:
        raise UsageError("give the paths on the command line or in --paths-from, not both")
    paths = [] if options.paths_from else run.paths
    if "-" in paths:
        raise UsageError("'-' (standard input) cannot be linted with --scheduler")
    refuse_missing(path for path in paths if "://" not in path)
    storage = options.storage_options
    try:
        with open_engine(options.scheduler, run_options.jobs) as engine:
            reduced = bool(archive_rules(registry.rules, settings))
            # Filled as the files are found: by the walk of local folders, and by a look
            # at each local path given (a manifest's, once a path: only when the archive
            # rules, their only reader, run, as a manifest may list millions).
            links: set[str] = set()
            found = (manifest_sources(read_manifest(options.paths_from, standard_input),
                                      settings, links if reduced else None)
                     if options.paths_from else sources(paths, settings, storage, links))
            written = WrittenFiles.of(options)
            if written.files:
                found = _refused_if_written(found, written)
            results = lint_in_batches(found, registry.rules, settings, run_options,
                                      registry.plugins, engine, storage_options=storage,
                                      batch_size=options.batch_size or DEFAULT_BATCH_SIZE)
            if reduced:
                archive = archive_of(paths, settings, bool(options.paths_from), storage)
                results = with_archive_rules(results, registry.rules, settings, archive,
                                             run_options, registry.plugins, links)
            yield from warn_if_none(results, paths, settings)
    except RunFailed as error:
        raise UsageError(str(error)) from None


def _refused_if_written(found: Iterable[Source], written: WrittenFiles) -> Iterator[Source]:
    """``found``, refused (:class:`UsageError`) at a local file the run writes: a
    manifest's or a listing's files are known only as the run meets them."""
    for source in found:
        local = local_file(source.location)
        if local is not None:
            written.refuse(local, source.shown)
        yield source
