"""Instruction counts under valgrind's callgrind, for the two in-process measures.

Wall-clock ratios on a shared 2-core machine move by a few per cent from run to run,
as much as the differences they measure.  Callgrind counts the instructions a process
executes: the same figure on a busy or an idle machine, for the same code and inputs.
It is not time (a cache miss costs more than an add), so the table reports both; this
one says how much work each library adds, the wall-clock one what that work costs.

- cold: instructions of ``python -c <snippet>`` (start-up included) per library, the
  same snippets as the wall-clock cold start, against ``import requests``.
- per call: instructions of N authenticated GETs through a null transport minus those of
  a run with no calls, divided by N, against a plain ``requests.Session``.
- per token: the same for N client-credentials token requests answered by the canned
  token response of the token-overhead measure, against ``requests.Session().post``.
- per token from oidc-provider: the same against the real server of the token round
  trips (the client's instructions only: the server is another process).  The round
  trips' wall-clock ratios put the libraries within a few per cent of one another, less
  than they move from run to run here; this row ranks the client work without noise.

Opt-in (``python -m benchmarks --only instructions``): it needs ``valgrind`` and takes a
few minutes, as a program runs some 50 times slower under it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Optional

from .bench_plugins import API_URL, COLD_FLOOR, bytecode_env, neutral_dir, run_python
from .peers import BASELINE, Library, libraries, loopback_http_allowed
from .table import Row

ROOT = Path(__file__).resolve().parents[1]
_REFS = re.compile(r"refs:\s+([\d,]+)")
#: argv[3] == "api": argv[2] authenticated GETs through a null transport with a session of
#: the library named in argv[1]; "token": argv[2] client-credentials tokens from a canned
#: token response; "interop": from the oidc-provider token endpoint at argv[4].  One of
#: each first: first-call set-up is not per-call cost.
_PER_CALL_SCRIPT = f"""
import sys
sys.path.append({str(ROOT)!r})  # for benchmarks/; the libraries come from site-packages
from benchmarks.bench_plugins import NullAdapter
from benchmarks.peers import libraries
from benchmarks.token_overhead import TOKEN_URL, CannedTokenAdapter
library = next(lib for lib in libraries() if lib.name == sys.argv[1])
if sys.argv[3] == "api":
    session = library.api_session()
    session.mount("https://", NullAdapter())
    def once():
        session.get({API_URL!r})
elif sys.argv[3] == "token":
    once, session = library.token_fetcher(TOKEN_URL, "bench", "s")
    session.mount("https://", CannedTokenAdapter())
else:
    from benchmarks.interop import CLIENT_ID, CLIENT_SECRET
    once, session = library.token_fetcher(sys.argv[4], CLIENT_ID, CLIENT_SECRET)
once()
for _ in range(int(sys.argv[2])):
    once()
"""


def valgrind_missing() -> Optional[str]:
    """Why the measure cannot run here, or None."""
    return None if shutil.which("valgrind") else "valgrind is not installed"


def count(code: str, *args: str) -> int:
    """Instructions ``python -c code *args`` executes, start-up included."""
    valgrind = shutil.which("valgrind") or "valgrind"
    done = subprocess.run(
        [valgrind, "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable,
         "-c", code, *args], capture_output=True, text=True, check=True, env=bytecode_env(),
        cwd=neutral_dir())
    match = _REFS.search(done.stderr)
    if match is None:
        raise RuntimeError(f"callgrind printed no instruction count: {done.stderr[-500:]}")
    return int(match.group(1).replace(",", ""))


def cold_counts(snippets: Sequence[str]) -> dict[str, int]:
    """Instructions per snippet in a fresh interpreter, bytecode already compiled."""
    for code in snippets:
        run_python(code)
    return {code: count(code) for code in snippets}


def per_call_count(library: str, calls: int, what: str = "api", *args: str) -> float:
    """Instructions one authenticated GET (``what="api"``) or one client-credentials
    token (``"token"``; ``"interop"``, from the token endpoint URL in ``args``) of
    ``library`` adds."""
    return (count(_PER_CALL_SCRIPT, library, str(calls), what, *args)
            - count(_PER_CALL_SCRIPT, library, "0", what, *args)) / calls


def instructions(calls: int, libs: Optional[Sequence[Library]] = None) -> list[Row]:
    """Both measures, as table rows (no targets: those are judged on time)."""
    missing = valgrind_missing()
    if missing:
        raise RuntimeError(f"the instructions measure needs valgrind: {missing}")
    libs = list(libs) if libs is not None else libraries()
    rows = []
    per_call = {lib.name: per_call_count(lib.name, calls) for lib in libs}
    for lib in libs:
        rows.append(Row("instructions per API call", lib.name,
                        f"{per_call[lib.name] / 1e6:.3f} M",
                        per_call[lib.name] / per_call[BASELINE.name]))
    per_token = {lib.name: per_call_count(lib.name, max(1, calls // 2), "token")
                 for lib in libs}
    for lib in libs:
        rows.append(Row("instructions per client-credentials token", lib.name,
                        f"{per_token[lib.name] / 1e6:.3f} M",
                        per_token[lib.name] / per_token[BASELINE.name]))
    rows += _interop_rows(max(1, calls // 10), libs)
    codes = {lib.name: lib.cold_code for lib in libs}
    codes["floor: requests + pluggy + entry_points()"] = COLD_FLOOR
    cold = cold_counts(list(dict.fromkeys(codes.values())))
    for name, code in codes.items():
        rows.append(Row("instructions, cold start", name, f"{cold[code] / 1e6:.1f} M",
                        cold[code] / cold[BASELINE.cold_code]))
    return rows


def _interop_rows(tokens: int, libs: Sequence[Library]) -> list[Row]:
    """Instructions per token from oidc-provider, or one loud skipped row without it."""
    from . import interop  # starts Node.js: only when this measure runs

    what = "instructions per token from oidc-provider"
    try:
        with interop.oidc_provider() as issuer, loopback_http_allowed():
            counts = {lib.name: per_call_count(lib.name, tokens, "interop", issuer + "/token")
                      for lib in libs}
    except interop.ServerUnavailable as exc:
        print(f"!!! {what} SKIPPED: {exc}", file=sys.stderr)
        return [Row(what, "all libraries", interop.SKIPPED)]
    return [Row(what, lib.name, f"{counts[lib.name] / 1e6:.3f} M",
                counts[lib.name] / counts[BASELINE.name]) for lib in libs]
