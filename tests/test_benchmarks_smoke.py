"""``python -m benchmarks`` still runs: one tiny round of every measure that needs no
Node.js, checking the table's shape (never a timing: machines are noisy) and the one
behaviour a benchmark can prove, that oauth2-core sends a single refresh for a storm.

The peers (requests-oauthlib, Authlib, requests-oauth2client) come from
benchmarks/requirements.txt, which the test environment installs.
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]
LIBRARIES = ["requests (baseline)", "oauth2-core", "requests-oauthlib", "Authlib",
             "requests-oauth2client"]


@pytest.fixture(scope="module")
def bench() -> Iterator[dict[str, ModuleType]]:
    """The benchmark modules (``benchmarks`` lives at the repository root, outside the
    installed package)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(ROOT))
        yield {name: importlib.import_module(f"benchmarks.{name}") for name in
               ("measures", "storm", "token_overhead", "table", "peers", "__main__")}


def _libraries(rows: list) -> list[str]:
    return [row.library.split(" (")[0] if row.library.startswith("oauth2-core") else
            row.library for row in rows]


def test_every_peer_is_installed_for_the_comparison(bench) -> None:
    assert bench["peers"].missing_peers() == []


def test_per_call_has_a_positive_figure_for_every_library(bench) -> None:
    rows = bench["measures"].per_call(rounds=1, calls=3)
    assert _libraries(rows) == [*LIBRARIES, bench["measures"].CONTROL]
    assert all(row.ratio > 0 and row.value.endswith("µs") for row in rows)
    assert rows[0].ratio == 1.0  # the baseline
    ours = rows[1]
    assert ours.target == "≤ 1.03" and ours.verdict in ("ok", "MISSED")


def test_cold_start_runs_every_library_and_the_floor_in_fresh_interpreters(bench) -> None:
    rows = bench["measures"].cold(pairs=1)
    names = [row.library for row in rows]
    assert names[:len(LIBRARIES)] == LIBRARIES
    assert names[-2].startswith("floor:") and names[-1] == bench["measures"].CONTROL
    assert all(row.ratio > 0 and row.value.endswith("ms") for row in rows)


def test_a_refresh_storm_costs_oauth2_core_exactly_one_refresh(bench) -> None:
    storm = bench["storm"]
    rows = storm.storm(threads=4)
    assert _libraries(rows) == LIBRARIES
    assert rows[0].value.startswith("n/a")  # plain requests cannot renew
    assert storm.refresh_count(rows, "oauth2-core") == 1
    assert "4/4 calls OK" in rows[1].value and rows[1].verdict == "ok"
    for peer in LIBRARIES[2:]:
        count = storm.refresh_count(rows, peer)
        assert count is not None and count >= 1


def test_token_overhead_parses_a_token_in_every_library(bench) -> None:
    rows = bench["token_overhead"].token_overhead(rounds=1, fetches=2)
    assert _libraries(rows) == LIBRARIES
    assert all(row.ratio > 0 for row in rows)


def test_scaling_compares_plugin_counts_with_the_first(bench) -> None:
    rows = bench["measures"].scaling([1, 2], rounds=1, calls=3)
    assert [row.library for row in rows] == ["oauth2-core, 1 plugin", "oauth2-core, 2 plugins"]
    assert rows[0].ratio == 1.0 and rows[1].ratio > 0


def test_the_command_prints_one_markdown_table(bench, capsys) -> None:
    assert bench["__main__"].main(["--quick", "--only", "scaling"]) == 0
    lines = capsys.readouterr().out.splitlines()
    table = [line for line in lines if line.startswith("|")]
    assert table[0].split("|")[1].strip() == "measure"
    assert set(table[1]) <= {"|", "-"}
    assert len(table) == 2 + 4  # header, rule, one row per plugin count


def test_an_unknown_measure_is_refused(bench, capsys) -> None:
    with pytest.raises(SystemExit):
        bench["__main__"].main(["--only", "nope"])
    assert "unknown measure" in capsys.readouterr().err



def test_ratios_are_taken_within_each_round(bench) -> None:
    # One warm-up value each, then three rounds: the baseline was slow in round 1 and
    # the other timer in round 0, so paired ratios (3, 1, 1) give 1 where a ratio of
    # medians would give 1.5.
    base, other = iter([9.0, 1.0, 2.0, 4.0]), iter([9.0, 3.0, 2.0, 4.0])
    bench_plugins = importlib.import_module("benchmarks.bench_plugins")
    medians, ratios = bench_plugins.interleaved_ratios(
        {"base": lambda: next(base), "other": lambda: next(other)}, rounds=3,
        baseline="base")
    assert medians == {"base": 2.0, "other": 3.0}
    assert ratios == {"base": 1.0, "other": 1.0}


def test_callgrind_counts_instructions(bench) -> None:
    instructions = importlib.import_module("benchmarks.instructions")
    assert instructions.valgrind_missing() is None, "CI installs valgrind (.ci/run)"
    idle = instructions.count("pass")
    busy = instructions.count("sum(range(200000))")
    assert 0 < idle < busy


