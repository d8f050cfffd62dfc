#!/usr/bin/env python3
"""Judge one lab boot: the groups' TAP, the end-of-run marker, the boot's
exit code, the kernel log and kmemleak.  Prints one TAP-style line per
result ("ok - ..." / "not ok - ...") and writes "passed failed" to --counts.
"""
import argparse
import os
import re
import sys

# Any of these in the guest's console log fails the run.  No allow-list:
# a splat in the lab kernel itself must be fixed (see tests/lab/patches/).
SPLAT = re.compile(
    r"BUG:|WARNING:|Oops|kernel BUG|KASAN|UBSAN|general protection|"
    r"possible recursive locking|possible circular locking|"
    r"inconsistent lock state|suspicious RCU usage|lock held when returning|"
    r"DEBUG_LOCKS_WARN|INFO: task .* blocked|soft lockup|hard LOCKUP|"
    r"Kernel panic|ODEBUG:|list_add corruption|"
    r"list_del corruption|RCU stall|rcu: INFO:|detected stalls? on CPU|"
    r"rcu_\w+ kthread starved")
TAP = re.compile(r"^(not )?ok\b\s*\d*\s*(?:-\s*)?(.*)$")


# A backtrace frame in ksad: symbolised while the module is loaded, a bare
# address once it is unloaded (core kernel frames always resolve).
KSAD_FRAME = re.compile(r"\[ksad\]|\[<[0-9a-f]+>\] 0x[0-9a-f]+\s*$", re.M)


def kmemleak_split(text):
    """Split kmemleak's report into (ksad's, others') by allocation stack."""
    reports = ["unreferenced object" + r
               for r in text.split("unreferenced object")[1:]]
    ours = [r for r in reports if KSAD_FRAME.search(r.split("backtrace:")[-1])]
    return ours, [r for r in reports if r not in ours]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lab", required=True)
    ap.add_argument("--results", required=True)
    ap.add_argument("--console", required=True)
    ap.add_argument("--groups", required=True)
    ap.add_argument("--boot-rc", type=int, required=True)
    ap.add_argument("--counts", required=True)
    a = ap.parse_args()

    passed = failed = 0

    def result(ok, what):
        nonlocal passed, failed
        print(("ok - " if ok else "not ok - ") + f"{a.lab}: {what}")
        if ok:
            passed += 1
        else:
            failed += 1

    for g in a.groups.split(","):
        tap = os.path.join(a.results, g + ".tap")
        rcf = os.path.join(a.results, g + ".rc")
        n = 0
        shown = 0
        lines = []
        if os.path.exists(tap):
            with open(tap, errors="replace") as f:
                lines = f.read().splitlines()
        why = False
        for line in lines:
            m = TAP.match(line)
            if m:
                n += 1
                why = m.group(1) is not None
                result(not why, f"{g}: {m.group(2)}")
                continue
            if line.startswith("# KSAD-LAB:"):
                why = True  # the lab's own words: a time-out, leftovers
            if why and line.startswith(("#   ", "# KSAD-LAB:")) and shown < 200:
                # the why of a failure, so that CI's log shows it
                print(line)
                shown += 1
        if not os.path.exists(rcf):
            # the whole boot ended inside this group: its last words
            print(f"# {g}: the last lines it wrote:")
            for line in lines[-30:]:
                print("#   " + line)
            result(False, f"{g}: group did not finish")
            continue
        took = os.path.join(a.results, g + ".time")
        if os.path.exists(took):
            print(f"# {g}: took {open(took).read().strip()} s")
        rc = int(open(rcf).read().strip() or 1)
        if rc == 124 or rc == 137:
            result(False, f"{g}: group timed out and was killed")
        elif rc != 0:
            result(False, f"{g}: group exited with status {rc}")
        if n == 0:
            result(False, f"{g}: group reported no test")

    result(os.path.exists(os.path.join(a.results, "done")),
           "guest reached the end-of-run marker")
    with open(a.console, errors="replace") as f:
        console = [ln.rstrip() for ln in f]
    # What the kernel itself printed last (not the groups' "[group] " lines):
    # a guest that stopped making progress usually says why there.
    kernel = [ln for ln in console if not re.match(r"\[[a-z0-9_-]+\] ", ln)]
    result(a.boot_rc == 0, f"guest powered off cleanly (exit {a.boot_rc})" +
           ("" if a.boot_rc == 0 else " -- the console's last kernel lines:" +
            "".join("\n#   " + ln for ln in kernel[-25:])))

    splats = [ln for ln in console if SPLAT.search(ln)]
    # The 60 kernel lines after the kernel's first splat (its call trace),
    # so that a crash seen only in CI's log can still be read there.
    trace = []
    first = next((i for i, ln in enumerate(kernel) if SPLAT.search(ln)), None)
    if first is not None:
        trace = ["-- what the kernel printed after the first:"] + \
            kernel[first + 1:first + 61]
    result(not splats, "kernel log free of KASAN/lockdep/WARNING/BUG" +
           "".join("\n#   " + s for s in splats[:20] + trace))

    # kmemleak is information only: in this lab kernel it reports objects
    # that were freed after an RCU grace period (README, "kmemleak").  Leaks
    # of ksad's own objects are caught by its accounting, which WARNs.
    leak = os.path.join(a.results, "kmemleak.txt")
    if os.path.exists(leak):
        ours, others = kmemleak_split(open(leak, errors="replace").read())
        print(f"# kmemleak (information only): {len(ours)} report(s) with "
              f"ksad code on the allocation stack, {len(others)} without")

    with open(a.counts, "w") as f:
        f.write(f"{passed} {failed}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
