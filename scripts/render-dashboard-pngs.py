#!/usr/bin/env python3
"""Renders the Grafana dashboard's panels from a Prometheus into PNG images, one per dashboard row,
laid out like the dashboard (Grafana itself is not installable here). The queries and template
variables are the dashboard's own, resolved as Grafana resolves them (scripts/dashboard_queries.py).

    .venv/bin/python3 scripts/render-dashboard-pngs.py --prometheus http://127.0.0.1:9090 --out docs/images

The end-to-end test runs it against its demo Prometheus with RENDER_DASHBOARD_PNGS=1.
Needs matplotlib and PyYAML."""

import argparse
import re
import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.ticker import FuncFormatter, MultipleLocator  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import dashboard_queries as dq  # noqa: E402
from prometheus_api import PrometheusAPI, Series  # noqa: E402

GRID_COLUMNS = 24
INCHES_PER_COLUMN = 0.75
INCHES_PER_GRID_ROW = 0.6
# Share of a time-series panel left under the plot for its legend (Grafana's table legend).
LEGEND_SHARE = 0.4
LEGEND_ENTRIES = 10
# Grafana's unit ids → (axis suffix, factor).
UNITS = {"mps": ("msg/s", 1), "mpm": ("msg/min", 1), "reqpm": ("req/min", 1), "cpm": ("/min", 1),
         "percentunit": ("%", 100), "s": ("s", 1), "short": ("", 1), "none": ("", 1)}
GRAFANA_COLORS = {"dark-red": "darkred", "green": "tab:green", "red": "tab:red", "yellow": "gold",
                  "orange": "tab:orange", "purple": "tab:purple", "blue": "tab:blue"}


def dashboard_rows(dashboard: dict) -> list[tuple[str, list[dict]]]:
    """(row title, its panels) in dashboard order; rows hold the panels that follow them."""
    rows: list[tuple[str, list[dict]]] = []
    for panel in dashboard["panels"]:
        if panel["type"] == "row":
            rows.append((panel["title"], list(panel.get("panels", []))))
        elif rows:
            rows[-1][1].append(panel)
        else:
            rows.append((dashboard["title"], [panel]))
    return rows


def value_mappings(panel: dict) -> dict[float, tuple[str, str]]:
    mappings = {}
    for mapping in panel["fieldConfig"]["defaults"].get("mappings", []):
        for value, result in mapping.get("options", {}).items():
            mappings[float(value)] = (result.get("text", value), GRAFANA_COLORS.get(result.get("color"), "grey"))
    return mappings


def thresholds(panel: dict) -> list[float]:
    steps = panel["fieldConfig"]["defaults"].get("thresholds", {}).get("steps", [])
    return [step["value"] for step in steps if step.get("value") is not None]


