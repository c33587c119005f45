"""The one table every measure reports into: ``measure | library | value | ratio |
target | verdict``, printed as Markdown so it can be pasted into the README."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Optional

HEADER = ("measure", "library", "value", "ratio", "target", "verdict")


@dataclasses.dataclass(frozen=True)
class Row:
    """One library's figure in one measure.

    :param ratio: cost relative to the measure's baseline (above 1: slower), or None
        where a ratio means nothing (a count, a skipped row).
    :param target: what oauth2-core must reach ("≤ 1.03"), empty for other rows.
    :param verdict: "ok" or "MISSED" against the target, empty without one.
    """

    measure: str
    library: str
    value: str
    ratio: Optional[float] = None
    target: str = ""
    verdict: str = ""


def judged(passed: bool) -> str:
    return "ok" if passed else "MISSED"


def _cells(row: Row) -> tuple[str, ...]:
    ratio = f"{row.ratio:.3f}" if row.ratio is not None else "—"
    return (row.measure, row.library, row.value, ratio, row.target, row.verdict)


def render(rows: Sequence[Row]) -> str:
    """A Markdown table with padded columns (readable in a terminal too)."""
    lines = [HEADER, *(_cells(row) for row in rows)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(HEADER))]

    def joined(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([joined(HEADER), rule, *(joined(line) for line in lines[1:])])
