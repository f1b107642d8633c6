"""Charts as data: each chart is one plotly figure (drawn by plotly.js in the browser) and an
SVG drawn here from the same numbers (for the PDF, which runs no JavaScript, and as the
no-JavaScript fallback on the page). Every label is escaped: it may be user text.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from textwrap import wrap

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from cities.figures import format_number, plotly_separators

BRAND = "#0b5563"
ACCENT = "#b4531a"
INK = "#1d2430"
MUTED = "#5a6472"
GRID = "#d9dee5"
# Sequential palette for levels 0..4 (light enough to carry dark text).
LEVEL_COLORS = ["#f1b5a8", "#f6cf9c", "#f3e3a0", "#a9d6bf", "#5fae8c"]
NONE_COLOR = "#eef0f3"
FONT = "Liberation Sans, DejaVu Sans, Arial, sans-serif"


@dataclass
class Chart:
    svg: SafeString
    plotly: dict
    description: str = ""


def _svg(width, height, body, title):
    return mark_safe(  # noqa: S308 - every interpolated label went through escape()
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}" '
        f'font-family="{FONT}" class="chart-svg"><title>{escape(title)}</title>'
        f"{''.join(body)}</svg>"
    )


def _text(x, y, text, size=10, anchor="start", fill=INK, weight="normal", style="normal"):
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
        f'fill="{fill}" font-weight="{weight}" font-style="{style}">{escape(text)}</text>'
    )


def _text_width(text, size, bold=False) -> float:
    """A generous estimate of `text`'s width in px (Liberation Sans averages ~0.5 em a
    character; we count 0.56, 0.6 bold, so a label never runs into its neighbour)."""
    return len(text) * size * (0.6 if bold else 0.56)


def _wrap(text, max_px, size=10, bold=False) -> list[str]:
    """`text` in lines no wider than `max_px`: never cut, never ended with "…" (an overlong
    word is broken rather than dropped)."""
    chars = max(6, int(max_px / (size * (0.6 if bold else 0.56))))
    return wrap(text, chars, break_long_words=True) or [""]


def _plotly_label(text, chars=40) -> str:
    """An escaped axis label wrapped with <br> so plotly gives it room instead of a long
    margin."""
    return "<br>".join(escape(line) for line in (wrap(text, chars) or [""]))


def _legend(entries, x0, y0, max_x, size=9.5):
    """SVG legend entries [(swatch_svg(x, y), label)] flowed left to right, wrapping to a new
    row when the next entry would pass `max_x`. Returns (svg parts, height used)."""
    body, x, y = [], x0, y0
    for swatch, label in entries:
        width = 16 + _text_width(label, size) + 14
        if x > x0 and x + width > max_x:
            x, y = x0, y + size + 6
        body.append(swatch(x, y))
        body.append(_text(x + 16, y + 9, label, size, fill=MUTED))
        x += width
    return body, y - y0 + size + 6


def _layout(**extra):
    layout = {
        # plotly's decimal and thousands marks in the active language, as our own text has.
        "separators": plotly_separators(),
        "font": {"family": FONT, "size": 12, "color": INK},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "hoverlabel": {"font": {"family": FONT}},
    }
    layout.update(extra)
    return layout


def levels_chart(labels, levels, medians, *, level_names, mine_label, median_label) -> Chart:
    """Horizontal bars of the nine levels with the network median as a marker beside each.
    Every label is wrapped, never cut; rows grow to hold their label."""
    title = f"{mine_label} / {median_label}"
    label_w, plot_w = 250, 330
    width = label_w + plot_w + 30
    step = plot_w / 4
    legend, legend_h = _legend(
        [(lambda x, y: f'<rect x="{x:.1f}" y="{y}" width="12" height="10" fill="{BRAND}"/>',
          mine_label),
         (lambda x, y: f'<path d="M{x + 6:.1f} {y} l5 5 l-5 5 l-5 -5 z" fill="{ACCENT}"/>',
          median_label)],
        label_w, 8, width - 10, size=10,
    )
    body = list(legend)
    top = 8 + legend_h + 8
    label_lines = [_wrap(label, label_w - 16, 10) for label in labels]
    row_hs = [max(29, 11 * len(lines) + 9) for lines in label_lines]
    bottom = top + sum(row_hs)
    name_lines = [_wrap(name, step - 6, 8.5) for name in level_names]
    height = bottom + 30 + 10 * max(len(lines) for lines in name_lines)
    for level in range(5):
        x = label_w + level * step
        body.append(
            f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" '
            f'y2="{bottom}" stroke="{GRID}" stroke-width="1"/>'
        )
        body.append(_text(x, bottom + 14, str(level), 10, "middle", MUTED))
        for k, line in enumerate(name_lines[level]):
            body.append(_text(x, bottom + 27 + k * 10, line, 8.5, "middle", MUTED))
    y = top
    for lines, row_h, level, median in zip(label_lines, row_hs, levels, medians, strict=True):
        mid = y + row_h / 2
        for j, line in enumerate(lines):
            body.append(_text(label_w - 10, mid + 4 + (j - (len(lines) - 1) / 2) * 11, line,
                              10, "end"))
        if level is None:
            body.append(_text(label_w + 6, mid + 4, "—", 10, fill=MUTED, style="italic"))
        else:
            bar = max(level * step, 3)
            body.append(
                f'<rect x="{label_w}" y="{mid - 7:.1f}" width="{bar:.1f}" height="14" '
                f'fill="{BRAND}" rx="2"/>'
            )
            body.append(_text(label_w + bar + 9, mid + 4, str(level), 10, weight="bold"))
        if median is not None:
            mx = label_w + median * step
            body.append(
                f'<path d="M{mx:.1f} {mid - 7:.1f} l7 7 l-7 7 l-7 -7 z" fill="{ACCENT}" '
                f'stroke="#fff" stroke-width="1.2"/>'
            )
        y += row_h
    plotly = {
        "data": [
            {
                "type": "bar", "orientation": "h", "name": escape(mine_label),
                "y": [_plotly_label(s) for s in labels], "x": levels,
                "marker": {"color": BRAND}, "hovertemplate": "%{y}: %{x}<extra></extra>",
            },
            {
                "type": "scatter", "mode": "markers", "name": escape(median_label),
                "y": [_plotly_label(s) for s in labels], "x": medians,
                "marker": {"symbol": "diamond", "size": 12, "color": ACCENT,
                           "line": {"color": "#fff", "width": 1}},
                "hovertemplate": "%{y}: %{x}<extra></extra>",
            },
        ],
        "layout": _layout(
            height=60 + 38 * len(labels),
            margin={"l": 260, "r": 20, "t": 30, "b": 50},
            barmode="overlay",
            legend={"orientation": "h", "x": 0, "y": 1.08},
            xaxis={"range": [-0.05, 4.2], "tickvals": list(range(5)),
                   "ticktext": [f"{n}<br>{escape(name)}" for n, name in enumerate(level_names)],
                   "gridcolor": GRID, "zeroline": False, "fixedrange": True},
            yaxis={"autorange": "reversed", "fixedrange": True, "automargin": True},
        ),
    }
    return Chart(svg=_svg(width, height, body, title), plotly=plotly, description=title)


def nice_ticks(top, *, most=5) -> list[float]:
    """Round axis values from 0 up to at least `top`: steps of 1, 2, 2.5 or 5 times a power of
    ten, at most `most` steps (0, 25, 50 … rather than 0, 28.2, 56.4 …)."""
    if top <= 0:
        return [0, 1]
    raw = top / most
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return [round(step * i, 10) for i in range(math.ceil(top / step - 1e-9) + 1)]


@dataclass
class TrendPoint:
    year: int
    value: float
    text: str  # the figure as the reader sees it: qualifier and local number ("under 15")
    before_baseline: bool = False


def trend_chart(points, *, start=None, target=None, baseline_year=None, y_title, goal_label,
                baseline_label="") -> Chart:
    """The indicator's figures and the dashed goal line from `start` (year, value) to `target`
    (a TrendPoint). Figures before `baseline_year` are drawn muted: they are history, never the
    line's start. Numbers are in the active language, on the SVG and in plotly alike."""
    years = [p.year for p in points]
    if target is not None:
        years.append(target.year)
    if baseline_year is not None:
        years.append(baseline_year)
    y0, y1 = min(years), max(years)
    ticks = nice_ticks(max([p.value for p in points] + [start[1] if start else 0]) * 1.08)
    top_value = ticks[-1]
    left, width, top, plot_h = 52, 600, 22, 170
    plot_w = width - left - 40

    def x(year):
        return left + (year - y0) / max(y1 - y0, 1) * plot_w

    def y(value):
        return top + plot_h - value / top_value * plot_h

    body = []
    for value in ticks:
        body.append(f'<line x1="{left}" y1="{y(value):.1f}" x2="{left + plot_w}" '
                    f'y2="{y(value):.1f}" stroke="{GRID}"/>')
        body.append(_text(left - 6, y(value) + 3, format_number(value), 9, "end", MUTED))
    tick_years = sorted({y0, y1, *[p.year for p in points]})
    for year in tick_years:
        body.append(_text(x(year), top + plot_h + 14, str(year), 9, "middle", MUTED))
    if baseline_year is not None:
        bx = x(baseline_year)
        body.append(f'<line x1="{bx:.1f}" y1="{top}" x2="{bx:.1f}" y2="{top + plot_h}" '
                    f'stroke="{MUTED}" stroke-dasharray="2 3"/>')
        body.append(_text(bx + 4, top + 9, baseline_label, 9, fill=MUTED))
    if start is not None and target is not None:
        body.append(
            f'<line x1="{x(start[0]):.1f}" y1="{y(start[1]):.1f}" x2="{x(target.year):.1f}" '
            f'y2="{y(target.value):.1f}" stroke="{ACCENT}" stroke-width="2" '
            f'stroke-dasharray="6 4"/>'
        )
        body.append(f'<circle cx="{x(target.year):.1f}" cy="{y(target.value):.1f}" r="3.5" '
                    f'fill="{ACCENT}"/>')
        body.append(_text(x(target.year) - 6, y(target.value) + 15, target.text, 10, "end",
                          ACCENT, "bold"))
    if len(points) > 1:
        path = " ".join(f"{'M' if i == 0 else 'L'}{x(p.year):.1f} {y(p.value):.1f}"
                        for i, p in enumerate(points))
        body.append(f'<path d="{path}" fill="none" stroke="{BRAND}" stroke-width="2.5"/>')
    for p in points:
        color = MUTED if p.before_baseline else BRAND
        body.append(f'<circle cx="{x(p.year):.1f}" cy="{y(p.value):.1f}" r="4.5" '
                    f'fill="{color}"/>')
        anchor, dx = ("end", -7) if x(p.year) > left + plot_w - 60 else ("start", 7)
        body.append(_text(x(p.year) + dx, y(p.value) - 7, p.text, 10, anchor, color, "bold"))
    body.append(_text(left, top - 8, y_title, 9, fill=MUTED))
    # Legend: the figures, then the goal line on its own row, its label wrapped, never cut.
    legend_y = top + plot_h + 36
    body.append(f'<line x1="{left}" y1="{legend_y - 4}" x2="{left + 22}" y2="{legend_y - 4}" '
                f'stroke="{BRAND}" stroke-width="2.5"/>')
    body.append(_text(left + 28, legend_y, y_title, 9.5))
    goal_y = legend_y + 15
    body.append(f'<line x1="{left}" y1="{goal_y - 4}" x2="{left + 22}" y2="{goal_y - 4}" '
                f'stroke="{ACCENT}" stroke-width="2" stroke-dasharray="6 4"/>')
    goal_lines = _wrap(goal_label, width - left - 28 - 10, 9.5)
    for i, line in enumerate(goal_lines):
        body.append(_text(left + 28, goal_y + i * 12, line, 9.5))
    height = goal_y + 12 * len(goal_lines) + 2
    data = [
        {"type": "scatter", "mode": "lines+markers+text", "name": escape(y_title),
         "x": [p.year for p in points], "y": [p.value for p in points],
         "text": [escape(p.text) for p in points], "textposition": "top right", "cliponaxis": False,
         "textfont": {"color": [MUTED if p.before_baseline else BRAND for p in points]},
         "hovertemplate": "%{x}: %{text}<extra></extra>",
         "line": {"color": BRAND, "width": 3},
         "marker": {"size": 9, "color": [MUTED if p.before_baseline else BRAND
                                         for p in points]}},
    ]
    if start is not None and target is not None:
        data.append(
            {"type": "scatter", "mode": "lines+markers+text", "name": escape(goal_label),
             "x": [start[0], target.year], "y": [start[1], target.value],
             "text": ["", escape(target.text)], "textposition": "top left", "cliponaxis": False,
             "textfont": {"color": ACCENT},
             "customdata": [escape(start[2]), escape(target.text)],
             "hovertemplate": "%{x}: %{customdata}<extra></extra>",
             "marker": {"size": [0, 7], "color": ACCENT},
             "line": {"color": ACCENT, "width": 2, "dash": "dash"}}
        )
    shapes, annotations = [], []
    if baseline_year is not None:
        shapes.append({"type": "line", "x0": baseline_year, "x1": baseline_year, "y0": 0,
                       "y1": 1, "yref": "paper", "line": {"color": MUTED, "dash": "dot",
                                                           "width": 1}})
        annotations.append({"x": baseline_year, "y": 1, "yref": "paper", "xanchor": "left",
                            "yanchor": "top", "showarrow": False, "text": escape(baseline_label),
                            "font": {"size": 11, "color": MUTED}})
    plotly = {
        "data": data,
        "layout": _layout(
            height=320, margin={"l": 76, "r": 20, "t": 20, "b": 40},
            legend={"orientation": "h", "x": 0, "y": -0.2},
            shapes=shapes, annotations=annotations,
            xaxis={"dtick": 1 if y1 - y0 <= 12 else 5, "tickformat": "d", "gridcolor": GRID,
                   "fixedrange": True, "range": [y0 - 0.5, y1 + 0.5]},
            yaxis={"range": [0, top_value], "tickvals": ticks,
                   "ticktext": [format_number(t) for t in ticks], "gridcolor": GRID,
                   "title": {"text": _plotly_label(y_title, 26)}, "fixedrange": True},
        ),
    }
    description = f"{y_title}; {goal_label}"
    return Chart(svg=_svg(width, height, body, description), plotly=plotly,
                 description=description)


