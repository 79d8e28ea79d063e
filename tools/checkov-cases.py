#!/usr/bin/env python3
"""Brings checkov's own test cases for owlet's rules into a fixture root.

    tools/checkov-cases.py CHECKOV_GIT_DIR OUTDIR < ids

CHECKOV_GIT_DIR is a clone (or bare mirror) of bridgecrewio/checkov; ids
are owlet's rule ids (`owlet check --list-rules | cut -f1`).  For each id
whose checkov test is a directory of .tf files with the expected passing and
failing resources (tests/terraform/checks/resource/aws/example_<Check>/ with
test_<Check>.py's passing_resources/failing_resources, or
tests/terraform/graph/checks/resources/<Check>/ with expected.yaml), it
writes OUTDIR/<ID>/ (the test's .tf files, made to plan offline: provider,
terraform and module blocks dropped, a default given to each variable
without one) and a module call in OUTDIR/main.tf, and prints checkov's
verdicts as "ID module.ID.ADDRESS PASSED|FAILED" lines.  Only facts are
read: the test resources and their expected verdicts, not checkov's code.
"""
import os
import re
import subprocess
import sys

import yaml

RES = "tests/terraform/checks/resource/aws"
GRAPH = "tests/terraform/graph/checks/resources"


def git(repo, *args):
    return subprocess.run(["git", "-C", repo, *args], check=True, capture_output=True).stdout.decode()


def ls(repo, path):
    try:
        return [p for p in git(repo, "ls-tree", "--name-only", "HEAD", path + "/").split("\n") if p]
    except subprocess.CalledProcessError:
        return []


def top_blocks(text):
    """Yields (start, end, header) of each top-level block."""
    i, n = 0, len(text)
    while i < n:
        m = re.compile(r"^([a-z_]+)([^\n{]*)\{", re.M).search(text, i)
        if not m:
            return
        depth, j = 0, m.end() - 1
        while j < n:
            c = text[j]
            if c == "#" or text.startswith("//", j):
                j = text.find("\n", j)
                j = n if j < 0 else j
                continue
            if text.startswith("/*", j):
                j = text.find("*/", j)
                j = n if j < 0 else j + 2
                continue
            if c == '"':
                j += 1
                while j < n and text[j] != '"':
                    j += 2 if text[j] == "\\" else 1
            elif text.startswith("<<", j):
                h = re.compile(r"<<-?([A-Z_]+)\n").match(text, j)
                if h:
                    e = re.compile(r"^\s*" + h.group(1) + r"\s*$", re.M).search(text, h.end())
                    j = e.end() if e else n
                    continue
            elif c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        yield m.start(), j + 1, m.group(1) + m.group(2)
        i = j + 1


DEFAULTS = {"number": "1", "bool": "false", "list": "[]", "set": "[]", "map": "{}", "object": "{}"}


def sanitize(text):
    out, last = [], 0
    for start, end, header in top_blocks(text):
        kind = header.split()[0]
        block = text[start:end]
        out.append(text[last:start])
        last = end
        if kind in ("provider", "terraform", "module"):
            out.append("# (owlet: a %s block dropped to plan offline)\n" % kind)
            continue
        if kind == "variable" and not re.search(r"^\s*default\s*=", block, re.M):
            t = re.search(r"^\s*type\s*=\s*([a-z]+)", block, re.M)
            value = DEFAULTS.get(t.group(1) if t else "", '"checkov-case"')
            block = block[:-1].rstrip() + "\n  default = %s # (owlet: a default, to plan)\n}" % value
        out.append(block)
    out.append(text[last:])
    return "".join(out)


def py_set(src, name):
    m = re.search(name + r"\s*=\s*\{([^}]*)\}", src)
    return set(re.findall(r"[\"']([^\"']+)[\"']", m.group(1))) if m else None


def cases(repo, rid):
    """(tf paths, passing, failing) of the rule's checkov test, or None."""
    hit = [l for l in git(repo, "grep", "-l", '"%s"' % rid, "HEAD", "--", "checkov/terraform/checks").split("\n") if l]
    if not hit:
        return None
    path = hit[0].split(":", 1)[1]
    name = os.path.splitext(os.path.basename(path))[0]
    if "graph_checks" in path:
        files = [p for p in ls(repo, GRAPH + "/" + name) if p.endswith(".tf")]
        exp = ls(repo, GRAPH + "/" + name)
        if not files or GRAPH + "/" + name + "/expected.yaml" not in exp:
            return None
        e = yaml.safe_load(git(repo, "show", "HEAD:%s/%s/expected.yaml" % (GRAPH, name))) or {}
        return files, set(e.get("pass") or []), set(e.get("fail") or [])
    example = [p for p in ls(repo, RES) if p.lower() == (RES + "/example_" + name).lower()]  # may differ in case
    files = [p for p in ls(repo, example[0]) if p.endswith(".tf")] if example else []
    if not files:
        return None
    want = ("%s/test_%s.py" % (RES, name)).lower()
    test = [p for p in ls(repo, RES) if p.lower() == want]  # the test's name may differ in case
    if not test:
        return None
    src = git(repo, "show", "HEAD:" + test[0])
    ok, bad = py_set(src, "passing_resources"), py_set(src, "failing_resources")
    if ok is None or bad is None:
        return None
    return files, ok, bad


def main():
    repo, outdir = sys.argv[1], sys.argv[2]
    commit = git(repo, "rev-parse", "HEAD").strip()
    os.makedirs(outdir, exist_ok=True)
    calls = []
    for rid in [l.strip() for l in sys.stdin if l.strip()]:
        c = cases(repo, rid)
        if not c:
            print("# %s: checkov's test has no .tf directory with expected resources" % rid)
            continue
        files, ok, bad = c
        d = os.path.join(outdir, rid)
        os.makedirs(d, exist_ok=True)
        for f in files:
            text = git(repo, "show", "HEAD:" + f)
            with open(os.path.join(d, os.path.basename(f)), "w") as fh:
                fh.write("# checkov's test case for %s: %s at %s (test data;\n"
                         "# changed only as the owlet: comments say)\n" % (rid, f, commit[:12]))
                fh.write(sanitize(text))
        calls.append(rid)
        for verdict, addrs in (("PASSED", ok - bad), ("FAILED", bad - ok)):
            for a in sorted(addrs):
                if not a.startswith("module."):
                    print("%s module.%s.%s %s" % (rid, rid, a, verdict))
    with open(os.path.join(outdir, "main.tf"), "w") as fh:
        fh.write("# Checkov's own test cases for owlet's rules, one module each (written by\n"
                 "# tools/checkov-cases.py from bridgecrewio/checkov %s).\n" % commit[:12])
        fh.write('terraform {\n  required_providers {\n    aws = { source = "hashicorp/aws" }\n  }\n}\n\n')
        fh.write('provider "aws" {\n  region = "us-east-1"\n}\n')
        for rid in calls:
            fh.write('\nmodule "%s" {\n  source = "./%s"\n}\n' % (rid, rid))


if __name__ == "__main__":
    main()
