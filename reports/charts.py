"""Charts as data: each chart is one plotly figure (drawn by plotly.js in the browser) and an
SVG drawn here from the same numbers (for the PDF, which runs no JavaScript, and as the
no-JavaScript fallback on the page). Every label is escaped: it may be user text.
"""

from __future__ import annotations

from dataclasses import dataclass
from textwrap import wrap

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

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


def _lines(text, width):
    lines = wrap(text, width) or [""]
    if len(lines) > 2:
        lines = [lines[0], lines[1][: width - 1] + "…"]
    return lines


def _layout(**extra):
    layout = {
        "font": {"family": FONT, "size": 12, "color": INK},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "hoverlabel": {"font": {"family": FONT}},
    }
    layout.update(extra)
    return layout


def levels_chart(labels, levels, medians, *, level_names, mine_label, median_label) -> Chart:
    """Horizontal bars of the nine levels with the network median as a marker beside each."""
    title = f"{mine_label} / {median_label}"
    label_w, plot_w, row_h, top = 250, 330, 29, 34
    width = label_w + plot_w + 30
    height = top + row_h * len(labels) + 46
    step = plot_w / 4
    body = [
        # legend
        f'<rect x="{label_w}" y="8" width="12" height="10" fill="{BRAND}"/>',
        _text(label_w + 17, 17, mine_label, 10),
        f'<path d="M{label_w + 140} 8 l5 5 l-5 5 l-5 -5 z" fill="{ACCENT}"/>',
        _text(label_w + 150, 17, median_label, 10),
    ]
    for level in range(5):
        x = label_w + level * step
        body.append(
            f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" '
            f'y2="{top + row_h * len(labels)}" stroke="{GRID}" stroke-width="1"/>'
        )
        body.append(_text(x, top + row_h * len(labels) + 14, str(level), 10, "middle", MUTED))
        body.append(
            _text(x, top + row_h * len(labels) + 27, level_names[level], 8.5, "middle", MUTED)
        )
    for i, (label, level, median) in enumerate(zip(labels, levels, medians, strict=True)):
        y = top + i * row_h
        lines = _lines(label, 40)
        for j, line in enumerate(lines):
            body.append(_text(label_w - 10, y + 18 + j * 11 - (len(lines) - 1) * 5.5, line, 10,
                              "end"))
        if level is None:
            body.append(_text(label_w + 6, y + 17, "—", 10, fill=MUTED, style="italic"))
        else:
            bar = max(level * step, 3)
            body.append(
                f'<rect x="{label_w}" y="{y + 7}" width="{bar:.1f}" height="14" '
                f'fill="{BRAND}" rx="2"/>'
            )
            body.append(_text(label_w + bar + 9, y + 18, str(level), 10, weight="bold"))
        if median is not None:
            mx = label_w + median * step
            body.append(
                f'<path d="M{mx:.1f} {y + 7} l7 7 l-7 7 l-7 -7 z" fill="{ACCENT}" '
                f'stroke="#fff" stroke-width="1.2"/>'
            )
    plotly = {
        "data": [
            {
                "type": "bar", "orientation": "h", "name": mine_label,
                "y": [escape(s) for s in labels], "x": levels, "marker": {"color": BRAND},
                "hovertemplate": "%{y}: %{x}<extra></extra>",
            },
            {
                "type": "scatter", "mode": "markers", "name": median_label,
                "y": [escape(s) for s in labels], "x": medians,
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
                   "ticktext": [f"{n}<br>{name}" for n, name in enumerate(level_names)],
                   "gridcolor": GRID, "zeroline": False, "fixedrange": True},
            yaxis={"autorange": "reversed", "fixedrange": True, "automargin": True},
        ),
    }
    return Chart(svg=_svg(width, height, body, title), plotly=plotly, description=title)


