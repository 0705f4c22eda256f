"""Geometry for the server-rendered SVG bar charts (the dashboard's per-day chart, the public
campaign page's per-hour chart): no JavaScript, drawn by templates from these numbers."""


def chart_bars(series: list[tuple[object, int]], width: int = 600, height: int = 160) -> dict:
    """One bar per (when, count); `when` is a date or a datetime, kept on each bar as `at`."""
    top = max((n for _at, n in series), default=0) or 1
    step = width / max(len(series), 1)
    bars = []
    for i, (at, n) in enumerate(series):
        h = round(n / top * (height - 20), 1)
        bars.append({"at": at, "count": n, "x": round(i * step + 1, 1), "width": round(max(step - 2, 0.5), 1),
                     "y": round(height - h, 1), "height": h})
    return {"bars": bars, "width": width, "height": height, "max": top if series and top else 0,
            "total": sum(n for _at, n in series)}
