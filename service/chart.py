"""The rank history chart of a paper's page, laid out here (pure) and drawn by the
template as inline SVG: rank 1 at the top, one point per snapshot in snapshot order,
with an accessible text that says every point in words."""

from __future__ import annotations

from dataclasses import dataclass

from .model import RankEntry


@dataclass(frozen=True)
class ChartPoint:
    x: float
    y: float
    rank: int
    label: str  # "#5 on 2026-03-17"


@dataclass(frozen=True)
class RankChart:
    """An SVG line chart of rank over snapshots, laid out in a WIDTH x HEIGHT viewBox:
    rank 1 at the top, one point per snapshot, evenly spaced in snapshot order."""

    WIDTH = 640
    HEIGHT = 200
    LEFT, RIGHT, TOP, BOTTOM = 60, 20, 16, 36

    points: tuple[ChartPoint, ...]
    y_ticks: tuple[tuple[float, int], ...]  # (y, rank) of the rank axis labels
    x_labels: tuple[tuple[float, str, str], ...]  # (x, text, text-anchor) under the axis
    label: str  # the accessible text: every point, in words

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:g},{p.y:g}" for p in self.points)


def _axis_bottom(worst: int) -> int:
    """The rank at the bottom of the chart: a round number at or past the worst rank."""
    for bound in (5, 10, 20, 50, 100):
        if worst <= bound:
            return bound
    return -(-worst // 100) * 100


MAX_POINTS = 300  # a chart of a paper that trended for years stays a few hundred points


def downsampled(history: list[RankEntry], most: int = MAX_POINTS) -> list[RankEntry]:
    """At most `most` entries, evenly spread, the first and the last kept, and each kept
    entry the best-ranked of the run it stands for (a peak is never sampled away)."""
    if len(history) <= most:
        return history
    step = len(history) / most
    runs = [history[round(i * step):round((i + 1) * step)] for i in range(most)]
    kept = [min(run, key=lambda h: h.best_rank) for run in runs if run]
    kept[0], kept[-1] = history[0], history[-1]
    return kept


def rank_chart(history: list[RankEntry], max_listed: int = 20) -> RankChart:
    """The chart of `history` (in snapshot order; downsampled to MAX_POINTS). Pure:
    coordinates, rounded to tenths."""
    history = downsampled(history)
    c = RankChart
    plot_w = c.WIDTH - c.LEFT - c.RIGHT
    plot_h = c.HEIGHT - c.TOP - c.BOTTOM
    bottom = _axis_bottom(max((h.rank for h in history), default=1))

    def y_of(rank: int) -> float:
        return round(c.TOP + (rank - 1) / (bottom - 1) * plot_h, 1)

    count = len(history)
    points = tuple(ChartPoint(
        x=round(c.LEFT + (i * plot_w / (count - 1) if count > 1 else plot_w / 2), 1),
        y=y_of(h.rank), rank=h.rank, label=f"#{h.rank} on {h.list_date.isoformat()}")
        for i, h in enumerate(history))
    ticks = tuple((y_of(rank), rank) for rank in sorted({1, (bottom + 1) // 2, bottom}))
    x_labels: tuple[tuple[float, str, str], ...] = ()
    if count == 1:
        x_labels = ((points[0].x, history[0].list_date.isoformat(), "middle"),)
    elif count > 1:
        x_labels = ((points[0].x, history[0].list_date.isoformat(), "start"),
                    (points[-1].x, history[-1].list_date.isoformat(), "end"))
    lists = f"{count} list{'s' if count != 1 else ''}"
    if count <= max_listed:
        label = f"Rank over {lists}: " + ", ".join(p.label for p in points)
    else:
        best = min(points, key=lambda p: p.rank)
        label = (f"Rank over {lists}: {points[0].label} first, {points[-1].label} last, "
                 f"best {best.label}")
    return RankChart(points=points, y_ticks=ticks, x_labels=x_labels, label=label)