def trend_chart(points, baseline, target, *, y_title, goal_label) -> Chart:
    """The indicator's figures and a dashed line from the baseline to half of it by 2030."""
    years = [p[0] for p in points] + [target[0]]
    y0, y1 = min(years), max(years)
    top_value = max([p[1] for p in points] + [baseline[1]]) * 1.15 or 1
    left, width, height, top, plot_h = 52, 600, 230, 18, 170
    plot_w = width - left - 30

    def x(year):
        return left + (year - y0) / max(y1 - y0, 1) * plot_w

    def y(value):
        return top + plot_h - value / top_value * plot_h

    body = []
    for k in range(5):
        value = top_value * k / 4
        body.append(f'<line x1="{left}" y1="{y(value):.1f}" x2="{left + plot_w}" '
                    f'y2="{y(value):.1f}" stroke="{GRID}"/>')
        body.append(_text(left - 6, y(value) + 3, f"{value:,.0f}", 9, "end", MUTED))
    tick_years = sorted({y0, y1, *[p[0] for p in points]})
    for year in tick_years:
        body.append(_text(x(year), top + plot_h + 14, str(year), 9, "middle", MUTED))
    body.append(
        f'<line x1="{x(baseline[0]):.1f}" y1="{y(baseline[1]):.1f}" x2="{x(target[0]):.1f}" '
        f'y2="{y(target[1]):.1f}" stroke="{ACCENT}" stroke-width="2" stroke-dasharray="6 4"/>'
    )
    body.append(_text(x(target[0]) - 4, y(target[1]) - 8, f"{target[1]:,.1f}", 10, "end",
                      ACCENT, "bold"))
    if len(points) > 1:
        path = " ".join(f"{'M' if i == 0 else 'L'}{x(a):.1f} {y(b):.1f}"
                        for i, (a, b) in enumerate(points))
        body.append(f'<path d="{path}" fill="none" stroke="{BRAND}" stroke-width="2.5"/>')
    for year, value in points:
        body.append(f'<circle cx="{x(year):.1f}" cy="{y(value):.1f}" r="4.5" fill="{BRAND}"/>')
        body.append(_text(x(year) + 7, y(value) - 6, f"{value:,.1f}", 10, weight="bold"))
    body.append(_text(left, top - 6, y_title, 9, fill=MUTED))
    plotly = {
        "data": [
            {"type": "scatter", "mode": "lines+markers", "name": y_title,
             "x": [p[0] for p in points], "y": [p[1] for p in points],
             "line": {"color": BRAND, "width": 3}, "marker": {"size": 9}},
            {"type": "scatter", "mode": "lines", "name": escape(goal_label),
             "x": [baseline[0], target[0]], "y": [baseline[1], target[1]],
             "line": {"color": ACCENT, "width": 2, "dash": "dash"}},
        ],
        "layout": _layout(
            height=300, margin={"l": 60, "r": 20, "t": 20, "b": 40},
            legend={"orientation": "h", "x": 0, "y": -0.2},
            xaxis={"dtick": 1 if y1 - y0 <= 12 else 5, "gridcolor": GRID, "fixedrange": True},
            yaxis={"rangemode": "tozero", "gridcolor": GRID, "title": {"text": y_title},
                   "fixedrange": True},
        ),
    }
    return Chart(svg=_svg(width, height, body, y_title), plotly=plotly, description=y_title)