class Renderer:
    def __init__(self, prometheus: PrometheusAPI, values: dict[str, str], start: float, end: float, step: float):
        self.prometheus = prometheus
        self.values = values
        self.start, self.end, self.step = start, end, step

    def series(self, panel: dict, instant: bool) -> list[tuple[str, Series]]:
        result = []
        for target in panel["targets"]:
            expr = dq.substitute(target["expr"], self.values)
            found = (self.prometheus.query(expr, at=self.end) if instant
                     else self.prometheus.query_range(expr, self.start, self.end, self.step))
            result += [(item.legend(target.get("legendFormat")), item) for item in found]
        return sorted(result, key=lambda pair: pair[0])

    def draw(self, axes: Axes, panel: dict) -> None:
        axes.set_title(dq.substitute(panel["title"], self.values), fontsize=10, loc="left")
        kind = panel["type"]
        if kind == "timeseries":
            self.timeseries(axes, panel)
        elif kind == "state-timeline":
            self.state_timeline(axes, panel)
        else:
            self.instant_values(axes, panel)

    def timeseries(self, axes: Axes, panel: dict) -> None:
        defaults = panel["fieldConfig"]["defaults"]
        suffix, factor = UNITS.get(defaults.get("unit"), ("", 1))
        series = self.series(panel, instant=False)
        # The legend names the series that are not constantly 0 (at most LEGEND_ENTRIES), counts the rest.
        nonzero = [legend for legend, item in series if any(value for _, value in item.points)]
        listed = nonzero[:LEGEND_ENTRIES]
        for legend, item in series:
            # matplotlib leaves labels starting with "_" (like "_rawdata") out of its legends.
            label = (" " + legend if legend.startswith("_") else legend) if legend in listed else "_unlisted"
            axes.plot([t - self.end for t, _ in item.points], [v * factor for _, v in item.points], label=label, linewidth=1.2)
        for count, text in ((len(nonzero) - len(listed), "more series"), (len(series) - len(nonzero), "series at 0")):
            if count:
                axes.plot([], [], " ", label=f"{count} {text}")
        for threshold in thresholds(panel):
            axes.axhline(threshold * factor, color="tab:red", linestyle="--", linewidth=0.8)
        if "min" in defaults:
            axes.set_ylim(bottom=defaults["min"] * factor)
        if "max" in defaults:
            axes.set_ylim(top=defaults["max"] * factor * 1.05)
        axes.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g} {suffix}".strip()))
        self.time_axis(axes)
        axes.grid(alpha=0.3)
        if series:
            axes.legend(fontsize=7, loc="upper left", bbox_to_anchor=(0, -0.12), ncol=2, frameon=False)
        else:
            no_data(axes)

    def time_axis(self, axes: Axes) -> None:
        """Minutes before the end of the range, at whole minutes (half minutes for short ranges)."""
        span = self.end - self.start
        axes.xaxis.set_major_locator(MultipleLocator(60 * max(1, round(span / 60 / 6)) if span >= 180 else 30))
        axes.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v / 60:g}m" if v else "now"))
        axes.set_xlim(-span, 0)

    def state_timeline(self, axes: Axes, panel: dict) -> None:
        mappings = value_mappings(panel)
        series = self.series(panel, instant=False)
        for row, (legend, item) in enumerate(series):
            for (t, value), (next_t, _) in zip(item.points, item.points[1:] + [(item.points[-1][0] + self.step, 0)]):
                text, color = mappings.get(value, (f"{value:g}", "grey"))
                axes.broken_barh([(t - self.end, next_t - t)], (row - 0.4, 0.8), color=color)
            axes.text(0, row, f" {mappings.get(item.value, (f'{item.value:g}',))[0]}", va="center", fontsize=8)
        axes.set_yticks(range(len(series)), [legend for legend, _ in series], fontsize=8)
        self.time_axis(axes)
        if not series:
            no_data(axes)

    def instant_values(self, axes: Axes, panel: dict) -> None:
        """Stat and table panels: the latest value of each series, as a two-column table."""
        mappings = value_mappings(panel)
        suffix, factor = UNITS.get(panel["fieldConfig"]["defaults"].get("unit"), ("", 1))
        rows = [[legend, mappings.get(item.value, (f"{item.value * factor:g} {suffix}".strip(),))[0]]
                for legend, item in self.series(panel, instant=True)]
        axes.axis("off")
        if rows:
            table = axes.table(cellText=rows, loc="upper center", cellLoc="left", colWidths=[0.75, 0.25])
            table.auto_set_font_size(False)
            table.set_fontsize(9)
        else:
            no_data(axes)


def no_data(axes: Axes) -> None:
    axes.text(0.5, 0.5, "No data", transform=axes.transAxes, ha="center", va="center", color="grey")


def render_row(renderer: Renderer, title: str, panels: list[dict], path: Path) -> None:
    top = min(p["gridPos"]["y"] for p in panels)
    height = max(p["gridPos"]["y"] + p["gridPos"]["h"] for p in panels) - top
    figure = plt.figure(figsize=(GRID_COLUMNS * INCHES_PER_COLUMN, height * INCHES_PER_GRID_ROW + 0.6))
    figure.suptitle(title, x=0.01, ha="left", fontsize=12, fontweight="bold")
    title_share = 0.6 / figure.get_figheight()
    for panel in panels:
        grid = panel["gridPos"]
        left = grid["x"] / GRID_COLUMNS + 0.06
        width = grid["w"] / GRID_COLUMNS - 0.075
        cell_bottom = (1 - title_share) * (1 - (grid["y"] - top + grid["h"]) / height) + 0.03
        cell_height = (1 - title_share) * grid["h"] / height - 0.09
        legend = LEGEND_SHARE * cell_height if panel["type"] == "timeseries" else 0
        renderer.draw(figure.add_axes((left, cell_bottom + legend, width, cell_height - legend)), panel)
    figure.savefig(path, dpi=80)
    plt.close(figure)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower().split(":")[0]).strip("-")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--prometheus", default="http://127.0.0.1:9090", help="Prometheus base URL")
    parser.add_argument("--out", type=Path, default=dq.REPOSITORY / "docs" / "images", help="directory for the PNGs")
    parser.add_argument("--minutes", type=float, default=15, help="time range up to now")
    parser.add_argument("--step", type=float, default=5, help="seconds between points")
    arguments = parser.parse_args()

    prometheus = PrometheusAPI(arguments.prometheus)
    dashboard = dq.load_dashboard()
    resolved = dq.resolve_variables(dq.dashboard_variables(dashboard), prometheus.label_values)
    end = time.time()
    renderer = Renderer(prometheus, {name: r.value for name, r in resolved.items()},
                        end - arguments.minutes * 60, end, arguments.step)
    arguments.out.mkdir(parents=True, exist_ok=True)
    for title, panels in dashboard_rows(dashboard):
        path = arguments.out / f"dashboard-{slug(title)}.png"
        render_row(renderer, title, panels, path)
        print(path)


if __name__ == "__main__":
    main()
