#!/usr/bin/env python3
"""A reverse proxy in front of a registry that misbehaves on purpose, for pare's retry and
resume tests. Listens on 127.0.0.1 only; forwards everything to --upstream (Host header kept,
so the registry's Location headers point back at the proxy). Faults, each counted from the
start:
  --drop-patch N    the Nth PATCH: read its chunk, then close the client's connection without
                    an answer, as a connection reset mid-upload does (with --keep-half, the
                    first half of the chunk is forwarded first, so the session holds part of
                    it: the distribution registry then cancels the session when the client
                    asks where it stands with the Location it had, whose signed _state names
                    the old offset; a client can only start again there);
  --drop-put N      the Nth PUT carrying a body: close the connection without forwarding;
  --fail-head K     the first K HEAD requests answer 503;
  --throttle-post K the first K POSTs answer 429 with Retry-After: 1.
Every injected fault is logged, one line each, to --log."""
import argparse
import http.client
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--upstream", required=True)  # host:port
    ap.add_argument("--log", required=True)
    ap.add_argument("--drop-patch", type=int, default=0)
    ap.add_argument("--keep-half", action="store_true")
    ap.add_argument("--drop-put", type=int, default=0)
    ap.add_argument("--fail-head", type=int, default=0)
    ap.add_argument("--throttle-post", type=int, default=0)
    args = ap.parse_args()
    log = open(args.log, "a", buffering=1)
    lock = threading.Lock()
    counts = {"PATCH": 0, "PUT": 0, "HEAD": 0, "POST": 0}

    def count(method: str) -> int:
        with lock:
            counts[method] = counts.get(method, 0) + 1
            return counts[method]

    class Proxy(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def body(self) -> bytes:
            n = int(self.headers.get("Content-Length", "0") or 0)
            return self.rfile.read(n) if n else b""

        def forward(self, method: str, body: bytes, headers=None):
            conn = http.client.HTTPConnection(args.upstream, timeout=120)
            h = {k: v for k, v in self.headers.items()}
            if headers:
                h.update(headers)
            conn.request(method, self.path, body=body if method != "HEAD" else None, headers=h)
            return conn, conn.getresponse()

        def answer(self, status: int, extra=None):
            self.send_response(status)
            for k, v in (extra or {}).items():
                self.send_header(k, v)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def handle_any(self):
            method = self.command
            body = self.body()
            n = count(method)
            if method == "HEAD" and n <= args.fail_head:
                log.write(f"503 HEAD {self.path}\n")
                return self.answer(503)
            if method == "POST" and n <= args.throttle_post:
                log.write(f"429 POST {self.path}\n")
                return self.answer(429, {"Retry-After": "1"})
            if method == "PATCH" and n == args.drop_patch:
                half = len(body) // 2 if args.keep_half else 0
                if half:
                    rng = self.headers.get("Content-Range", "0-0")
                    start = int(rng.split("-")[0])
                    conn, resp = self.forward("PATCH", body[:half], {
                        "Content-Length": str(half),
                        "Content-Range": f"{start}-{start + half - 1}"})
                    resp.read()
                    conn.close()
                log.write(f"drop PATCH {self.path} after {half} of {len(body)} bytes\n")
                self.close_connection = True
                return
            if method == "PUT" and body and n == args.drop_put:
                log.write(f"drop PUT {self.path}\n")
                self.close_connection = True
                return
            conn, resp = self.forward(method, body)
            data = resp.read()
            self.send_response(resp.status)
            for k, v in resp.getheaders():
                if k.lower() not in ("content-length", "transfer-encoding", "connection"):
                    self.send_header(k, v)
            self.send_header("Content-Length", str(len(data) if method != "HEAD"
                                                   else resp.getheader("Content-Length", "0")))
            self.end_headers()
            if method != "HEAD":
                self.wfile.write(data)
            conn.close()

        do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any

    ThreadingHTTPServer(("127.0.0.1", args.port), Proxy).serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
