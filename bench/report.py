#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The tables of bench/bench.sh: median (min-max) of each figure's runs,
ksad beside the reference measured in the same run, and their ratio.

  report.py --csv results-E.csv [--notes F] [--about F] [--json OUT]
  report.py --plot DIR results-E.json...   PNG figures with gnuplot

The CSV has one line a measurement: engine, kernel, part, metric, x, stack,
run, value, unit.
"""
import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
from collections import OrderedDict

STACKS = {"xfrm": "XFRM", "aead": "bare AEAD", "none": "", "ksad": "ksad"}

# part: title, the reference stack, how a row is named
PARTS = OrderedDict([
    ("sad", ("The SAD: installing 10,000 SAs (binary netlink: ksad ADD, XFRM NEWSA)", "xfrm")),
    ("lookup", ("SA lookup by (SPI, destination, protocol), ns, by SAs installed", "xfrm")),
    ("getspi", ("GETSPI (XFRM: ALLOCSPI), us, by the range's size and fill", "xfrm")),
    ("tcp", ("TCP, one stream, MTU 1500, transport mode", "xfrm")),
    ("udp", ("UDP received, packets/s, by datagram size (bytes)", "xfrm")),
    ("families", ("UDP received, packets/s, 1400-byte datagrams, each family", "xfrm")),
    ("multicore", ("Several CPUs: 1400-byte UDP received, packets/s, by flows (CPUs)", "xfrm")),
    ("esp", ("In the kernel: ns per packet, ksad's ESP transform vs the bare AEAD call", "aead")),
    ("policy", ("The SPD: inbound policy lookup, ns, by policies installed", "xfrm")),
])


def num(x):
    try:
        return float(x)
    except ValueError:
        return None


def label(part, metric, x):
    if part == "sad":
        return {"install": "install rate (SAs/s, higher is better)",
                "install-ip": "install rate, XFRM's through ip -batch"}.get(
                    metric, "slab per SA (bytes)")
    if part == "lookup":
        return f"{int(x):,} SAs" + {"hash": ", ksad's key hash alone",
                                    "chase": ", one random load, no table"}.get(metric, "")
    if part == "getspi":
        return f"{int(x):,}-SPI range, {metric}" + (" (the last free SPI)" if metric == "last" else "")
    if part == "tcp":
        what = {"mbit": "Mbit/s", "cpu": "CPU ms per MB", "ctxt": "context switches per MB",
                "ksoftirqd": "ksoftirqd's switches per MB",
                "async": "ksad's requests via cryptd"}[metric]
        if x == "plain":
            return f"no IPsec, {what}"
        alg, gso = x.rsplit(" ", 1)
        return f"{alg}, {gso.replace('gso-', 'GSO ')}, {what}"
    if part in ("udp", "families"):
        return f"{metric}, {x} B" if part == "udp" else metric
    if part == "multicore":
        return (("no IPsec: " if metric == "plain" else "") +
                ("1 CPU, one flow" if x == "1" else
                 f"2 CPUs, a flow each" + ("" if metric == "plain" else
                                           f", {x.split(' ')[1].replace('-', ' ')}")))
    if part == "esp":
        d, alg = metric.split(" ")
        return f"{'output' if d == 'out' else 'input'}, {alg}, {x} B"
    if part == "policy":
        return f"{int(x):,} policies, {'host-to-host' if metric == '/32' else 'net-to-net'} ({metric})"
    return f"{metric} {x}"


def fmt(v):
    if v is None:
        return "-"
    if abs(v) >= 100:
        return f"{v:.0f}"
    return f"{v:.1f}" if abs(v) >= 10 else f"{v:.2f}"


def summary(vals):
    vals = [v for v in vals if v is not None]
    if not vals:
        return None
    return {"median": statistics.median(vals), "min": min(vals), "max": max(vals),
            "runs": vals}


def cell(s):
    return f"{fmt(s['median'])} ({fmt(s['min'])}-{fmt(s['max'])})" if s else "-"


def load(path):
    rows = OrderedDict()
    meta = {}
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            meta = {"engine": r["engine"], "kernel": r["kernel"]}
            key = (r["part"], r["metric"], r["x"])
            rows.setdefault(key, {"unit": r["unit"], "stacks": OrderedDict()})
            rows[key]["stacks"].setdefault(r["stack"], []).append(num(r["value"]))
    return meta, rows


def xsort(key):
    x = num(key[2])
    return (x is None, x if x is not None else 0, key[2])


TCP_ORDER = ["mbit", "cpu", "ctxt", "ksoftirqd", "async"]


def rowkey(k):
    """TCP rows by measure, "no IPsec" first; lookups, hashes, then loads;
    the others by metric, then x."""
    if k[0] == "tcp":
        return (TCP_ORDER.index(k[1]), k[2] != "plain", k[2])
    if k[0] == "lookup":
        return (("ns", "hash", "chase").index(k[1]),) + xsort(k)
    return (k[1],) + xsort(k)


def derived(part, rows, ref):
    """Growth and scaling rows computed from the medians."""
    out = []

    def med(k, s):
        r = rows.get(k)
        v = [x for x in r["stacks"].get(s, []) if x is not None] if r else []
        return statistics.median(v) if v else None

    def over(a, b):
        return a / b if a is not None and b else None

    if part == "lookup":
        xs = sorted({k[2] for k in rows if k[0] == "lookup"}, key=float)
        if len(xs) > 1:
            lo, hi = ("lookup", "ns", xs[0]), ("lookup", "ns", xs[-1])
            out.append((f"growth {int(xs[0]):,} -> {int(xs[-1]):,} SAs",
                        {s: over(med(hi, s), med(lo, s))
                         for s in ("ksad", ref)}))
            lo, hi = ("lookup", "chase", xs[0]), ("lookup", "chase", xs[-1])
            if lo in rows and hi in rows:
                out.append((f"growth of one random load, {int(xs[0]):,} -> {int(xs[-1]):,}",
                            {"ksad": over(med(hi, "ksad"), med(lo, "ksad")), ref: None}))
    if part == "policy":
        for m in ("/32", "/24"):
            lo, hi = ("policy", m, "10"), ("policy", m, "10000")
            if lo in rows and hi in rows:
                out.append((f"growth 10 -> 10,000 policies ({m})",
                            {s: over(med(hi, s), med(lo, s))
                             for s in ("ksad", ref)}))
    if part == "multicore":
        one = ("multicore", "pps", "1")
        for x in ("2 two-SAs", "2 one-SA"):
            k = ("multicore", "pps", x)
            if k in rows and one in rows:
                out.append((f"scaling, 2 CPUs ({x.split(' ')[1].replace('-', ' ')}) / 1",
                            {s: over(med(k, s), med(one, s))
                             for s in ("ksad", ref)}))
        one, two = ("multicore", "plain", "1"), ("multicore", "plain", "2 two-SAs")
        if one in rows and two in rows:
            out.append(("scaling without IPsec, 2 CPUs / 1",
                        {"ksad": None, ref: over(med(two, "none"), med(one, "none"))}))
    return out


def report(args):
    meta, rows = load(args.csv)
    notes = {}
    if args.notes and os.path.exists(args.notes):
        for line in open(args.notes):
            part, _, text = line.rstrip("\n").partition("\t")
            notes.setdefault(part, []).append(text)
    about = open(args.about).read().strip() if args.about and os.path.exists(args.about) else ""
    doc = {"meta": meta, "about": about, "parts": [], "notes": notes}
    print()
    print(f"ksad benchmark: {about}")
    print("each figure: median (min-max) of the runs; ksad and the reference alternated")
    for part, (title, ref) in PARTS.items():
        keys = sorted((k for k in rows if k[0] == part), key=rowkey)
        if not keys and part not in notes:
            continue
        print()
        print(f"{title}")
        print(f"  {'':44} {'ksad':>22} {STACKS[ref]:>22} {'ksad/' + STACKS[ref]:>11}")
        jrows = []
        for k in keys:
            st = rows[k]["stacks"]
            a, b = summary(st.get("ksad", [])), summary(st.get(ref, []) or st.get("none", []))
            ratio = a["median"] / b["median"] if a and b and b["median"] and "none" not in st else None
            print(f"  {label(part, k[1], k[2]):44} {cell(a):>22} {cell(b):>22}"
                  f" {fmt(ratio) if ratio else '':>11}")
            jrows.append({"metric": k[1], "x": k[2], "unit": rows[k]["unit"],
                          "ksad": a, "ref": b, "ref_stack": ref if "none" not in st else "none",
                          "ratio": ratio})
        for name, vals in derived(part, rows, ref):
            print(f"  {name:44} {fmt(vals['ksad']) + 'x' if vals['ksad'] else '-':>22}"
                  f" {fmt(vals[ref]) + 'x' if vals[ref] else '-':>22}")
            jrows.append({"metric": name, "derived": vals})
        for n in notes.get(part, []):
            print(f"  ({n})")
        doc["parts"].append({"part": part, "title": title, "ref": ref, "rows": jrows})
    for p in notes:
        if p not in PARTS:
            print()
            print(f"{p}:")
            for n in notes[p]:
                print(f"  {n}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(doc, f, indent=1)


GNUPLOT_HEAD = """set terminal pngcairo size 900,560 noenhanced font ",11"
set key top left box opaque
set grid
"""


def plot(args):
    os.makedirs(args.plot, exist_ok=True)
    made = []
    for path in args.files:
        doc = json.load(open(path))
        eng = doc["meta"].get("engine", "engine")
        parts = {p["part"]: p for p in doc["parts"]}

        def series(part, metric, stack):
            pts = []
            for r in parts.get(part, {}).get("rows", []):
                if r.get("metric") == metric and r.get(stack) and num(r["x"]) is not None:
                    pts.append((num(r["x"]), r[stack]["median"], r[stack]["min"], r[stack]["max"]))
            return sorted(pts)

        def emit(name, title, xl, yl, sets, extra=""):
            dat = os.path.join(args.plot, f"{name}-{eng}.dat")
            cmds, idx = [], 0
            with open(dat, "w") as f:
                for legend, pts in sets:
                    if not pts:
                        continue
                    f.write(f"# {legend}\n")
                    for p in pts:
                        f.write(" ".join(f"{v:g}" for v in p) + "\n")
                    f.write("\n\n")
                    cmds.append(f"'{dat}' index {idx} using 1:2:3:4 with yerrorlines title '{legend}'")
                    idx += 1
            if not cmds:
                return
            png = os.path.join(args.plot, f"{name}-{eng}.png")
            script = GNUPLOT_HEAD + extra + (
                f"set output '{png}'\nset title '{title} ({eng}, {doc['meta'].get('kernel', '')})'\n"
                f"set xlabel '{xl}'\nset ylabel '{yl}'\nplot " + ", ".join(cmds) + "\n")
            subprocess.run(["gnuplot"], input=script, text=True, check=True)
            made.append(png)

        sets = []
        for alg in ("AES-GCM-16-128", "ChaCha20-Poly1305"):
            for st, name in (("ksad", "ksad"), ("ref", "XFRM")):
                pts = [(x, m * x * 8 / 1e6, lo * x * 8 / 1e6, hi * x * 8 / 1e6)
                       for x, m, lo, hi in series("udp", alg, st)]
                sets.append((f"{name}, {alg}", pts))
        emit("throughput", "UDP payload received vs datagram size", "datagram (bytes)",
             "Mbit/s of payload", sets)
        emit("lookup", "SA lookup vs SAs installed", "SAs", "ns per lookup",
             [("ksad", series("lookup", "ns", "ksad")), ("XFRM", series("lookup", "ns", "ref")),
              ("one random load, no table", series("lookup", "chase", "ksad"))],
             "set logscale x\n")
        mc = parts.get("multicore", {}).get("rows", [])
        sets = []
        for st, name in (("ksad", "ksad"), ("ref", "XFRM")):
            for kind in ("two SAs", "one SA"):
                pts = []
                for r in mc:
                    if (r.get("metric") == "pps" and r.get(st) and
                            r.get("x") in ("1", f"2 {kind.replace(' ', '-')}")):
                        pts.append((1 if r["x"] == "1" else 2, r[st]["median"], r[st]["min"],
                                    r[st]["max"]))
                sets.append((f"{name}, {kind}", sorted(pts)))
        emit("scaling", "Aggregate UDP throughput vs CPUs sending", "CPUs", "packets/s",
             [s for s in sets if len(s[1]) == 2], "set xrange [0.8:2.2]\nset xtics 1\n")
    for m in made:
        print(m)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--csv")
    ap.add_argument("--notes")
    ap.add_argument("--about")
    ap.add_argument("--json")
    ap.add_argument("--plot")
    ap.add_argument("files", nargs="*")
    args = ap.parse_args()
    if args.plot:
        plot(args)
    elif args.csv:
        report(args)
    else:
        ap.error("--csv or --plot")
    return 0


if __name__ == "__main__":
    sys.exit(main())
