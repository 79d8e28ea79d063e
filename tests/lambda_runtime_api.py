#!/usr/bin/env python3
"""A minimal Lambda Runtime API server for owlet's tests (and bench/).

usage: lambda_runtime_api.py PLAN.json LOG.json PORTFILE

PLAN.json is a list of invocations, each
  {"event": <any JSON, or a string sent as is when "raw": true>,
   "id": "request id", "deadline_in_ms": 3000, "trace_id": "Root=..."}
The server listens on a free port of 127.0.0.1 (written to PORTFILE), hands
the invocations out in order on GET /2018-06-01/runtime/invocation/next, and
records every request it gets (method, path, headers, body, time).  When the
plan is used up, the next `next` is answered 410, LOG.json is written and the
server exits: the program under test then loses its Runtime API.  A POST to
/runtime/init/error also ends the run (LOG.json written).
"""
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PREFIX = "/2018-06-01/runtime"


def main():
    plan_path, log_path, port_path = sys.argv[1:4]
    with open(plan_path) as f:
        plan = json.load(f)
    log = {"start": time.time(), "requests": []}
    state = {"next": 0}
    done = threading.Event()

    def finish():
        with open(log_path + ".tmp", "w") as f:
            json.dump(log, f, indent=1)
        import os
        os.replace(log_path + ".tmp", log_path)
        done.set()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # else delayed ACKs add 40 ms per answer

        def log_message(self, *args):
            pass

        def record(self, body):
            log["requests"].append({
                "time": time.time(),
                "method": self.command,
                "client_port": self.client_address[1],
                "path": self.path,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": body.decode("utf-8", "replace"),
            })

        def answer(self, status, body=b"", headers=None):
            self.send_response(status)
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            self.record(b"")
            if self.path != PREFIX + "/invocation/next":
                return self.answer(404, b'{"errorMessage":"unknown path"}')
            i = state["next"]
            if i >= len(plan):
                self.answer(410, b'{"errorMessage":"no more invocations"}')
                finish()
                return
            state["next"] = i + 1
            inv = plan[i]
            if inv.get("delay_ms"):
                time.sleep(inv["delay_ms"] / 1000)
            ev = inv["event"]
            body = ev.encode() if inv.get("raw") else json.dumps(ev).encode()
            deadline = int(time.time() * 1000) + int(inv.get("deadline_in_ms", 3000))
            headers = {
                "Content-Type": "application/json",
                "Lambda-Runtime-Aws-Request-Id": inv.get("id", "req-%d" % i),
                "Lambda-Runtime-Deadline-Ms": str(deadline),
                "Lambda-Runtime-Invoked-Function-Arn":
                    "arn:aws:lambda:us-east-1:123456789012:function:owlet-test",
            }
            if inv.get("trace_id"):
                headers["Lambda-Runtime-Trace-Id"] = inv["trace_id"]
            self.answer(200, body, headers)

        def do_POST(self):
            n = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(n) if n else b""
            self.record(body)
            if self.path == PREFIX + "/init/error":
                self.answer(202, b'{"status":"OK"}')
                finish()
                return
            parts = self.path[len(PREFIX):].split("/")
            # ['', 'invocation', ID, 'response'|'error']
            if (len(parts) == 4 and parts[1] == "invocation"
                    and parts[3] in ("response", "error")):
                return self.answer(202, b'{"status":"OK"}')
            self.answer(404, b'{"errorMessage":"unknown path"}')

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    with open(port_path + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    import os
    os.replace(port_path + ".tmp", port_path)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                     daemon=True).start()
    done.wait()
    time.sleep(0.02)
    server.shutdown()


if __name__ == "__main__":
    main()
