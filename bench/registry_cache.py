#!/usr/bin/env python3
"""The registry layer cache (#16), side by side in one run: runner A builds and pushes with an
empty local cache and an empty registry cache (cold), runner B then builds and pushes the same
with an empty local cache and A's registry cache (warm). Each run starts a fresh distribution
registry (Debian's docker-registry) on 127.0.0.1; A and B push to different repositories.

  python3 bench/registry_cache.py --runs 3               # python3 (latest+nonroot) and the family
  python3 bench/registry_cache.py --only python3 --runs 5
  python3 bench/registry_cache.py --only family --runs 3 --baseline OLD/pare

  python3  examples/python3.yaml, variants latest,nonroot, amd64: A's cold build+push vs B's
  family   static, base-nossl, base, cc, python3, nodejs, java; 4 variants; amd64+arm64: B only
           (A fills the cache once per run, untimed for the ratio but printed)
Runner A downloads from the host's mirror, so its times include the network."""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from registry import FAMILY, PARE, ROOT, Registry  # noqa: E402


def build_push(specs, extra, cache_ref, dest, variants, archs, pare=PARE):
    cache_dir = tempfile.mkdtemp(prefix="pare-bench-rc-")
    cmd = [pare, "build"] + [f"examples/{s}.yaml" for s in specs] + [
        "--variant", variants, "--arch", archs, "--cache-dir", cache_dir, "--cache", cache_ref,
        "--push", dest, "--json", "--no-sbom"] + extra
    env = dict(os.environ, SOURCE_DATE_EPOCH="0")
    t0 = time.monotonic()
    out = subprocess.run(cmd, cwd=ROOT, env=env, check=True, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True).stdout
    dt = time.monotonic() - t0
    shutil.rmtree(cache_dir, ignore_errors=True)
    j = json.loads(out)
    return dt, j


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--only", default="python3,family")
    ap.add_argument("--baseline", help="another pare binary: the family's runner B alternates "
                                       "with it (a fresh local cache each, the same registry cache)")
    args = ap.parse_args()
    only = args.only.split(",")
    a_times, b_times, fam_a, fam_b, fam_base = [], [], [], [], []
    for i in range(args.runs):
        reg = Registry()
        try:
            cache = f"{reg.addr}/ci/pare-cache"
            if "python3" in only:
                ta, ja = build_push(["python3"], [], cache, f"{reg.addr}/a/python3", "latest,nonroot", "amd64")
                uploads = reg.uploads()
                tb, jb = build_push(["python3"], [], cache, f"{reg.addr}/b/python3", "latest,nonroot", "amd64")
                same = [x["digest"] for x in ja["images"]] == [x["digest"] for x in jb["images"]]
                print(f"run {i + 1}: python3 A {ta:.3f} s ({ja['layers_built']} layers built), "
                      f"B {tb:.3f} s ({jb['layers_built']} built, {jb['layers_from_registry_cache']} "
                      f"from the cache, {reg.uploads() - uploads} blob upload requests), "
                      f"same digests: {same}", flush=True)
                a_times.append(ta)
                b_times.append(tb)
            if "family" in only:
                v, archs = "latest,nonroot,debug,debug-nonroot", "amd64,arm64"
                ta, _ = build_push(FAMILY, [], cache, f"{reg.addr}/fa", v, archs)
                runners = [("this", PARE)] + ([("baseline", args.baseline)] if args.baseline else [])
                if i % 2:
                    runners.reverse()  # neither always goes first
                for label, pare in runners:
                    t, j = build_push(FAMILY, [], cache, f"{reg.addr}/fb-{label}", v, archs, pare)
                    if label == "this":
                        tb, jb = t, j
                    else:
                        fam_base.append(t)
                        print(f"run {i + 1}: family B with the baseline {t:.3f} s", flush=True)
                print(f"run {i + 1}: family A {ta:.2f} s, B {tb:.3f} s ({jb['layers_built']} built, "
                      f"{jb['layers_from_registry_cache']} from the cache)", flush=True)
                fam_a.append(ta)
                fam_b.append(tb)
        finally:
            reg.stop()
    if a_times:
        ma, mb = statistics.median(a_times), statistics.median(b_times)
        print(f"python3 latest+nonroot build+push: A cold {ma:.3f} s, B warm registry cache "
              f"{mb:.3f} s, ratio {mb / ma:.3f} (target <= 0.25, B <= 0.6 s)")
    if fam_b:
        print(f"family (7 x 4 variants x 2 archs) build+push: A cold {statistics.median(fam_a):.2f} s, "
              f"B warm {statistics.median(fam_b):.3f} s (target B <= 2 s)")
    if fam_base:
        mb, base = statistics.median(fam_b), statistics.median(fam_base)
        print(f"family runner B, side by side: baseline {base:.3f} s, this {mb:.3f} s "
              f"(ratio {mb / base:.2f})")


if __name__ == "__main__":
    main()
