#!/usr/bin/env python3
"""A small token server for the distribution registry's `auth: token` (the docker token
authentication spec): GET /token?service=..&scope=..[&scope=..] with HTTP Basic credentials
answers {"token": JWT, "expires_in": N}. The JWT is RS256-signed by `openssl dgst` with the
test's key and carries the certificate in its x5c header, which the registry checks against
its rootcertbundle. Users are USER:PASSWORD pairs; "reader" is granted pull only, others
what they ask for. Anonymous requests get a token without access (the registry then answers
401, as a real one does). Every request is logged (without credentials) to --log.
Listens on 127.0.0.1 only."""
import argparse
import base64
import json
import subprocess
import sys
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def cert_der_b64(cert_path: str) -> str:
    der = subprocess.run(["openssl", "x509", "-in", cert_path, "-outform", "DER"],
                         check=True, capture_output=True).stdout
    return base64.b64encode(der).decode()


def sign(key_path: str, data: bytes) -> bytes:
    return subprocess.run(["openssl", "dgst", "-sha256", "-sign", key_path], input=data,
                          check=True, capture_output=True).stdout


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--user", action="append", default=[])
    ap.add_argument("--log", required=True)
    ap.add_argument("--issuer", default="pare-test-issuer")
    args = ap.parse_args()
    users = dict(u.split(":", 1) for u in args.user)
    x5c = cert_der_b64(args.cert)
    log = open(args.log, "a", buffering=1)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *a):  # quiet on stderr
            pass

        def do_GET(self):
            url = urllib.parse.urlparse(self.path)
            if url.path != "/token":
                self.send_error(404)
                return
            query = urllib.parse.parse_qs(url.query)
            user = None
            auth = self.headers.get("Authorization", "")
            if auth.startswith("Basic "):
                name, _, password = base64.b64decode(auth[6:]).decode().partition(":")
                if users.get(name) != password:
                    log.write(f"401 user={name} scopes={query.get('scope', [])}\n")
                    self.send_response(401)
                    self.end_headers()
                    return
                user = name
            access = []
            for scope in query.get("scope", []):
                kind, _, rest = scope.partition(":")
                name, _, actions = rest.rpartition(":")
                wanted = [a for a in actions.split(",") if a]
                granted = [] if user is None else (
                    [a for a in wanted if a == "pull"] if user == "reader" else wanted)
                access.append({"type": kind, "name": name, "actions": granted})
            now = int(time.time())
            header = {"alg": "RS256", "typ": "JWT", "x5c": [x5c]}
            claims = {"iss": args.issuer, "sub": user or "", "aud": query.get("service", [""])[0],
                      "exp": now + 300, "nbf": now - 10, "iat": now, "jti": str(now) + str(id(self)),
                      "access": access}
            signing_input = (b64url(json.dumps(header).encode()) + "." +
                             b64url(json.dumps(claims).encode())).encode()
            token = signing_input.decode() + "." + b64url(sign(args.key, signing_input))
            log.write(f"200 user={user} scopes={query.get('scope', [])} granted={access}\n")
            body = json.dumps({"token": token, "expires_in": 300}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    ThreadingHTTPServer(("127.0.0.1", args.port), Handler).serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