def heatmap_chart(rows, columns, matrix, *, x_names, title) -> Chart:
    """Offices (rows) by criteria (columns), each cell coloured and labelled with its level."""
    label_w, cell_w, cell_h, top = 250, 40, 26, 22
    width = label_w + cell_w * len(columns) + 10
    height = top + cell_h * len(rows) + 8
    body = [
        _text(label_w + i * cell_w + cell_w / 2, top - 8, c, 10, "middle", MUTED, "bold")
        for i, c in enumerate(columns)
    ]
    for r, (row, levels) in enumerate(zip(rows, matrix, strict=True)):
        y = top + r * cell_h
        body.append(_text(label_w - 8, y + 17, _lines(row, 42)[0], 10, "end"))
        for c, level in enumerate(levels):
            fill = NONE_COLOR if level is None else LEVEL_COLORS[level]
            x = label_w + c * cell_w
            body.append(f'<rect x="{x + 1}" y="{y + 1}" width="{cell_w - 2}" '
                        f'height="{cell_h - 2}" fill="{fill}" rx="2"/>')
            body.append(_text(x + cell_w / 2, y + 17, "–" if level is None else str(level), 10,
                              "middle", INK if level is not None else MUTED, "bold"))
    plotly = {
        "data": [{
            "type": "heatmap", "z": matrix, "x": columns, "y": [escape(r) for r in rows],
            "zmin": 0, "zmax": 4, "xgap": 2, "ygap": 2,
            "colorscale": [[i / 4, color] for i, color in enumerate(LEVEL_COLORS)],
            "text": [["–" if v is None else str(v) for v in row] for row in matrix],
            "texttemplate": "%{text}",
            "customdata": [[escape(n) for n in x_names] for _row in rows],
            "hovertemplate": "%{y}<br>%{customdata}: %{z}<extra></extra>",
            "colorbar": {"title": {"text": escape(title)}, "tickvals": [0, 1, 2, 3, 4]},
        }],
        "layout": _layout(
            height=max(200, 70 + 32 * len(rows)),
            margin={"l": 260, "r": 20, "t": 30, "b": 30},
            xaxis={"side": "top", "fixedrange": True, "type": "category"},
            yaxis={"autorange": "reversed", "fixedrange": True, "automargin": True},
        ),
    }
    return Chart(svg=_svg(width, height, body, title), plotly=plotly, description=title)


def distribution_chart(labels, counts, *, level_names, title) -> Chart:
    """Per criterion, how many assessments sit at each level (stacked horizontal bars)."""
    label_w, plot_w, row_h, top = 250, 330, 26, 30
    width = label_w + plot_w + 20
    height = top + row_h * len(labels) + 10
    most = max([sum(c) for c in counts] + [1])
    body = []
    for level, name in enumerate(level_names):
        x = label_w + level * 68
        body.append(f'<rect x="{x}" y="6" width="11" height="11" fill="{LEVEL_COLORS[level]}"/>')
        body.append(_text(x + 15, 15, name, 8.5, fill=MUTED))
    for i, (label, per_level) in enumerate(zip(labels, counts, strict=True)):
        y = top + i * row_h
        body.append(_text(label_w - 8, y + 15, _lines(label, 42)[0], 10, "end"))
        x = label_w
        for level, n in enumerate(per_level):
            if not n:
                continue
            w = n / most * plot_w
            body.append(f'<rect x="{x:.1f}" y="{y + 3}" width="{w:.1f}" height="17" '
                        f'fill="{LEVEL_COLORS[level]}" stroke="#fff"/>')
            body.append(_text(x + w / 2, y + 15, str(n), 9, "middle", INK, "bold"))
            x += w
    plotly = {
        "data": [
            {"type": "bar", "orientation": "h", "name": name,
             "y": [escape(label) for label in labels],
             "x": [c[level] for c in counts], "marker": {"color": LEVEL_COLORS[level]},
             "hovertemplate": "%{y}: %{x}<extra>" + escape(name) + "</extra>"}
            for level, name in enumerate(level_names)
        ],
        "layout": _layout(
            barmode="stack", height=80 + 30 * len(labels),
            margin={"l": 260, "r": 20, "t": 40, "b": 30},
            legend={"orientation": "h", "x": 0, "y": 1.1, "traceorder": "normal"},
            xaxis={"dtick": 1, "gridcolor": GRID, "fixedrange": True},
            yaxis={"autorange": "reversed", "fixedrange": True, "automargin": True},
        ),
    }
    return Chart(svg=_svg(width, height, body, title), plotly=plotly, description=title)
