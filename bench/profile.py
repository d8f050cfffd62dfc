#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Sum a `perf report --sort sym` of bench.sh's TCP run by kind of work.

  profile.py PERF-REPORT-LINES STACK    prints two lines for the notes
"""
import re
import sys

KINDS = [  # first match wins
    ("idle", r"default_idle|cpu_idle|do_idle|native_safe_halt|pv_native_safe_halt|acpi_idle|mwait|poll_idle"),
    ("FPU save/restore", r"fpu|xsave|xrstor|fpregs|fpstate"),
    ("crypto", r"aes|gcm|ghash|gf128|chacha|poly1305|clmul|crypto_|cryptd|simd|scatterwalk|_avx|_sse|encrypt|decrypt|_by_8|_by8|partial_block"),
    ("ksad", r"^ksad_"),
    ("xfrm/esp", r"xfrm|^esp|_esp|^__esp"),
    ("tcp", r"tcp"),
    ("ip/netfilter/veth", r"^ip_|^__ip|^ip6|nf_|^veth|netif|^__dev|dev_|napi|skb_gro|__netif|neigh|fib|rt_|dst_"),
    ("copy/checksum", r"copy|memcpy|memmove|memset|csum|clear_page"),
    ("skb/memory", r"skb|kmem|kmalloc|kfree|slab|page|alloc|free"),
    ("locks/scheduler", r"spin|lock|sched|schedule|switch|wake|irq|softirq|rcu"),
    ("user space", r"^0x|^\[\.\]|iperf|libc"),
]


def main():
    path, stack = sys.argv[1], sys.argv[2]
    tot, by, top = 0.0, {}, []
    for line in open(path):
        m = re.match(r"\s*([\d.]+)%\s+\[(.)\]\s+(\S+)", line)
        if not m:
            continue
        pct, where, sym = float(m.group(1)), m.group(2), m.group(3)
        kind = "user space" if where == "." else "other kernel"
        if where != ".":
            for k, rx in KINDS:
                if re.search(rx, sym):
                    kind = k
                    break
        by[kind] = by.get(kind, 0) + pct
        tot += pct
        if kind != "idle" and len(top) < 8:
            top.append(f"{sym} {pct:.1f}%")
    busy = tot - by.get("idle", 0)
    if busy <= 0:
        print(f"{stack}: no samples")
        return 0
    parts = sorted(((v, k) for k, v in by.items() if k != "idle"), reverse=True)
    print(f"{stack}, share of busy CPU time: " +
          ", ".join(f"{k} {100 * v / busy:.0f}%" for v, k in parts if 100 * v / busy >= 1))
    print(f"{stack}, top functions (of all samples): " + ", ".join(top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