def heatmap_chart(rows, columns, matrix, *, x_names, title) -> Chart:
    """Offices (rows) by criteria (columns), each cell coloured and labelled with its level.
    Row labels are wrapped, never cut; a row grows to hold its label."""
    label_w, cell_w, top = 250, 40, 22
    width = label_w + cell_w * len(columns) + 10
    row_lines = [_wrap(row, label_w - 14, 10) for row in rows]
    row_hs = [max(26, 11 * len(lines) + 8) for lines in row_lines]
    height = top + sum(row_hs) + 8
    body = [
        _text(label_w + i * cell_w + cell_w / 2, top - 8, c, 10, "middle", MUTED, "bold")
        for i, c in enumerate(columns)
    ]
    y = top
    for lines, row_h, levels in zip(row_lines, row_hs, matrix, strict=True):
        mid = y + row_h / 2
        for j, line in enumerate(lines):
            body.append(_text(label_w - 8, mid + 4 + (j - (len(lines) - 1) / 2) * 11, line, 10,
                              "end"))
        for c, level in enumerate(levels):
            fill = NONE_COLOR if level is None else LEVEL_COLORS[level]
            x = label_w + c * cell_w
            body.append(f'<rect x="{x + 1}" y="{y + 1}" width="{cell_w - 2}" '
                        f'height="{row_h - 2}" fill="{fill}" rx="2"/>')
            body.append(_text(x + cell_w / 2, mid + 4, "–" if level is None else str(level), 10,
                              "middle", INK if level is not None else MUTED, "bold"))
        y += row_h
    plotly = {
        "data": [{
            "type": "heatmap", "z": matrix, "x": columns, "y": [_plotly_label(r) for r in rows],
            "zmin": 0, "zmax": 4, "xgap": 2, "ygap": 2,
            "colorscale": [[i / 4, color] for i, color in enumerate(LEVEL_COLORS)],
            "text": [["–" if v is None else str(v) for v in row] for row in matrix],
            "texttemplate": "%{text}",
            "customdata": [[escape(n) for n in x_names] for _row in rows],
            "hovertemplate": "%{y}<br>%{customdata}: %{z}<extra></extra>",
            "colorbar": {"title": {"text": escape(title)}, "tickvals": [0, 1, 2, 3, 4]},
        }],
        "layout": _layout(
            height=max(200, 70 + 40 * len(rows)),
            margin={"l": 260, "r": 20, "t": 30, "b": 30},
            xaxis={"side": "top", "fixedrange": True, "type": "category"},
            yaxis={"autorange": "reversed", "fixedrange": True, "automargin": True},
        ),
    }
    return Chart(svg=_svg(width, height, body, title), plotly=plotly, description=title)


