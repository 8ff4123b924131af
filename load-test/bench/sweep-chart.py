#!/usr/bin/env python3
"""Draws the offered-load sweep of server-benchmark.sh as an SVG with three panels (p50, p99 and
throughput against offered load), one line per batching mode. Standard library only.

Usage: sweep-chart.py sweep.csv sweep.svg
"""
import csv
import sys
from collections import OrderedDict

COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]
PANELS = [("p50_ms", "p50 (ms)"), ("p99_ms", "p99 (ms)"), ("throughput_rps", "done (req/s)")]
W, H, PAD = 360, 260, 50


def number(text):
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def main(source, target):
    series = OrderedDict()
    with open(source, newline="") as f:
        for row in csv.DictReader(f):
            series.setdefault(row["mode"], []).append(row)
    if not series:
        sys.exit("error: no rows in " + source)
    parts = []
    for p, (key, label) in enumerate(PANELS):
        x0 = p * (W + PAD) + PAD
        points = [(number(r["load_pct"]), number(r[key])) for rows in series.values() for r in rows]
        ys = [y for _, y in points if y is not None]
        top = max(ys) * 1.1 if ys and max(ys) > 0 else 1
        parts.append(f'<rect x="{x0}" y="{PAD}" width="{W}" height="{H}" fill="none" stroke="#888"/>')
        parts.append(f'<text x="{x0 + W / 2}" y="{PAD - 10}" text-anchor="middle">{label}</text>')
        parts.append(f'<text x="{x0 + W / 2}" y="{PAD + H + 35}" text-anchor="middle">'
                     'offered load (% of saturation)</text>')
        for tick in range(0, 101, 20):
            tx = x0 + W * tick / 100
            parts.append(f'<text x="{tx}" y="{PAD + H + 15}" text-anchor="middle" '
                         f'font-size="10">{tick}</text>')
        for i in range(5):
            value = top * i / 4
            ty = PAD + H - H * i / 4
            parts.append(f'<text x="{x0 - 5}" y="{ty + 3}" text-anchor="end" '
                         f'font-size="10">{value:.3g}</text>')
        for m, rows in enumerate(series.values()):
            xy = [(number(r["load_pct"]), number(r[key])) for r in rows]
            coords = " ".join(f"{x0 + W * x / 100:.1f},{PAD + H - H * y / top:.1f}"
                              for x, y in xy if x is not None and y is not None)
            colour = COLOURS[m % len(COLOURS)]
            parts.append(f'<polyline points="{coords}" fill="none" stroke="{colour}" '
                         'stroke-width="2"/>')
    for m, mode in enumerate(series):
        y = PAD + H + 55 + 16 * m
        colour = COLOURS[m % len(COLOURS)]
        parts.append(f'<line x1="{PAD}" y1="{y - 4}" x2="{PAD + 20}" y2="{y - 4}" '
                     f'stroke="{colour}" stroke-width="2"/>')
        parts.append(f'<text x="{PAD + 26}" y="{y}" font-size="12">{mode}</text>')
    width = len(PANELS) * (W + PAD) + PAD
    height = PAD + H + 70 + 16 * len(series)
    with open(target, "w") as f:
        f.write(f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
                'font-family="sans-serif" font-size="12">\n')
        f.write(f'<rect width="{width}" height="{height}" fill="white"/>\n')
        f.write("\n".join(parts))
        f.write("\n</svg>\n")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: sweep-chart.py sweep.csv sweep.svg")
    main(sys.argv[1], sys.argv[2])
