"""The rank history chart of a paper's page, laid out here (pure) and drawn by the
template as inline SVG: rank 1 at the top, one point per list day (the paper's best
rank that day, not the day's last list: a paper at #1 every morning that ends each day
at #8 is charted at #1), in history order, with an accessible text that says every
point in words."""

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
    """An SVG line chart of the best rank per day, laid out in a WIDTH x HEIGHT viewBox:
    rank 1 at the top, one point per day (or per run of days, downsampled), evenly
    spaced in history order."""

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
    """At most `most` entries, one per run of consecutive days, evenly spread: each the
    best-ranked day of its run, so no peak is sampled away (the first and the last run
    too: the axis names the history's first and last day, not these points)."""
    if len(history) <= most:
        return history
    step = len(history) / most
    runs = [history[round(i * step):round((i + 1) * step)] for i in range(most)]
    return [min(run, key=lambda h: h.best_rank) for run in runs if run]


def rank_chart(history: list[RankEntry], max_listed: int = 20) -> RankChart:
    """The chart of `history` (one entry per list day, in order; downsampled to
    MAX_POINTS). Pure: coordinates, rounded to tenths."""
    shown = downsampled(history)
    c = RankChart
    plot_w = c.WIDTH - c.LEFT - c.RIGHT
    plot_h = c.HEIGHT - c.TOP - c.BOTTOM
    bottom = _axis_bottom(max((h.best_rank for h in shown), default=1))

    def y_of(rank: int) -> float:
        return round(c.TOP + (rank - 1) / (bottom - 1) * plot_h, 1)

    def said(h: RankEntry) -> str:
        return f"#{h.best_rank} on {h.list_date.isoformat()}"

    count = len(shown)
    points = tuple(ChartPoint(
        x=round(c.LEFT + (i * plot_w / (count - 1) if count > 1 else plot_w / 2), 1),
        y=y_of(h.best_rank), rank=h.best_rank, label=said(h))
        for i, h in enumerate(shown))
    ticks = tuple((y_of(rank), rank) for rank in sorted({1, (bottom + 1) // 2, bottom}))
    x_labels: tuple[tuple[float, str, str], ...] = ()
    if count == 1:
        x_labels = ((points[0].x, history[0].list_date.isoformat(), "middle"),)
    elif count > 1:
        x_labels = ((points[0].x, history[0].list_date.isoformat(), "start"),
                    (points[-1].x, history[-1].list_date.isoformat(), "end"))
    days = len(history)
    heading = f"Best rank per day over {days} day{'s' if days != 1 else ''}"
    if days <= max_listed:
        label = f"{heading}: " + ", ".join(p.label for p in points)
    elif history:
        best = min(history, key=lambda h: h.best_rank)
        label = (f"{heading}: {said(history[0])} first, {said(history[-1])} last, "
                 f"best {said(best)}")
    else:
        label = heading
    return RankChart(points=points, y_ticks=ticks, x_labels=x_labels, label=label)
