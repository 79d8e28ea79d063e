#!/usr/bin/env python3
"""Lambda init time, RSS and handler latency of the owlet artifact, locally.

usage: lambda_init.py ZIP MODEL.json [RUNS [PEER_ZIP...]]

For each program (the unzipped artifact, and peers: other artifacts given as
PEER_ZIP (say, a build with Debian's shared libcurl), the same bootstrap
with the system's libraries when it has any, and a minimal Python runtime
loop doing what AWS's Python runtime does before its first `next`), RUNS
times, interleaved (run 1 of every program, then run 2, ...) so that the
load of a shared machine falls on all of them alike:
  init  = exec -> the first GET /2018-06-01/runtime/invocation/next, as the
          Runtime API server (tests/lambda_runtime_api.py) receives it
  RSS   = VmHWM (peak resident set) after 200 GET /datasets invocations
  p50/p99 of the handler time: invocation handed out -> response received
Prints a table with medians and the ratio to the C artifact.
"""
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = os.path.join(HERE, "..", "tests", "lambda_runtime_api.py")

PY_PEER = r'''
import json, os, urllib.request
api = os.environ["AWS_LAMBDA_RUNTIME_API"]
model = json.loads(os.environ["OWLET_MODEL"])
base = "http://%s/2018-06-01/runtime/invocation/" % api
while True:
    with urllib.request.urlopen(base + "next") as r:
        rid = r.headers["Lambda-Runtime-Aws-Request-Id"]
        event = json.loads(r.read())
    body = json.dumps({"statusCode": 200, "headers": {"content-type": "application/json"},
                       "body": json.dumps({"datasets": list(model["datasets"])}), "isBase64Encoded": False})
    urllib.request.urlopen(urllib.request.Request(base + rid + "/response", data=body.encode(), method="POST")).read()
'''

EVENT = {"version": "2.0", "rawPath": "/datasets",
         "requestContext": {"stage": "$default", "http": {"method": "GET", "path": "/datasets"},
                            "authorizer": {"jwt": {"claims": {"sub": "u", "cognito:groups": "[analysts editors]"}}}}}


def one_run(argv, env, n_events, workdir):
    plan = [{"id": "b-%d" % i, "event": EVENT} for i in range(n_events)]
    plan[-1]["delay_ms"] = 300  # time to read the peak RSS before the last one
    for f in ("log.json", "port"):
        if os.path.exists(os.path.join(workdir, f)):
            os.unlink(os.path.join(workdir, f))
    with open(os.path.join(workdir, "plan.json"), "w") as f:
        json.dump(plan, f)
    srv = subprocess.Popen([sys.executable, SERVER, "plan.json", "log.json", "port"], cwd=workdir)
    port_file = os.path.join(workdir, "port")
    for _ in range(200):
        if os.path.exists(port_file):
            break
        time.sleep(0.01)
    env = dict(env, AWS_LAMBDA_RUNTIME_API="127.0.0.1:" + open(port_file).read())
    t0 = time.time()
    prog = subprocess.Popen(argv, env=env, stderr=subprocess.DEVNULL)
    rss = None
    # wait until the last invocation is being held, then read the peak RSS
    while prog.poll() is None:
        time.sleep(0.02)
        try:
            with open(os.path.join(workdir, "log.json")):
                break
        except FileNotFoundError:
            pass
        try:
            with open("/proc/%d/status" % prog.pid) as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        rss = int(line.split()[1])
        except FileNotFoundError:
            break
    prog.wait()
    srv.wait()
    log = json.load(open(os.path.join(workdir, "log.json")))["requests"]
    first_next = next(r["time"] for r in log if r["method"] == "GET")
    # handler time: a GET next (answered at once) to the POST that answers it
    lat = [b["time"] - a["time"] for a, b in zip(log, log[1:])
           if a["method"] == "GET" and b["method"] == "POST"][:-1]
    return (first_next - t0) * 1000, rss, lat


def main():
    zip_path, model_path = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    peer_zips = sys.argv[4:]
    work = tempfile.mkdtemp(prefix="owlet-bench-")
    try:
        def unzip(path, name):
            task = os.path.join(work, name)
            with zipfile.ZipFile(path) as z:
                z.extractall(task)
                for info in z.infolist():
                    os.chmod(os.path.join(task, info.filename), info.external_attr >> 16 & 0o777)
            return task
        task = unzip(zip_path, "task")
        model = open(model_path).read()
        base_env = {"PATH": "/usr/bin:/bin", "OWLET_MODEL": model, "LAMBDA_TASK_ROOT": task}
        sys_bootstrap = os.path.join(HERE, "..", "build", "lambda", "bootstrap")
        programs = [("owlet bootstrap (zip, %d files)" % len(zipfile.ZipFile(zip_path).namelist()),
                     [os.path.join(task, "bootstrap")])]
        for i, peer in enumerate(peer_zips):
            ptask = unzip(peer, "peer%d" % i)
            programs.append(("peer zip %d (%d files)" % (i + 1, len(zipfile.ZipFile(peer).namelist())),
                             [os.path.join(ptask, "bootstrap")]))
        if os.path.isdir(os.path.join(task, "lib")):
            programs.append(("owlet bootstrap (system libs)", [sys_bootstrap]))
        programs.append(("python3 runtime loop (peer)", [sys.executable, "-c", PY_PEER]))
        programs = [(n, a) for n, a in programs if os.path.exists(a[0])]
        res = {n: ([], [], []) for n, _ in programs}
        for _ in range(runs):
            for name, argv in programs:
                init, rss, lat = one_run(argv, base_env, 200, work)
                inits, rsss, lats = res[name]
                inits.append(init)
                if rss:
                    rsss.append(rss)
                lats.extend(lat)
        rows = []
        for name, _ in programs:
            inits, rsss, lats = res[name]
            lats.sort()
            rows.append((name, statistics.median(inits), max(inits),
                         statistics.median(rsss) / 1024 if rsss else float("nan"),
                         lats[len(lats) // 2] * 1000, lats[int(len(lats) * 0.99)] * 1000))
        for i, p in enumerate([zip_path] + peer_zips):
            print("zip %d: %s, %d bytes, %d files" % (i, p, os.path.getsize(p), len(zipfile.ZipFile(p).namelist())))
        print("runs: %d per program, interleaved, 200 GET /datasets invocations each (no S3)" % runs)
        print("%-38s %10s %9s %9s %12s %12s %8s" % ("program", "init p50", "init max", "RSS MB", "handler p50", "handler p99", "init x"))
        ref = rows[0][1]
        for name, i50, imax, rss, l50, l99 in rows:
            print("%-38s %8.1f ms %6.1f ms %9.1f %9.3f ms %9.3f ms %8.2f" % (name, i50, imax, rss, l50, l99, i50 / ref))
    finally:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
