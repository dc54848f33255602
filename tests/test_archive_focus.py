"""Archive rules given a few files of an archive (pre-commit): the reduce step reduces
only what can reach the focused files, and the problems shown are exactly those of the
whole archive's reduce.

Shown, as cliplint.archive.reduce_archive filters: the problems about a focused file or
naming one. Each check compares, for many focus sets (seeded), the focused reduce so
filtered with the whole reduce (every file in focus) filtered the same way: same
problems, same related files, same order.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import ModuleType
from typing import Any, TypeVar

import pytest
from conftest import SHARED, record_calls, require_shared

from cliplint.document import Document
from cliplint.model import Problem, Rule
from cliplint.rule_io import ArchiveEntry, ArchiveViolation
from cliplint_rules import _similarity, duplicate_clipping as dc, path_portability as pp

CORPORA = SHARED / "corpus"


def defaults(rule: ModuleType, **options: Any) -> dict[str, Any]:
    return Rule.from_module(rule).default_options() | options


_Shown = TypeVar("_Shown", ArchiveViolation, Problem)


def shown(violations: Iterable[_Shown], focus: frozenset[str]) -> list[_Shown]:
    return [v for v in violations
            if v.path in focus or any(item.path in focus for item in v.related)]


def focused(entries: Sequence[ArchiveEntry], focus: Iterable[str]) -> list[ArchiveEntry]:
    chosen = frozenset(focus)
    return [ArchiveEntry(entry.path, entry.record, entry.path in chosen) for entry in entries]


def whole(rule: ModuleType, entries: Sequence[ArchiveEntry],
          options: Mapping[str, Any]) -> list[ArchiveViolation]:
    """The reduce of the whole archive: every file in focus."""
    return list(rule.reduce(focused(entries, (entry.path for entry in entries)), options))


def assert_focus_changes_nothing(rule: ModuleType, entries: Sequence[ArchiveEntry],
                                 options: Mapping[str, Any],
                                 everything: Sequence[ArchiveViolation],
                                 focus_sets: Iterable[Iterable[str]]) -> int:
    """Each focus set's shown problems are those of ``everything`` (the whole reduce);
    returns how many shown problems were compared (comparing nothing proves nothing)."""
    compared = 0
    for focus_set in focus_sets:
        focus = frozenset(focus_set)
        expected = shown(everything, focus)
        assert shown(rule.reduce(focused(entries, focus), options), focus) == expected, (
            sorted(focus)[:5])
        compared += len(expected)
    return compared


def focus_sets(paths: Sequence[str], violations: Sequence[ArchiveViolation],
               seed: int, random_sets: int = 12, alone: int = 120) -> list[list[str]]:
    """Files a problem is about or names, alone (all of them, or ``alone`` at random);
    a few of them together; none; all; and random sets of one to a twentieth of the files."""
    rng = random.Random(seed)
    named = sorted({v.path for v in violations} | {r.path for v in violations for r in v.related})
    sets = [[path] for path in rng.sample(named, min(alone, len(named)))] + [[], list(paths)]
    sets += [rng.sample(named, min(len(named), size)) for size in (2, 3, 5) for _ in range(3)]
    for _ in range(random_sets):
        size = rng.choice([1, 1, 2, 3, 8, max(1, len(paths) // 20)])
        sets.append(rng.sample(list(paths), size))
    return sets


# -- duplicate-clipping: hand-made archives -------------------------------------------------

WORDS = ("harbour storm council vote budget ferry strike border court river school market "
         "election museum bridge railway 港口 风暴 议会 投票 预算 渡轮 罢工 边境 法院 河流 学校").split()


def _sentence(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 9))).capitalize() + "."


def _retitled(title: str, rng: random.Random) -> str:
    words = title.split()
    words[rng.randrange(len(words))] = rng.choice(WORDS)
    return " ".join(words)


def _text(title: str, url: str, sentences: Sequence[str], stamp: int | None) -> str:
    head = f"<!--{stamp}-->\n" if stamp is not None else ""
    body = "".join(f"<p>{sentence}</p>" for sentence in sentences)
    return f"{head}[{title}]({url})\n------\n\n{body}\n"


def made_archive(seed: int, size: int = 160) -> dict[str, str]:
    """Clippings of a few dozen stories, many of them copied: under the same URL (with
    tracking parameters), the same numeric id in another folder or in a mirror, retitled
    a word at a time, edited a sentence at a time (chains of near copies), numbered
    episodes, one body under many titles (templates); some without a timestamp."""
    rng = random.Random(seed)
    folders = ["a", "b", "B", "c/d", "_posts", "archived/2020-07-01", "archived/2020-07-02"]
    stories: list[tuple[str, str, list[str], int]] = []  # title, url, sentences, id
    texts: dict[str, str] = {}
    template = [_sentence(rng) for _ in range(6)]
    while len(texts) < size:
        choice = rng.random()
        if not stories or choice < 0.3:
            title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 7)))
            story = (title, f"https://news.example.org/{len(stories)}/a.html",
                     [_sentence(rng) for _ in range(rng.randint(2, 10))], 1000 + len(stories))
        else:
            title, url, sentences, number = rng.choice(stories[-12:])  # recent: chains
            sentences = list(sentences)
            if rng.random() < 0.5:
                del sentences[rng.randrange(len(sentences))]
            if rng.random() < 0.5:
                sentences.insert(rng.randrange(len(sentences) + 1), _sentence(rng))
            if rng.random() < 0.4:
                title = _retitled(title, rng)
            if rng.random() < 0.1:
                title, sentences = f"{title} episode {rng.randint(1, 3)}", template
            if rng.random() < 0.5:
                url = rng.choice([f"{url}?utm_source=rss", f"https://mirror.example.net/{number}",
                                  f"https://news.example.org/{len(texts)}/b.html"])
            if rng.random() < 0.3:
                number = rng.randint(1000, 1000 + len(stories))
            story = (title, url, sentences or [_sentence(rng)], number)
        stories.append(story)
        title, url, sentences, number = story
        stamp = rng.choice([None, 1594000000000 + rng.randrange(50) * 1000])
        name = f"{number}_{rng.choice(['x', 'y', 'z'])}.md"
        texts.setdefault(f"{rng.choice(folders)}/{name}", _text(title, url, sentences, stamp))
    return texts


def records(texts: Mapping[str, str]) -> list[ArchiveEntry]:
    options = defaults(dc)
    return [ArchiveEntry(path, dc.record(Document.from_text(text, path), options))
            for path, text in texts.items()]


OPTION_SETS = [
    {},
    {"templates": True},
    {"templates": True, "title-similarity": 0.6, "near-similarity": 0.5, "min-body-length": 20},
    {"kinds": ["body", "near"], "title-similarity": 0.5},
    {"mirrors": [["_posts", "archived/*"]], "kinds": ["id", "near"]},
]


@pytest.fixture(scope="module")
def made() -> list[list[ArchiveEntry]]:
    return [records(made_archive(seed)) for seed in range(3)]


def test_duplicates_of_focused_videos_are_those_of_the_whole_archive(
        reaches: list[bool]) -> None:
    """The same where the URLs are YouTube videos (``distinct-items``): a story's page is
    a video (two URL forms of it, one id), a re-scrape under a page of its own is another
    video, never the same by body; the focused reduces agree with the whole one."""
    compared = kept_apart = 0
    for seed in range(3):
        texts = {path: re.sub(r"https://news\.example\.org/(\d+)/([ab])\.html",
                              lambda found: (f"https://www.youtube.com/watch?v=v{found[1]}"
                                             if found[2] == "a"
                                             else f"https://youtu.be/v{found[1]}"), text)
                 for path, text in made_archive(seed).items()}
        entries = records(texts)
        options = defaults(dc)
        everything = whole(dc, entries, options)
        kept_apart += len(whole(dc, entries, defaults(dc, **{"distinct-items": []}))) \
            - len(everything)
        compared += assert_focus_changes_nothing(dc, entries, options, everything,
                                                 focus_sets([entry.path for entry in entries],
                                                            everything, seed, alone=60))
    assert compared > 100 and kept_apart > 5, (compared, kept_apart)
    assert len(reaches) > 100 and sum(reaches) * 5 < len(reaches), (sum(reaches), len(reaches))


def test_a_channels_videos_under_one_title_are_not_compared_pairwise(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A channel's Shorts: one title, one description, each its own video. Each is tried
    against the clippings naming its video or none, not against every other video (800
    of them asked the titles of 320,000 pairs)."""
    body = "The channel's description under every video, word for word. " * 3
    texts = {f"shorts/{n:04d}.md": _text("#newyear", f"https://www.youtube.com/shorts/v{n}",
                                         [body], 1594000000000 + n * 86_400_000)
             for n in range(800)}
    entries = records(texts)
    asked = record_calls(monkeypatch, dc._TitleAgreement, "agree")
    assert whole(dc, entries, defaults(dc)) == []
    assert len(asked) < 3 * len(entries), len(asked)


