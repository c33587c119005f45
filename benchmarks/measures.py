"""The per-call, cold-start and plugin-count scaling measures.

Every figure is a median over interleaved rounds, every ratio the median of ratios
taken within one round (see :func:`bench_plugins.interleaved_ratios`).  The per-call
and scaling rounds run in several fresh interpreters and take the median over them
(see :mod:`benchmarks.workers`); their transport is a :class:`~bench_plugins.NullAdapter`,
so the figures are the libraries' own overhead, not the network's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Callable, Optional

import requests

from .bench_plugins import COLD_FLOOR, NullAdapter, cold_start
from .peers import ACCESS_TOKEN, BASELINE, OURS, Library, libraries
from .table import Row, judged
from .workers import in_workers

PER_CALL_TARGET = 1.03
COLD_TARGET = 1.10
SCALING_TARGET = 1.05
#: A second copy of the baseline, timed like a library: how far apart two identical
#: runs land in this very run (seen here: up to 3.5 % per call), the noise to read every
#: other ratio against.
CONTROL = "requests again (A/A control)"


def _check_attaches(session: requests.Session, name: str, header: str = "Authorization",
                    expected: str = f"Bearer {ACCESS_TOKEN}") -> None:
    """A session that sent no token would win every race: refuse to time it."""
    sent = session.get("https://www.googleapis.com/oauth2/v3/userinfo").request.headers
    if sent.get(header) != expected:
        raise RuntimeError(f"{name}: the request went out without {header}: {expected}")


def _mounted(sessions: dict[str, requests.Session]) -> dict[str, requests.Session]:
    for session in sessions.values():
        session.mount("https://", NullAdapter())
    return sessions


def per_call_sessions(names: Sequence[str] = ()) -> dict[str, requests.Session]:
    """The per-call measure's sessions (run in each worker): every installed library, or
    those ``names``, each checked to send its token, then the A/A control."""
    import oauth2_core

    oauth2_core.providers()  # ours with every installed plugin loaded
    libs = [lib for lib in libraries() if not names or lib.name in names]
    sessions = {lib.name: lib.api_session() for lib in libs}
    sessions[CONTROL] = BASELINE.api_session()
    for name, session in _mounted(sessions).items():
        _check_attaches(session, name)
    return sessions


def per_call(rounds: int, calls: int, workers: int = 1,
             libs: Optional[Sequence[Library]] = None) -> list[Row]:
    """Seconds per authenticated GET with a fresh token, each library against a plain
    ``requests.Session`` with a static header, in ``workers`` fresh interpreters."""
    import oauth2_core

    installed = len(oauth2_core.providers())
    libs = list(libs) if libs is not None else libraries()
    medians, ratios = in_workers("per-call", workers, rounds, calls,
                                 [lib.name for lib in libs], BASELINE.name)
    rows = []
    for lib in libs:
        ratio = ratios[lib.name]
        label = f"{lib.name} ({installed} providers)" if lib is OURS else lib.name
        target, verdict = ((f"≤ {PER_CALL_TARGET:.2f}", judged(ratio <= PER_CALL_TARGET))
                           if lib is OURS else ("", ""))
        rows.append(Row("per API call, null transport", label,
                        f"{medians[lib.name] * 1e6:.1f} µs", ratio, target, verdict))
    rows.append(Row("per API call, null transport", CONTROL,
                    f"{medians[CONTROL] * 1e6:.1f} µs", ratios[CONTROL]))
    return rows


def cold(pairs: int, libs: Optional[Sequence[Library]] = None) -> list[Row]:
    """A fresh interpreter importing each library and building a client, against
    ``python -c "import requests"``; plus the floor any entry-point-scanning pluggy
    host pays."""
    libs = list(libs) if libs is not None else libraries()
    codes = {lib.name: lib.cold_code for lib in libs}
    floor_name = "floor: requests + pluggy + entry_points()"
    codes[floor_name] = COLD_FLOOR
    codes[CONTROL] = BASELINE.cold_code + "  # again"  # the same work under another key
    medians, ratios = cold_start(pairs, list(dict.fromkeys(codes.values())))
    rows = []
    for name, code in codes.items():
        ratio = ratios[code]
        ours = name == OURS.name
        target, verdict = (f"≤ {COLD_TARGET:.2f}", judged(ratio <= COLD_TARGET)) if ours else (
            "", "")
        rows.append(Row("cold start: import + client", name, f"{medians[code] * 1e3:.1f} ms",
                        ratio, target, verdict))
    return rows


class SyntheticPlugin:
    """A provider plugin as the hook docs ask: it registers one provider and acts only
    for it (adding a header, as Twitch's ``Client-Id`` plugin does)."""

    def __init__(self, index: int) -> None:
        from oauth2_core import Provider, hookimpl

        self.provider = Provider(name=f"synthetic-{index}",
                                 authorize_url=f"https://synthetic-{index}.example/authorize",
                                 token_url=f"https://synthetic-{index}.example/token")

        @hookimpl
        def oauth2_register_providers(register: Callable[[Any], None]) -> None:
            register(self.provider)

        @hookimpl
        def oauth2_attach_credentials(provider: Any,
                                      request: requests.PreparedRequest) -> Optional[object]:
            if provider.name != self.provider.name:
                return None
            request.headers["X-Synthetic"] = provider.name
            return None  # the default plugin adds the Authorization header

        self.oauth2_register_providers = oauth2_register_providers
        self.oauth2_attach_credentials = oauth2_attach_credentials


def scaled_session(plugins: int) -> requests.Session:
    """A session of ``synthetic-0`` on a manager holding ``plugins`` synthetic plugins.

    synthetic-0's plugin is registered first, so pluggy's newest-first order would call
    every other plugin's hook before reaching it: the worst case for naive dispatch.
    """
    import oauth2_core

    pm = oauth2_core.make_plugin_manager(load_entrypoints=False)
    for index in range(plugins):
        pm.register(SyntheticPlugin(index), name=f"synthetic-{index}")
    client = oauth2_core.client("synthetic-0", client_id="bench", client_secret="s",
                                plugins=pm)
    return client.session(oauth2_core.Token(access_token=ACCESS_TOKEN, expires_in=3600))


def _scaling_name(plugins: int) -> str:
    return f"oauth2-core, {plugins} plugin{'s' if plugins > 1 else ''}"


def scaling_sessions(counts: Sequence[int]) -> dict[str, requests.Session]:
    """The scaling measure's sessions (run in each worker), each checked to send its
    token and its plugin's header."""
    sessions = _mounted({_scaling_name(n): scaled_session(n) for n in counts})
    for name, session in sessions.items():
        _check_attaches(session, name)
        _check_attaches(session, name, "X-Synthetic", "synthetic-0")
    return sessions


def scaling(counts: Sequence[int], rounds: int, calls: int, workers: int = 1) -> list[Row]:
    """Per-call cost with each number of registered provider plugins, against the first
    count (1 in a full run), in ``workers`` fresh interpreters."""
    medians, ratios = in_workers("scaling", workers, rounds, calls,
                                 [str(n) for n in counts], _scaling_name(counts[0]))
    rows = []
    for index, (name, median) in enumerate(medians.items()):
        ratio = ratios[name]
        target, verdict = ((f"≤ {SCALING_TARGET:.2f}", judged(ratio <= SCALING_TARGET))
                           if index else ("baseline", ""))
        rows.append(Row("per API call vs plugins registered", name, f"{median * 1e6:.1f} µs",
                        ratio, target, verdict))
    return rows
