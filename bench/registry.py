#!/usr/bin/env python3
"""Registry benchmarks: pare against `skopeo copy`, side by side in one run, alternating run by
run, each push to an empty distribution registry (Debian's docker-registry) on 127.0.0.1.

  python3 bench/registry.py --runs 5           # all three measurements
  python3 bench/registry.py --only push,pull   # some of them

  push     python3:latest (bookworm, amd64) from an OCI layout to an empty registry:
           `pare push oci:DIR:python3:latest` vs `skopeo copy oci:DIR:python3:latest docker://`
  family   the whole family (static, base-nossl, base, cc, python3, nodejs, java; 4 variants;
           amd64 + arm64) to an empty registry: `pare push oci:DIR REG/team` vs one
           `skopeo copy --all` per tag; then pare's re-push of the same (time, blob uploads
           counted in the registry's log)
  pull     java:latest (amd64) from the registry: `pare pull` vs `skopeo copy docker:// oci:`
Peak RSS (GNU time) of every pare push and pull is reported too. The images are built once
with pare into bench/.work (kept between runs; the cache there too)."""
import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PARE = os.path.join(ROOT, "build", "pare")
WORK = os.path.join(ROOT, "bench", ".work")
FAMILY = ["static", "base-nossl", "base", "cc", "python3", "nodejs", "java"]


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def timed(cmd):
    """Seconds and peak RSS (KiB) of one command."""
    rss_file = tempfile.mktemp()
    t0 = time.monotonic()
    subprocess.run(["/usr/bin/time", "-f", "%M", "-o", rss_file] + cmd, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    dt = time.monotonic() - t0
    with open(rss_file) as f:
        rss = int(f.read().strip().splitlines()[-1])
    os.unlink(rss_file)
    return dt, rss


class Registry:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="pare-bench-reg-")
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        self.port = s.getsockname()[1]
        s.close()
        self.addr = f"127.0.0.1:{self.port}"
        self.log = os.path.join(self.dir, "registry.log")
        with open(os.path.join(self.dir, "config.yml"), "w") as f:
            f.write(f"version: 0.1\nlog:\n  level: info\nstorage:\n  filesystem:\n"
                    f"    rootdirectory: {self.dir}/data\nhttp:\n  addr: {self.addr}\n")
        self.proc = subprocess.Popen(["docker-registry", "serve", os.path.join(self.dir, "config.yml")],
                                     stdout=open(self.log, "w"), stderr=subprocess.STDOUT)
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("registry did not start")

    def uploads(self):
        n = 0
        with open(self.log) as f:
            for line in f:
                if 'msg="response completed"' in line and re.search(
                        r'http.request.method=(PUT|PATCH) .*http.request.uri="/v2/[^"]*/blobs/uploads/', line):
                    n += 1
        return n

    def stop(self):
        self.proc.terminate()
        self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def build_images(only):
    os.makedirs(WORK, exist_ok=True)
    cache = os.path.join(WORK, "cache")
    env = dict(os.environ, SOURCE_DATE_EPOCH="0")
    if ("push" in only or "pull" in only) and not os.path.exists(os.path.join(WORK, "single", "index.json")):
        print("building python3 and java (amd64) into bench/.work/single ...", flush=True)
        run([PARE, "build", "examples/python3.yaml", "examples/java.yaml", "--arch", "amd64",
             "-o", os.path.join(WORK, "single"), "--cache-dir", cache, "-q"], cwd=ROOT, env=env)
    if "family" in only and not os.path.exists(os.path.join(WORK, "family", "index.json")):
        print("building the family (7 images, 4 variants, amd64+arm64) into bench/.work/family ...",
              flush=True)
        run([PARE, "build"] + [f"examples/{n}.yaml" for n in FAMILY] +
            ["--variant", "latest,nonroot,debug,debug-nonroot", "--arch", "amd64,arm64",
             "-o", os.path.join(WORK, "family"), "--cache-dir", cache, "-q"], cwd=ROOT, env=env)


def family_tags():
    import json
    with open(os.path.join(WORK, "family", "index.json")) as f:
        index = json.load(f)
    tags = [m["annotations"]["org.opencontainers.image.ref.name"] for m in index["manifests"]]
    return [t for t in tags if not re.search(r"-(amd64|arm64)$", t)]


def median(xs):
    return statistics.median(xs)


