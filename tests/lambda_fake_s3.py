#!/usr/bin/env python3
"""A scripted S3 endpoint for owlet's Lambda tests: it checks every request's
AWS Signature Version 4 (computed here from the specification, with the
secret "testing"), and answers from a script, so that retries, throttling
and deadlines can be provoked.

usage: lambda_fake_s3.py SCRIPT.json LOG.json PORTFILE [CERT.pem KEY.pem]

With a certificate and key it speaks HTTPS.

SCRIPT.json: {"answers": [{"status": 503, "code": "SlowDown"},
                          {"status": 200, "body": "...", "sleep": 2.0},
                          {"status": 200, "body": "...", "headers": {"ETag": "\"abc-3\""}}, ...]}
Requests take the answers in order; when the script is used up they get 200
with an empty body.  "headers" are sent as they are (S3 quotes an ETag);
an answer without an ETag header has none.  Each request is logged in LOG.json {"requests": [...]} (method, raw path, headers, body
SHA-256, whether its signature is valid and why not); LOG.json is rewritten
after each request.  The process runs until it is killed.
"""
import hashlib
import hmac
import json
import os
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SECRET = "testing"


def sign(key, msg):
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


def uri_encode(s, keep_slash):
    safe = "-_.~" + ("/" if keep_slash else "")
    return urllib.parse.quote(s, safe=safe)


def check_sigv4(method, raw_path, headers, body):
    """Returns "" when the request is correctly signed, else why not."""
    auth = headers.get("authorization", "")
    if not auth.startswith("AWS4-HMAC-SHA256 "):
        return "no AWS4-HMAC-SHA256 authorization"
    parts = dict(p.strip().split("=", 1) for p in auth[len("AWS4-HMAC-SHA256 "):].split(","))
    access_key, date, region, service, term = parts["Credential"].split("/")
    if service != "s3" or term != "aws4_request":
        return "bad credential scope %s" % parts["Credential"]
    signed = parts["SignedHeaders"].split(";")
    for required in ("host", "x-amz-date", "x-amz-content-sha256"):
        if required not in signed:
            return "%s is not signed" % required
    payload_hash = headers.get("x-amz-content-sha256", "")
    if payload_hash != hashlib.sha256(body).hexdigest():
        return "x-amz-content-sha256 is not the body's hash"
    path, _, query = raw_path.partition("?")
    # S3 does not normalise paths: the canonical URI is the encoded path
    canon_uri = uri_encode(urllib.parse.unquote(path), True)
    pairs = urllib.parse.parse_qsl(query, keep_blank_values=True)
    canon_query = "&".join("%s=%s" % (uri_encode(k, False), uri_encode(v, False))
                           for k, v in sorted(pairs))
    canon_headers = "".join("%s:%s\n" % (h, " ".join(headers.get(h, "").split())) for h in signed)
    creq = "\n".join([method, canon_uri, canon_query, canon_headers, ";".join(signed), payload_hash])
    amz_date = headers.get("x-amz-date", "")
    scope = "/".join([date, region, service, term])
    sts = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(creq.encode()).hexdigest()])
    k = sign(("AWS4" + SECRET).encode(), date)
    k = sign(k, region)
    k = sign(k, service)
    k = sign(k, term)
    want = hmac.new(k, sts.encode(), hashlib.sha256).hexdigest()
    if want != parts["Signature"]:
        return "signature mismatch; canonical request was:\n" + creq
    return ""


def main():
    script_path, log_path, port_path = sys.argv[1:4]
    with open(script_path) as f:
        answers = json.load(f)["answers"]
    log = []
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def log_message(self, *args):
            pass

        def handle_any(self):
            n = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(n) if n else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            with lock:
                answer = answers.pop(0) if answers else {"status": 200}
                log.append({
                    "time": time.time(),
                    "method": self.command,
                    "path": self.path,
                    "headers": headers,
                    "body": body.decode("utf-8", "replace"),
                    "signature_problem": check_sigv4(self.command, self.path, headers, body),
                })
                with open(log_path + ".tmp", "w") as f:
                    json.dump({"requests": log}, f, indent=1)
                os.replace(log_path + ".tmp", log_path)
            if answer.get("sleep"):
                time.sleep(answer["sleep"])
            status = answer["status"]
            if "code" in answer:
                out = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>%s</Code>"
                       "<Message>scripted</Message></Error>" % answer["code"]).encode()
            else:
                out = answer.get("body", "").encode()
            try:
                self.send_response(status)
                self.send_header("Content-Length", str(len(out)))
                self.send_header("Content-Type", "application/xml")
                for name, value in answer.get("headers", {}).items():
                    self.send_header(name, value)
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(out)
            except (BrokenPipeError, ConnectionResetError):
                pass

        do_GET = do_PUT = do_HEAD = do_POST = do_DELETE = handle_any

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    if len(sys.argv) > 5:
        import ssl
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(sys.argv[4], sys.argv[5])
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    with open(port_path + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.replace(port_path + ".tmp", port_path)
    server.serve_forever(poll_interval=0.05)


if __name__ == "__main__":
    main()
