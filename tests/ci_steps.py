#!/usr/bin/env python3
"""Runs one job of a GitHub Actions workflow on this machine, as the runner would
run its `run:` steps: in order, each with `bash --noprofile --norc -eo pipefail`,
the workflow's, job's and step's env, and what GitHub sets (GITHUB_ACTIONS,
GITHUB_STEP_SUMMARY, GITHUB_OUTPUT, GITHUB_ENV, GITHUB_PATH, RUNNER_TEMP).
A step with `uses:` cannot run here and is reported as such; after a failure,
later steps run only when their `if:` says always() or failure(), as on GitHub.

usage: ci_steps.py WORKFLOW JOB OUTDIR [--set K=V]... [--step-set NAME:K=V]... [--skip NAME-SUBSTRING]...
(--step-set: K=V for the step named NAME only)
Writes OUTDIR/report.json: [{"name","kind":"run"|"uses"|"skipped","rc","seconds","log"}]
and OUTDIR/summary.md (the step summary).  Exit 0 (the report says what failed).
"""
import json, os, subprocess, sys, time

import yaml


def main():
    args = sys.argv[1:]
    if len(args) < 3:
        sys.exit(__doc__)
    wf_path, job_name, out = args[:3]
    sets, skips, step_sets = {}, [], {}
    rest = args[3:]
    while rest:
        opt, val = rest[0], rest[1]
        rest = rest[2:]
        if opt == "--set":
            k, v = val.split("=", 1)
            sets[k] = v
        elif opt == "--step-set":
            step, kv = val.split(":", 1)
            k, v = kv.split("=", 1)
            step_sets.setdefault(step, {})[k] = v
        elif opt == "--skip":
            skips.append(val)
        else:
            sys.exit("unknown option " + opt)
    with open(wf_path) as f:
        wf = yaml.safe_load(f)
    job = wf["jobs"][job_name]
    os.makedirs(out, exist_ok=True)
    files = {k: os.path.join(out, k.lower()) for k in ("GITHUB_STEP_SUMMARY", "GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_PATH")}
    for p in files.values():
        open(p, "w").close()
    env = dict(os.environ)
    for scope in (wf.get("env") or {}, job.get("env") or {}):
        env.update({k: str(v) for k, v in scope.items()})
    env.update(files)
    env.update(GITHUB_ACTIONS="true", CI="true", RUNNER_TEMP=os.path.join(out, "runner-temp"),
               GITHUB_WORKSPACE=os.getcwd(), GITHUB_JOB=job_name)
    os.makedirs(env["RUNNER_TEMP"], exist_ok=True)
    env.update(sets)
    report, failed = [], False
    for i, step in enumerate(job["steps"]):
        name = step.get("name") or step.get("uses") or "step %d" % (i + 1)
        cond = str(step.get("if", ""))
        runs_after_failure = "always()" in cond or "failure()" in cond
        if "uses" in step:
            report.append({"name": name, "kind": "uses", "uses": step["uses"]})
            continue
        if failed and not runs_after_failure:
            report.append({"name": name, "kind": "skipped", "why": "an earlier step failed"})
            continue
        if any(s in name for s in skips):
            report.append({"name": name, "kind": "skipped", "why": "--skip"})
            continue
        step_env = dict(env)
        step_env.update({k: str(v) for k, v in (step.get("env") or {}).items()})
        step_env.update(step_sets.get(name, {}))
        for k, v in step_env.items():
            if "${{" in v:
                sys.exit("step %r: env %s=%r needs GitHub's expressions; give it with --set" % (name, k, v))
        script = os.path.join(out, "step-%d.sh" % i)
        log = os.path.join(out, "step-%d.log" % i)
        with open(script, "w") as f:
            f.write(step["run"])
        t0 = time.monotonic()
        with open(log, "w") as lf:
            rc = subprocess.call(["bash", "--noprofile", "--norc", "-eo", "pipefail", script],
                                 env=step_env, stdout=lf, stderr=subprocess.STDOUT,
                                 cwd=step.get("working-directory") or None)
        secs = round(time.monotonic() - t0, 2)
        report.append({"name": name, "kind": "run", "rc": rc, "seconds": secs, "log": log})
        failed = failed or rc != 0
        # what a step hands on to the next: GITHUB_PATH and GITHUB_ENV (KEY=VALUE lines)
        with open(files["GITHUB_PATH"]) as f:
            for line in f.read().split():
                env["PATH"] = line + os.pathsep + env["PATH"]
        open(files["GITHUB_PATH"], "w").close()
        with open(files["GITHUB_ENV"]) as f:
            for line in f.read().splitlines():
                if "=" in line:
                    k, v = line.split("=", 1)
                    env[k] = v
        open(files["GITHUB_ENV"], "w").close()
    with open(os.path.join(out, "report.json"), "w") as f:
        json.dump(report, f, indent=1)


if __name__ == "__main__":
    main()