@pytest.fixture
def reaches(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Per focused reduce, whether its reach was too wide (the whole archive reduced)."""
    too_wide: list[bool] = []
    reach = dc._Reach

    def counted(*arguments: Any) -> dc._Reach:
        try:
            made = reach(*arguments)
        except dc._TooWide:
            too_wide.append(True)
            raise
        too_wide.append(False)
        return made

    monkeypatch.setattr(dc, "_Reach", counted)
    return too_wide


@pytest.mark.parametrize("options", OPTION_SETS)
def test_duplicates_of_focused_clippings_are_those_of_the_whole_archive(
        made: list[list[ArchiveEntry]], options: dict[str, Any], reaches: list[bool]) -> None:
    compared = 0
    for seed, entries in enumerate(made):
        full_options = defaults(dc, **options)
        everything = whole(dc, entries, full_options)
        paths = [entry.path for entry in entries]
        compared += assert_focus_changes_nothing(dc, entries, full_options, everything,
                                                 focus_sets(paths, everything, seed, alone=60))
    assert compared > 100
    # The focused reduce was what was compared: most reaches were not too wide (up to 27
    # of 243 are, by option set: the sets of eight files at random, mostly).
    assert len(reaches) > 200 and sum(reaches) * 5 < len(reaches), (sum(reaches), len(reaches))


def test_the_reach_of_an_id_holds_its_page_s_other_clippings() -> None:
    """Whether a page two clippings of one number share is a feed's is known from every
    clipping linking it (three titles): those are in reach, with ``kinds = ["id"]`` too."""
    section = "https://x.org/news"
    texts = {f"2023/06/14_{name}.md": _text(name.title(), section, [f"{name} news."] * 2, 1)
             for name in ("bridge", "budget")}
    texts["2023/06/15_ferry.md"] = _text("Ferry", section, ["Ferries run again."], 2)
    texts.update({f"2023/07/{n:02d}_x.md": _text(f"Item {n}", f"https://x.org/{n}", ["x."], 3)
                  for n in range(8)})
    entries = records(texts)
    options = defaults(dc, kinds=["id"])
    assert whole(dc, entries, options) == []
    assert list(dc.reduce(focused(entries, ["2023/06/14_budget.md"]), options)) == []


def test_odd_records_and_unfocused_archives() -> None:
    """Files without a record, and a record whose title holds a line break (no title
    record() makes does), change nothing; with no file in focus, nothing is shown."""
    entries = records(made_archive(7, 40))
    odd = {**entries[0].record, "title": entries[0].record["title"][:4] + "\n"}
    entries += [ArchiveEntry("x/none.md", None), ArchiveEntry("x/list.md", [1]),
                ArchiveEntry("x/odd.md", odd)]
    options = defaults(dc, templates=True)
    assert list(dc.reduce(focused(entries, []), options)) == []
    everything = whole(dc, entries, options)
    assert assert_focus_changes_nothing(dc, entries, options, everything,
                                        [["x/none.md"], ["x/odd.md"],
                                         ["x/none.md", entries[0].path]]) > 0


# -- the mechanism: what a focused reduce leaves alone ----------------------------------------


def _copies(entries: Sequence[ArchiveEntry], times: int) -> list[ArchiveEntry]:
    """The archive ``times`` over, each copy in a folder of its own (as benchmarks/run.py's
    pre-commit archive)."""
    return [entry._replace(path=f"copy{n}/{entry.path}") for n in range(times)
            for entry in entries]


@pytest.fixture
def unpacked(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The sketches the reduce decodes."""
    return record_calls(monkeypatch, dc, "_unpack", lambda sketch: sketch)


def test_a_focused_reduce_decodes_only_the_bodies_in_reach(
        made: list[list[ArchiveEntry]], unpacked: list[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    entries = _copies(made[0], 20)
    options = defaults(dc)
    everything = whole(dc, entries, options)
    decoded = len(unpacked)
    target = next(v.path for v in everything if v.path.startswith("copy3/"))

    def no_join(*arguments: object) -> None:
        raise AssertionError("the title join ran over the whole archive")

    monkeypatch.setattr(dc, "_similar_titles", no_join)
    unpacked.clear()
    found = shown(dc.reduce(focused(entries, [target]), options), frozenset([target]))
    assert found == shown(everything, frozenset([target])) != []
    assert len(unpacked) * 10 < decoded, (len(unpacked), decoded)


def test_a_reach_too_wide_reduces_the_whole_archive(made: list[list[ArchiveEntry]],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    joins = record_calls(monkeypatch, dc, "_similar_titles")
    monkeypatch.setattr(dc, "_MAX_SCANS", 0)
    entries = made[1]
    options = defaults(dc, templates=True)
    everything = whole(dc, entries, options)
    sets = focus_sets([entry.path for entry in entries], everything, 1, random_sets=3)
    joins.clear()
    assert assert_focus_changes_nothing(dc, entries, options, everything, sets) > 10
    assert len(joins) == sum(len(set(s)) > 0 for s in sets)  # each reduced it all


def test_a_template_body_under_many_clippings_is_too_wide() -> None:
    """A focused clipping whose body is a template under a third of the archive (three
    titles: a title search each) reaches too much of it: the whole archive is reduced
    (the same problems)."""
    rng = random.Random(11)
    template = [_sentence(rng) for _ in range(6)]
    texts = made_archive(12, 200)
    texts |= {f"t/t{n}.md": _text(f"video {'abc'[n % 3]}", f"https://t.org/{n}", template,
                                   1594000000000 + n) for n in range(100)}
    entries = records(texts)
    options = defaults(dc, templates=True)
    with pytest.raises(dc._TooWide):
        dc._Reach(focused(entries, ["t/t0.md"]), options)
    dc._Reach(focused(entries, ["t/t0.md"]), defaults(dc))  # without templates: in reach
    everything = whole(dc, entries, options)
    assert assert_focus_changes_nothing(dc, entries, options, everything,
                                        [["t/t0.md"], ["t/t50.md"]]) > 0


def test_titles_are_searched_only_for_bodies_and_templates(
        made: list[list[ArchiveEntry]], monkeypatch: pytest.MonkeyPatch) -> None:
    """Comparing URLs and ids alone, a focused reduce makes no title search, and so
    stays focused though a title holds a line break."""
    entries = [*made[0], ArchiveEntry("x/odd.md", {**made[0][0].record, "title": "odd\n"})]

    def no_search(*arguments: object) -> None:
        raise AssertionError("the titles were searched")

    monkeypatch.setattr(dc, "_TitleSearch", no_search)
    options = defaults(dc, kinds=["url", "id"])
    everything = whole(dc, entries, options)
    sets = focus_sets([entry.path for entry in entries], everything, 2, random_sets=4, alone=20)
    for focus_set in sets[:20]:
        assert dc._Reach(focused(entries, focus_set), options).similar_titles == set()
    assert assert_focus_changes_nothing(dc, entries, options, everything, sets) > 10


class _CountedList(list[Any]):
    """A list that counts the scans made of it."""

    scans = 0

    def index(self, *arguments: Any) -> int:
        self.scans += 1
        return super().index(*arguments)


def test_positions_scan_a_few_values_then_index_them_all() -> None:
    values = _CountedList(["a", None, "b", "a", "c", None] * 500 + [f"v{n}" for n in range(100)])
    positions = dc._Positions(values)
    asked = ["a", "a", None, "b", "absent", *(f"v{n}" for n in range(100)), "c", "absent"]
    for value in asked:
        assert positions(value) == [i for i, each in enumerate(values) if each == value], value
    # Each of the first few distinct values costs one scan per position and one to find
    # no more; the index answers every other value with no scan at all.
    scanned = list(dict.fromkeys(asked))[: dc._SCANS_BEFORE_INDEX]
    assert values.scans == sum(values.count(value) + 1 for value in scanned) == 2512


def chained_sets(rng: random.Random, count: int, *, letters: int, chained: float, recent: int,
                 largest: int, own: Callable[[int], set[int]] = lambda n: set(),
                 lone: Callable[[int], int] = lambda n: 0) -> list[frozenset[int]]:
    """``count`` sets of tokens similar in chains: each, with the odds ``chained``, a few
    tokens (below ``letters``) off one of the ``recent`` sets before it, else 1 to
    ``largest`` tokens drawn; with the tokens ``own(n)`` set ``n`` alone holds, and
    ``{lone(n)}`` when it would be empty."""
    sets: list[frozenset[int]] = []
    for n in range(count):
        if sets and rng.random() < chained:
            tokens = set(rng.choice(sets[-recent:]))
            tokens ^= {rng.randrange(letters) for _ in range(rng.randint(1, 3))}
        else:
            tokens = {rng.randrange(letters) for _ in range(rng.randint(1, largest))}
        tokens |= own(n)
        sets.append(frozenset(tokens) or frozenset({lone(n)}))
    return sets


@pytest.mark.parametrize("threshold", [0.3, 0.5, 0.7])
def test_join_partners_are_the_pairs_of_the_join(threshold: float) -> None:
    """For sets drawn to be similar in chains (each a few tokens off a recent one), the
    partners of each set are those similar_pairs pairs it with."""
    rng = random.Random(5)
    sets = chained_sets(rng, 300, letters=60, chained=0.8, recent=20, largest=12)
    paired: dict[int, set[int]] = {i: set() for i in range(len(sets))}
    for i, j, _ in _similarity.similar_pairs(sets, threshold):
        paired[i].add(j)
        paired[j].add(i)

    def similar(i: int) -> list[int]:
        return [j for j in range(len(sets))
                if j != i and _similarity.jaccard(sets[i], sets[j]) >= threshold]

    partners = _similarity.JoinPartners(similar, lambda i: (len(sets[i]), i))
    assert sum(map(len, paired.values())) > 100
    for i in rng.sample(range(len(sets)), len(sets)):  # in no particular order
        assert set(partners.of(i)) == paired[i], i


@pytest.mark.parametrize("threshold", [0.3, 0.5, 0.7])
def test_a_join_with_its_unshared_tokens_left_out_pairs_the_same_sets(threshold: float) -> None:
    """similar_pairs given each set without (some of) the tokens no other set holds, and
    their count (``alone``), pairs the sets as given whole, with the same similarity:
    whichever of those tokens are left out (the title join keeps those whose hash shares
    a count with another's)."""
    rng = random.Random(11)
    # Tokens of each set alone, some sets all of them.
    sets = chained_sets(rng, 400, letters=80, chained=0.7, recent=30, largest=10,
                        own=lambda n: {1000 + 100 * n + k
                                       for k in range(rng.choice([0, 0, 1, 3, 8]))},
                        lone=lambda n: 1000 + 100 * n)
    whole = list(_similarity.similar_pairs(sets, threshold))
    assert len(whole) > 100
    held = Counter(token for tokens in sets for token in tokens)
    for kept_share in (0.0, 0.5):
        given = [tuple(token for token in tokens if held[token] > 1 or rng.random() < kept_share)
                 for tokens in sets]
        alone = [len(tokens) - len(part) for tokens, part in zip(sets, given, strict=True)]
        assert sum(alone) > 200
        assert list(_similarity.similar_pairs(given, threshold, alone=alone)) == whole


# -- path-portability ---------------------------------------------------------------------------


def made_paths(seed: int, size: int = 300) -> list[str]:
    """Paths with the names path-portability reports: case and normalisation collisions of
    files and folders, a file named as a folder, forbidden characters, reserved names."""
    rng = random.Random(seed)
    parts = ["a", "A", "b", "B", "é", "e\u0301", "con", "x?", "y.", "z ", "deep", "Deep", "f"]
    paths: set[str] = set()
    while len(paths) < size:
        depth = rng.choice([1, 2, 2, 3, 3, 4])
        folders = [rng.choice(parts) for _ in range(depth - 1)]
        name = rng.choice([*parts, "note.md", "Note.md", "nul.md", "a|b.md"])
        paths.add("/".join([*folders, name]))
    paths.update(["../outside.md", "top.md"])
    return sorted(paths, key=lambda _: rng.random())


@pytest.mark.parametrize("seed", range(4))
def test_path_problems_of_focused_files_are_those_of_the_whole_archive(seed: int) -> None:
    entries = [ArchiveEntry(path, None) for path in made_paths(seed)]
    options = defaults(pp, **{"max-path-length": 12, "max-name-bytes": 5})
    everything = whole(pp, entries, options)
    paths = [entry.path for entry in entries]
    assert assert_focus_changes_nothing(pp, entries, options, everything,
                                        focus_sets(paths, everything, seed, 30)) > 100


def test_the_reach_of_a_deep_file_is_its_folders_files_and_first_files() -> None:
    """In each folder of a focused file's path: every file, and the first file under
    each folder in it; nothing else of the archive."""
    paths = []
    for folder in ["", "a/", "a/b/", "a/b/c/", "a/b/c/d/"]:
        paths += [f"{folder}f{n}.md" for n in range(5)]
        paths += [f"{folder}s{k}/{name}" for k in range(3)
                  for name in [*(f"g{n}.md" for n in range(10)), "t/h.md", "T/h.md"]]
    entries = [ArchiveEntry(path, None, path == "a/b/c/d/f2.md") for path in paths]
    reach = [entry.path for entry in pp._in_reach(entries)]
    folders = ["", "a", "a/b", "a/b/c", "a/b/c/d"]
    expected = {f"{folder}/f{n}.md".lstrip("/") for folder in folders for n in range(5)}
    expected |= {f"{folder}/s{k}/T/h.md".lstrip("/") for folder in folders for k in range(3)}
    assert sorted(reach) == sorted(expected) and len(reach) == 40 < len(paths) == 205


# -- the real corpora -------------------------------------------------------------------------


def corpus_entries(name: str) -> list[ArchiveEntry]:
    root = require_shared(CORPORA / name)
    return records({path.relative_to(root).as_posix():
                    path.read_text(encoding="utf-8", errors="surrogateescape")
                    for path in sorted(root.rglob("*.md"))})


@pytest.fixture(scope="module")
def corpora() -> dict[str, list[ArchiveEntry]]:
    return {name: corpus_entries(name) for name in ("oped2", "teahouse-dev")}


@pytest.mark.shared
@pytest.mark.parametrize(("name", "hits"), [("oped2", 66), ("teahouse-dev", 61)])
def test_corpus_duplicates_given_a_few_files(corpora: dict[str, list[ArchiveEntry]],
                                             name: str, hits: int) -> None:
    entries = corpora[name]
    paths = [entry.path for entry in entries]
    for options in (defaults(dc), defaults(dc, templates=True, **{"title-similarity": 0.5})):
        everything = whole(dc, entries, options)
        assert len(everything) >= hits
        assert assert_focus_changes_nothing(dc, entries, options, everything,
                                            focus_sets(paths, everything, 3, 6, alone=40)
                                            ) > len(everything)  # every file's set, and more


@pytest.mark.shared
@pytest.mark.parametrize("name", ["oped2", "teahouse-dev"])
def test_corpus_paths_given_a_few_files(corpora: dict[str, list[ArchiveEntry]],
                                        name: str) -> None:
    entries = corpora[name]
    options = defaults(pp, **{"max-path-length": 60})
    everything = whole(pp, entries, options)
    paths = [entry.path for entry in entries]
    assert assert_focus_changes_nothing(pp, entries, options, everything,
                                        focus_sets(paths, everything, 4, alone=60)) > 50


@pytest.mark.shared
def test_corpus_reduce_archive_given_a_few_files(
        corpora: dict[str, list[ArchiveEntry]]) -> None:
    """Through the engine (both archive rules, its filter and its order), on the two
    corpora side by side as one archive."""
    from cliplint.archive import ArchiveFile, archive_rules, reduce_archive
    from cliplint.linter import library_settings

    rules, settings = library_settings({"rules": {"duplicate-clipping": {"templates": True}}},
                                       None)
    files = [ArchiveFile(f"{name}/{entry.path}", f"{name}/{entry.path}",
                         {dc.ID: entry.record})
             for name, entries in corpora.items() for entry in entries]
    chosen = archive_rules(rules, settings)
    everything = reduce_archive(files, chosen, settings, "/archive")
    named = sorted({p.path for p in everything if p.rule == dc.ID})
    rng = random.Random(9)
    for focus_set in [named[:1], named[-3:], rng.sample(named, 8),
                      rng.sample([file.relative for file in files], 40)]:
        focus = frozenset(focus_set)
        expected = shown(everything, focus)
        assert reduce_archive(files, chosen, settings, "/archive", focus) == expected
        assert expected
