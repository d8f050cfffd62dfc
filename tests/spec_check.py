#!/usr/bin/env python3
"""Keep the family's three descriptions in agreement (TAP output):

  Documentation/netlink/specs/ksad.yaml   the spec (checked against the
                                          kernel's schema, genetlink.yaml)
  uapi/linux/ksad.h                       the C contract
  kernel/netlink.c                        the kernel's policies and the
                                          attributes each operation takes

Names follow the YNL conventions: attribute set "sa" with name-prefix
"ksad-sa-" is enum KSAD_SA_*, enum "dir" entry "in" is KSAD_DIR_IN, and so on.
"""
import os
import re
import sys

import jsonschema
import yaml

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
n = failed = 0


def result(ok, what, detail=""):
    global n, failed
    n += 1
    if not ok:
        failed += 1
    print(("ok" if ok else "not ok") + f" {n} - {what}")
    if not ok and detail:
        for line in str(detail).splitlines()[:15]:
            print("#   " + line)


def c_name(*parts):
    return "_".join(p.upper().replace("-", "_") for p in parts if p)


def header_values(text):
    """Every #define KSAD_X <int> and enum constant of the header."""
    vals = {}
    for m in re.finditer(r"#define\s+(KSAD_\w+)\s+(\d+)\b", text):
        vals[m.group(1)] = int(m.group(2))
    for body in re.findall(r"enum\s+\w+\s*\{(.*?)\};", text, re.S):
        body = re.sub(r"/\*.*?\*/", "", body, flags=re.S)
        nxt = 0
        for item in body.split(","):
            item = item.strip()
            if not item:
                continue
            name, _, expr = item.partition("=")
            name = name.strip()
            if expr.strip():
                expr = expr.strip()
                nxt = eval(re.sub(r"\b(_*KSAD_\w+)\b", lambda m: str(vals[m.group(1)]), expr))
            vals[name] = nxt
            nxt += 1
    return vals


def policies(text):
    """{policy name: {attr const: entry text}} from the nla_policy arrays."""
    out = {}
    for m in re.finditer(r"static const struct nla_policy (\w+)\[[^]]*\] = \{(.*?)\n\};", text, re.S):
        entries = {}
        for e in re.finditer(r"\[(KSAD_\w+)\]\s*=\s*(.*?[)}]),\n", m.group(2) + "\n", re.S):
            entries[e.group(1)] = " ".join(e.group(2).split())
        out[m.group(1)] = entries
    return out


def num(expr, vals):
    expr = expr.strip()
    return vals[expr] if expr in vals else int(expr, 0)


def expected_policy(attr, set_policy_names):
    """What the kernel policy must say for a YAML attribute: (type, checks)."""
    t = attr["type"]
    be = attr.get("byte-order") == "big-endian"
    nla = {"u8": "NLA_U8", "u16": "NLA_BE16" if be else "NLA_U16",
           "u32": "NLA_BE32" if be else "NLA_U32", "u64": "NLA_U64",
           "flag": "NLA_FLAG", "binary": "NLA_BINARY", "nest": "NLA_NESTED"}[t]
    return nla, attr.get("checks", {})


def parse_policy_entry(entry, vals):
    """(type, checks, nested policy) from one C policy initialiser."""
    m = re.match(r"NLA_POLICY_(MIN|MAX)\((\w+), (\w+)\)", entry)
    if m:
        return m.group(2), {m.group(1).lower(): num(m.group(3), vals)}, None
    m = re.match(r"NLA_POLICY_RANGE\((\w+), (\w+), (\w+)\)", entry)
    if m:
        return m.group(1), {"min": num(m.group(2), vals), "max": num(m.group(3), vals)}, None
    m = re.match(r"NLA_POLICY_EXACT_LEN\((\w+)\)", entry)
    if m:
        return "NLA_BINARY", {"exact-len": num(m.group(1), vals)}, None
    m = re.match(r"NLA_POLICY_NESTED\((\w+)\)", entry)
    if m:
        return "NLA_NESTED", {}, m.group(1)
    m = re.match(r"\{ \.type = (\w+)(?:, \.len = (\w+))? \}", entry)
    if m:
        checks = {"max-len": num(m.group(2), vals)} if m.group(2) else {}
        return m.group(1), checks, None
    return None, None, None


