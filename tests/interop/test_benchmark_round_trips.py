"""The benchmarks that talk to oidc-provider still run (``python -m benchmarks --only
tokens`` and the matching instruction count): one tiny round, checking each library got
its tokens and the rows' shape, never a timing."""

from __future__ import annotations

import importlib
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LIBRARIES = ["requests (baseline)", "oauth2-core", "requests-oauthlib", "Authlib",
             "requests-oauth2client"]


@pytest.fixture(scope="module")
def benchmarks():
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(ROOT))
        yield (importlib.import_module("benchmarks.interop"),
               importlib.import_module("benchmarks.instructions"),
               importlib.import_module("benchmarks.peers"))


def test_every_library_gets_tokens_in_a_worker_interpreter(benchmarks) -> None:
    interop, _, _ = benchmarks
    rows = interop.token_round_trips(rounds=1, tokens=2, workers=1)
    assert [row.library for row in rows] == [*LIBRARIES, "requests again (A/A control)"]
    assert all(row.ratio > 0 and row.value.endswith(" ms)") for row in rows)
    assert rows[0].ratio == 1.0 and rows[1].target.startswith("≥ fastest peer")


def test_client_instructions_per_token_from_the_server(benchmarks) -> None:
    _, instructions, peers = benchmarks
    if shutil.which("valgrind") is None:
        pytest.fail("valgrind is needed here (.ci/run installs it)")
    rows = instructions._interop_rows(2, [peers.BASELINE, peers.OURS])
    assert [row.library for row in rows] == ["requests (baseline)", "oauth2-core"]
    # Two tokens are too few for a steady figure (a full run counts 50): shape only.
    assert rows[0].ratio == 1.0 and rows[1].ratio > 0 and rows[1].value.endswith(" M")