def test_instruction_rows_are_ratios_to_plain_requests(bench, monkeypatch) -> None:
    instructions = importlib.import_module("benchmarks.instructions")
    peers = bench["peers"]
    libs = [peers.BASELINE, peers.OURS]
    # Per-call scripts: 1000 instructions of start-up, then 100 (baseline) or 110 (ours)
    # per call; cold snippets: ours costs 1.25 times plain requests.
    per_call = {peers.BASELINE.name: 100, peers.OURS.name: 110}
    per_token = {peers.BASELINE.name: 200, peers.OURS.name: 190}
    from_server = {peers.BASELINE.name: 300, peers.OURS.name: 270}
    cold = {peers.BASELINE.cold_code: 400, peers.OURS.cold_code: 500}
    kinds = {"api": per_call, "token": per_token, "interop": from_server}

    def fake_count(code: str, *args: str) -> int:
        if args:
            library, calls, what, *url = args
            assert url == (["http://127.0.0.1:9/token"] if what == "interop" else [])
            return 1000 + kinds[what][library] * int(calls)
        return cold.get(code, 420)

    interop = importlib.import_module("benchmarks.interop")
    monkeypatch.setattr(instructions, "count", fake_count)
    monkeypatch.setattr(instructions, "run_python", lambda code: 0.0)
    monkeypatch.setattr(interop, "oidc_provider",
                        lambda: contextlib.nullcontext("http://127.0.0.1:9"))
    rows = {(row.measure, row.library.split(" (")[0]): row.ratio
            for row in instructions.instructions(calls=10, libs=libs)}
    assert rows[("instructions per API call", "oauth2-core")] == pytest.approx(1.1)
    assert rows[("instructions per client-credentials token", "oauth2-core")
                ] == pytest.approx(0.95)
    assert rows[("instructions per token from oidc-provider", "oauth2-core")
                ] == pytest.approx(0.9)
    assert rows[("instructions, cold start", "oauth2-core")] == pytest.approx(1.25)
    assert rows[("instructions, cold start", "floor: requests + pluggy + entry_points()")
                ] == pytest.approx(1.05)


def test_instructions_from_the_server_are_skipped_loudly_without_it(bench, monkeypatch,
                                                                   capsys) -> None:
    instructions = importlib.import_module("benchmarks.instructions")
    interop = importlib.import_module("benchmarks.interop")

    def unavailable() -> None:
        raise interop.ServerUnavailable("node is not installed")

    monkeypatch.setattr(interop, "oidc_provider", unavailable)
    [row] = instructions._interop_rows(1, [bench["peers"].BASELINE])
    assert row.value == interop.SKIPPED
    assert "SKIPPED: node is not installed" in capsys.readouterr().err


def test_each_round_starts_one_timer_later_so_none_runs_twice_in_a_row(bench) -> None:
    bench_plugins = importlib.import_module("benchmarks.bench_plugins")
    order: list[str] = []
    timers = {name: (lambda name=name: order.append(name) or 1.0) for name in "abc"}
    bench_plugins._rounds(timers, rounds=3)
    runs = order[3:]  # after one warm-up each
    assert runs == list("abcbcacab")
    assert all(first != second for first, second in zip(runs, runs[1:]))


@pytest.mark.parametrize("count", [1, 2, 5, 6])
def test_turn_orders_balance_place_and_predecessor(bench, count) -> None:
    interop = importlib.import_module("benchmarks.interop")
    orders = interop.balanced_orders(count)
    assert all(sorted(order) == list(range(count)) for order in orders)
    firsts = [order[0] for order in orders]
    assert all(firsts.count(item) == firsts.count(0) for item in range(count))
    pairs = [(a, b) for order in orders for a, b in zip(order, order[1:])]
    expected = pairs.count((0, 1)) if count > 1 else 0
    assert all(pairs.count((a, b)) == expected
               for a in range(count) for b in range(count) if a != b)


def test_token_round_trips_take_turns_token_by_token(bench) -> None:
    interop = importlib.import_module("benchmarks.interop")
    order: list[str] = []
    now = [0.0]
    # Each fetch of "b" takes 3 s, every other 1 s, on a clock only fetches move.
    fetchers = {name: (lambda name=name: order.append(name) or now.__setitem__(
        0, now[0] + (3.0 if name == "b" else 1.0))) for name in "abc"}
    results = interop.interleaved_tokens(fetchers, rounds=2, tokens=3,
                                         clock=lambda: now[0])
    turns = ["".join(order[i:i + 3]) for i in range(0, len(order), 3)]
    # Three names: six balanced orders, cycled through across rounds.
    assert turns == ["abc", "bca", "cab", "cba", "acb", "bac"]
    assert results == {"a": [1.0, 1.0], "b": [3.0, 3.0], "c": [1.0, 1.0]}


def test_a_figure_is_the_median_over_worker_processes(bench, monkeypatch) -> None:
    # Three workers, each with its own luck: paired ratios 1.0, 1.1 and 1.5 (their
    # rounds' medians); the figure is the middle worker's, not a pool of every round.
    workers = importlib.import_module("benchmarks.workers")
    results = iter([{"base": [1.0, 1.0, 1.0], "lib": [1.0, 0.9, 1.1]},
                    {"base": [2.0, 2.0, 2.0], "lib": [2.2, 2.2, 2.0]},
                    {"base": [1.0, 1.0, 1.0], "lib": [1.5, 1.5, 1.6]}])
    monkeypatch.setattr(workers, "_spawn", lambda *args: next(results))
    medians, ratios = workers.in_workers("per-call", 3, 3, 10, [], baseline="base")
    assert ratios == {"base": 1.0, "lib": pytest.approx(1.1)}
    assert medians == {"base": 1.0, "lib": 1.5}


def test_a_worker_times_the_sessions_it_is_asked_for_in_a_fresh_interpreter(bench) -> None:
    workers = importlib.import_module("benchmarks.workers")
    result = workers._spawn("scaling", 2, 3, ["1", "2"])
    assert list(result) == ["oauth2-core, 1 plugin", "oauth2-core, 2 plugins"]
    assert all(len(values) == 2 and min(values) > 0 for values in result.values())
    with pytest.raises(RuntimeError, match="unknown worker kind"):
        workers._spawn("nope", 1, 1, [])