def main():
    spec_path = os.path.join(TOP, "Documentation/netlink/specs/ksad.yaml")
    schema = yaml.safe_load(open(os.path.join(TOP, "Documentation/netlink/genetlink.yaml")))
    spec = yaml.safe_load(open(spec_path))
    try:
        jsonschema.validate(spec, schema)
        result(True, "ksad.yaml is valid against the genetlink schema")
    except jsonschema.ValidationError as e:
        result(False, "ksad.yaml is valid against the genetlink schema", e.message)

    hdr = open(os.path.join(TOP, "uapi/linux/ksad.h")).read()
    vals = header_values(hdr)
    fam = spec["name"]

    # Definitions: constants and enums.
    for d in spec["definitions"]:
        if d["type"] == "const":
            name = c_name(fam, d["name"])
            result(vals.get(name) == d["value"], f"const {name} = {d['value']}",
                   f"header has {vals.get(name)}")
            continue
        start = d.get("value-start", 0)
        bad = []
        for i, e in enumerate(d["entries"]):
            ename, val = (e, start + i) if isinstance(e, str) else (e["name"], e["value"])
            name = c_name(fam, d["name"], ename)
            if vals.get(name) != val:
                bad.append(f"{name}: spec {val}, header {vals.get(name)}")
        result(not bad, f"enum {d['name']} matches the header", "\n".join(bad))

    # Attribute sets: numbering in the header, policies in the kernel.
    pol = policies((open(os.path.join(TOP, "kernel/netlink.c")).read() +
                    open(os.path.join(TOP, "kernel/spd.c")).read() +
                    open(os.path.join(TOP, "kernel/bypass.c")).read()).replace(
                        "\nconst struct nla_policy", "\nstatic const struct nla_policy"))
    # attributes that no request of their set carries (replies only)
    requested = {}
    for o in spec["operations"]["list"]:
        for kind in ("do", "dump"):
            req = o.get(kind, {}).get("request", {}).get("attributes", [])
            requested.setdefault(o.get("attribute-set"), set()).update(req)
    set_pol = {s["name"]: f"ksad_{s['name']}_policy" for s in spec["attribute-sets"]}
    for s in spec["attribute-sets"]:
        prefix = s["name-prefix"].rstrip("-")
        bad = []
        for i, a in enumerate(s["attributes"], start=1):
            name = c_name(prefix, a["name"])
            if vals.get(name) != i:
                bad.append(f"{name}: spec {i}, header {vals.get(name)}")
        if vals.get(c_name(prefix, "max")) != len(s["attributes"]):
            bad.append(f"{c_name(prefix, 'max')} is not {len(s['attributes'])}")
        result(not bad, f"attribute set {s['name']} matches the header", "\n".join(bad))

        p = pol.get(set_pol[s["name"]])
        if s["name"] == "stat":
            # replies only: the request policy rejects every attribute
            result("[1 ... KSAD_STAT_MAX] = { .type = NLA_REJECT }" in
                   open(os.path.join(TOP, "kernel/netlink.c")).read(),
                   "the kernel rejects counters in requests")
            continue
        if p is None:
            if s["name"] not in ("stats", "stat"):	# replies only: no policy
                result(False, f"kernel policy {set_pol[s['name']]} exists")
            continue
        bad = []
        for a in s["attributes"]:
            name = c_name(prefix, a["name"])
            if a["type"] == "pad":
                if name in p:
                    bad.append(f"{name}: a pad attribute has a policy")
                continue
            if name not in p:
                bad.append(f"{name}: no policy entry")
                continue
            if p[name] == "{ .type = NLA_REJECT }":
                if a["name"] in requested.get(s["name"], set()):
                    bad.append(f"{name}: rejected by the kernel, but a request carries it")
                continue
            want_t, want_c = expected_policy(a, set_pol)
            got_t, got_c, nested = parse_policy_entry(p[name], vals)
            want_c = {k: num(str(v), vals) if not isinstance(v, int) else v
                      for k, v in want_c.items()}
            if got_t != want_t or got_c != want_c:
                bad.append(f"{name}: spec {want_t} {want_c}, kernel {p[name]}")
            if a["type"] == "nest" and a["attributes" if False else "nested-attributes"] != "stats" \
                    and nested != set_pol[a["nested-attributes"]]:
                bad.append(f"{name}: nests {nested}, spec {a['nested-attributes']}")
        extra = set(p) - {c_name(prefix, a["name"]) for a in s["attributes"]}
        bad += [f"{x}: in the kernel policy, not in the spec" for x in sorted(extra)]
        result(not bad, f"kernel policy of {s['name']} matches the spec", "\n".join(bad))

    # Operations: numbering, and the attributes each request may carry.
    ops = spec["operations"]["list"]
    bad = [f"{c_name('ksad-cmd', o['name'])}: spec {i}, header {vals.get(c_name('ksad-cmd', o['name']))}"
           for i, o in enumerate(ops, start=1)
           if vals.get(c_name("ksad-cmd", o["name"])) != i]
    result(not bad, "commands match the header", "\n".join(bad))

    nl = open(os.path.join(TOP, "kernel/netlink.c")).read()
    table = re.search(r"ksad_req_attrs\[KSAD_CMD_MAX \+ 1\] = \{(.*?)\n\};", nl, re.S).group(1)
    c_req = {m.group(1): set(re.findall(r"A\((\w+)\)", m.group(2)))
             for m in re.finditer(r"\[KSAD_CMD_(\w+)\]\s*=\s*(.*?),\n", table + "\n", re.S)}
    dump = set(re.findall(r"A\((\w+)\)", re.search(r"ksad_dump_attrs = (.*?);", nl, re.S).group(1)))
    spd = open(os.path.join(TOP, "kernel/spd.c")).read()
    padd = set(re.findall(r"P\((\w+)\)", re.search(r"ksad_policy_add_attrs = (.*?);", spd, re.S).group(1)))
    want = {c_name(a) for o in ops if o["name"] == "policy-add"
            for a in o["do"]["request"]["attributes"]}
    result(want == padd, "request attributes of policy-add match the kernel",
           f"spec only: {sorted(want - padd)}\nkernel only: {sorted(padd - want)}")
    for o in ops:
        cmd = c_name(o["name"])
        if "do" not in o and "dump" not in o:
            continue
        if o.get("attribute-set") == "sa":
            want = {c_name(a) for a in o.get("do", {}).get("request", {}).get("attributes", [])}
            got = c_req.get(cmd, set())
            result(want == got, f"request attributes of {o['name']} match the kernel",
                   f"spec only: {sorted(want - got)}\nkernel only: {sorted(got - want)}")
            if "dump" in o:
                want = {c_name(a) for a in o["dump"]["request"]["attributes"]}
                result(want == dump, f"dump filters of {o['name']} match the kernel",
                       f"spec only: {sorted(want - dump)}\nkernel only: {sorted(dump - want)}")
        has_op = re.search(rf"KSAD_OP\({cmd}," , nl) or re.search(rf"\.cmd = KSAD_CMD_{cmd},", nl)
        result(bool(has_op), f"the kernel implements {o['name']}")
        if "admin-perm" in o.get("flags", []):
            result(nl.count("GENL_UNS_ADMIN_PERM") >= 2, f"{o['name']} needs CAP_NET_ADMIN")

    groups = [g["name"] for g in spec["mcast-groups"]["list"]]
    bad = [g for g in groups if f'#define KSAD_MCGRP_{c_name(g)}\t"{g}"' not in hdr.replace("\t\t", "\t")]
    result(not bad, "multicast groups match the header", f"missing: {bad}")

    print(f"1..{n}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
