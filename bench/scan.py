#!/usr/bin/python3
"""pare scan with a feed of realistic size (issue #13's speed targets), side by side in one run.

Generates a file in the shape of the Debian security tracker's JSON export: --sources source
packages (default 40000, about the tracker's count) with 1-8 CVEs each, a description, and
records for bullseye, bookworm, trixie and sid; the python3 image's own source packages are
among them. Then times `pare scan` of the python3 image (bookworm, amd64):
  first parse   the feed's records not cached yet (the JSON parsed)
  warm          the parsed records read from the cache (the file only hashed)
Targets: warm <= 0.5 s, first parse <= 2 s. The feed is synthetic: its numbers mean nothing.

Usage: bench/scan.py [--runs N] [--sources N] [--pare build/pare]
"""
import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def timed(cmd):
    t0 = time.monotonic()
    p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if p.returncode not in (0, 6):
        sys.stderr.write(f"failed ({p.returncode}): {' '.join(cmd)}\n{p.stderr.decode()[-2000:]}\n")
        raise SystemExit(1)
    return time.monotonic() - t0


def make_feed(path, sources, image_sources):
    rnd = random.Random(12)
    names = [f"src{i}" for i in range(sources - len(image_sources))] + sorted(image_sources)
    feed = {}
    urgencies = ["low", "medium", "high", "unimportant", "not yet assigned", "end-of-life"]
    for n, name in enumerate(names):
        cves = {}
        for k in range(rnd.randint(1, 8)):
            releases = {}
            for rel in ("bullseye", "bookworm", "trixie", "sid"):
                if rnd.random() < 0.5:
                    releases[rel] = {"status": "resolved", "fixed_version": f"{rnd.randint(1, 9)}.{k}-1",
                                     "urgency": rnd.choice(urgencies), "repositories": {rel: "1.0-1"}}
                else:
                    releases[rel] = {"status": "open", "urgency": rnd.choice(urgencies),
                                     "repositories": {rel: "1.0-1"}}
            cves[f"CVE-20{rnd.randint(10, 26)}-{n:05d}{k}"] = {
                "description": "synthetic " + "x" * rnd.randint(80, 300), "scope": "remote",
                "releases": releases}
        feed[name] = cves
    with open(path, "w") as f:
        json.dump(feed, f)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--sources", type=int, default=40000)
    ap.add_argument("--pare", default=os.path.join(ROOT, "build", "pare"))
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="pare-bench-scan.")
    try:
        cache = os.path.join(work, "cache")
        out = os.path.join(work, "py")
        timed([args.pare, "build", os.path.join(ROOT, "examples", "python3.yaml"), "--arch", "amd64",
               "--variant", "latest", "-o", out, "--cache-dir", cache, "-q", "--no-sbom"])
        image = f"oci:{out}:python3:latest"
        sbom = json.loads(subprocess.run([args.pare, "sbom", image, "--cache-dir", cache],
                                         stdout=subprocess.PIPE, check=True).stdout)
        sources = {p["sourceInfo"].split()[3] for p in sbom["packages"] if "sourceInfo" in p}
        feed = os.path.join(work, "tracker.json")
        make_feed(feed, args.sources, sources)
        size = os.path.getsize(feed) / 1e6
        first, warm = [], []
        for _ in range(args.runs):
            shutil.rmtree(os.path.join(cache, "feeds"), ignore_errors=True)
            first.append(timed([args.pare, "scan", image, "--feed", feed, "--cache-dir", cache, "-q"]))
            warm.append(timed([args.pare, "scan", image, "--feed", feed, "--cache-dir", cache, "-q"]))
        print(f"| pare scan, python3, synthetic tracker feed ({size:.0f} MB, {args.sources} sources) | median (s) |")
        print("|---|---:|")
        print(f"| first parse (target <= 2 s) | {statistics.median(first):.3f} |")
        print(f"| warm (target <= 0.5 s) | {statistics.median(warm):.3f} |")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