def bench_push(runs):
    layout = os.path.join(WORK, "single")
    pare_t, sk_t, rss = [], [], []
    for i in range(runs):
        for who in (["pare", "skopeo"] if i % 2 == 0 else ["skopeo", "pare"]):
            reg = Registry()
            try:
                if who == "pare":
                    dt, r = timed([PARE, "push", f"oci:{layout}:python3:latest", f"{reg.addr}/b/python3", "-q"])
                    pare_t.append(dt)
                    rss.append(r)
                else:
                    dt, _ = timed(["skopeo", "copy", "-q", "--dest-tls-verify=false",
                                   f"oci:{layout}:python3:latest", f"docker://{reg.addr}/b/python3:latest"])
                    sk_t.append(dt)
            finally:
                reg.stop()
    print(f"push python3 to an empty registry ({runs} runs each): pare {median(pare_t):.3f} s, "
          f"skopeo {median(sk_t):.3f} s, ratio {median(pare_t) / median(sk_t):.2f}; "
          f"pare peak RSS {max(rss) / 1024:.0f} MB")


def bench_family(runs):
    layout = os.path.join(WORK, "family")
    tags = family_tags()
    pare_t, sk_t, re_t, re_up, rss = [], [], [], [], []
    for i in range(runs):
        for who in (["pare", "skopeo"] if i % 2 == 0 else ["skopeo", "pare"]):
            reg = Registry()
            try:
                if who == "pare":
                    dt, r = timed([PARE, "push", f"oci:{layout}", f"{reg.addr}/team", "-q"])
                    pare_t.append(dt)
                    rss.append(r)
                    before = reg.uploads()
                    dt, r = timed([PARE, "push", f"oci:{layout}", f"{reg.addr}/team", "-q"])
                    re_t.append(dt)
                    re_up.append(reg.uploads() - before)
                else:
                    t0 = time.monotonic()
                    for tag in tags:
                        name, _, variant = tag.partition(":")
                        run(["skopeo", "copy", "-q", "--all", "--dest-tls-verify=false",
                             f"oci:{layout}:{tag}", f"docker://{reg.addr}/team/{name}:{variant}"])
                    sk_t.append(time.monotonic() - t0)
            finally:
                reg.stop()
    print(f"push the family ({len(tags)} tags, 2 archs) to an empty registry ({runs} runs each): "
          f"pare {median(pare_t):.2f} s, skopeo (one copy --all per tag) {median(sk_t):.2f} s, "
          f"ratio {median(pare_t) / median(sk_t):.2f}; pare peak RSS {max(rss) / 1024:.0f} MB")
    print(f"re-push of the family: median {median(re_t):.3f} s (min {min(re_t):.3f}, "
          f"max {max(re_t):.3f}), blob uploads {max(re_up)}")


def bench_pull(runs):
    layout = os.path.join(WORK, "single")
    reg = Registry()
    pare_t, sk_t, rss = [], [], []
    try:
        run([PARE, "push", f"oci:{layout}:java:latest", f"{reg.addr}/b/java", "-q"])
        for i in range(runs):
            for who in (["pare", "skopeo"] if i % 2 == 0 else ["skopeo", "pare"]):
                dest = tempfile.mkdtemp(prefix="pare-bench-pull-")
                shutil.rmtree(dest)
                try:
                    if who == "pare":
                        dt, r = timed([PARE, "pull", f"docker://{reg.addr}/b/java:latest", f"oci:{dest}", "-q"])
                        pare_t.append(dt)
                        rss.append(r)
                    else:
                        dt, _ = timed(["skopeo", "copy", "-q", "--src-tls-verify=false",
                                       f"docker://{reg.addr}/b/java:latest", f"oci:{dest}:java:latest"])
                        sk_t.append(dt)
                finally:
                    shutil.rmtree(dest, ignore_errors=True)
    finally:
        reg.stop()
    print(f"pull java ({runs} runs each): pare {median(pare_t):.3f} s, skopeo {median(sk_t):.3f} s, "
          f"ratio {median(pare_t) / median(sk_t):.2f}; pare peak RSS {max(rss) / 1024:.0f} MB")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--only", default="push,family,pull")
    args = ap.parse_args()
    only = set(args.only.split(","))
    for tool in ("docker-registry", "skopeo", "/usr/bin/time"):
        if not shutil.which(tool):
            sys.exit(f"registry.py: {tool} is not installed (scripts/deps.sh installs it)")
    build_images(only)
    if "push" in only:
        bench_push(args.runs)
    if "family" in only:
        bench_family(max(1, args.runs // 2))
    if "pull" in only:
        bench_pull(args.runs)


if __name__ == "__main__":
    main()