def distribution_chart(labels, counts, *, level_names, title) -> Chart:
    """Per criterion, how many assessments sit at each level (stacked horizontal bars).
    Labels and legend entries are wrapped, never cut."""
    label_w, plot_w = 250, 330
    width = label_w + plot_w + 20
    most = max([sum(c) for c in counts] + [1])
    legend, legend_h = _legend(
        [((lambda x, y, c=LEVEL_COLORS[level]:
           f'<rect x="{x:.1f}" y="{y}" width="11" height="11" fill="{c}"/>'), name)
         for level, name in enumerate(level_names)],
        10, 6, width - 10, size=9,
    )
    body = list(legend)
    top = 6 + legend_h + 6
    label_lines = [_wrap(label, label_w - 14, 10) for label in labels]
    row_hs = [max(26, 11 * len(lines) + 8) for lines in label_lines]
    height = top + sum(row_hs) + 10
    y = top
    for lines, row_h, per_level in zip(label_lines, row_hs, counts, strict=True):
        mid = y + row_h / 2
        for j, line in enumerate(lines):
            body.append(_text(label_w - 8, mid + 4 + (j - (len(lines) - 1) / 2) * 11, line, 10,
                              "end"))
        x = label_w
        for level, n in enumerate(per_level):
            if not n:
                continue
            w = n / most * plot_w
            body.append(f'<rect x="{x:.1f}" y="{mid - 8.5:.1f}" width="{w:.1f}" height="17" '
                        f'fill="{LEVEL_COLORS[level]}" stroke="#fff"/>')
            body.append(_text(x + w / 2, mid + 3.5, str(n), 9, "middle", INK, "bold"))
            x += w
        y += row_h
    plotly = {
        "data": [
            {"type": "bar", "orientation": "h", "name": escape(name),
             "y": [_plotly_label(label) for label in labels],
             "x": [c[level] for c in counts], "marker": {"color": LEVEL_COLORS[level]},
             "hovertemplate": "%{y}: %{x}<extra>" + escape(name) + "</extra>"}
            for level, name in enumerate(level_names)
        ],
        "layout": _layout(
            barmode="stack", height=100 + 36 * len(labels),
            margin={"l": 260, "r": 20, "t": 60, "b": 30},
            legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom",
                    "traceorder": "normal"},
            xaxis={"dtick": 1, "gridcolor": GRID, "fixedrange": True},
            yaxis={"autorange": "reversed", "fixedrange": True, "automargin": True},
        ),
    }
    return Chart(svg=_svg(width, height, body, title), plotly=plotly, description=title)
