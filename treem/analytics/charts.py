"""Server-side charts for documents (PNG with matplotlib, no display needed)."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402

from .status import STATUS_COLOURS, STATUS_ORDER, Status  # noqa: E402

_SERIF = ["Times New Roman", "Liberation Serif", "DejaVu Serif"]


def _font_family() -> list[str]:
    names = {f.name for f in font_manager.fontManager.ttflist}
    return [n for n in _SERIF if n in names] or ["DejaVu Serif"]


def status_bar_png(
    counts: dict[str, int], title: str = "Số chỉ tiêu theo mức độ thực hiện", dpi: int = 200
) -> bytes:
    """Horizontal bars: how many target components are in each status (Vietnamese labels, status colours)."""
    labels = [str(Status(s).label) for s in STATUS_ORDER]
    values = [int(counts.get(str(s), 0)) for s in STATUS_ORDER]
    colours = [STATUS_COLOURS[s] for s in STATUS_ORDER]
    with plt.rc_context({"font.family": _font_family(), "font.size": 11}):
        fig, ax = plt.subplots(figsize=(6.3, 2.6), dpi=dpi)
        bars = ax.barh(labels[::-1], values[::-1], color=colours[::-1])
        for bar, v in zip(bars, values[::-1], strict=True):
            ax.text(
                bar.get_width() + max(values + [1]) * 0.01,
                bar.get_y() + bar.get_height() / 2,
                str(v),
                va="center",
                fontsize=11,
            )
        ax.set_xlim(0, max(values + [1]) * 1.12)
        ax.set_title(title, fontsize=12, fontweight="bold")
        ax.spines[["top", "right"]].set_visible(False)
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        plt.close(fig)
    return buf.getvalue()


def series_png(
    series: dict[str, list[tuple[str, float]]],
    milestone: float | None = None,
    title: str = "",
    unit_label: str = "",
    dpi: int = 150,
) -> bytes:
    """Line chart of values per period for a few units, with the milestone as a dashed line."""
    with plt.rc_context({"font.family": _font_family(), "font.size": 10}):
        fig, ax = plt.subplots(figsize=(6.3, 3.0), dpi=dpi)
        for name, points in series.items():
            if points:
                ax.plot([p for p, _ in points], [v for _, v in points], marker="o", label=name)
        if milestone is not None:
            ax.axhline(milestone, color="#c51b1b", linestyle="--", linewidth=1.2, label="Mốc kế hoạch")
        ax.set_title(title, fontsize=11, fontweight="bold")
        if unit_label:
            ax.set_ylabel(unit_label)
        ax.legend(fontsize=8, loc="best")
        ax.spines[["top", "right"]].set_visible(False)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        plt.close(fig)
    return buf.getvalue()
