#!/usr/bin/python3
"""Two pare binaries side by side on the warm paths (what a change to cache handling costs).

For each image, each binary gets its own cache, warmed by one cold build; then, alternating
A and B in one run so that both see the same machine state:

  unchanged    everything cached (the layers are verified, config/manifest/output written)
  unpacked     .debs and unpacked packages cached, layers removed (unpacked data verified)
  app change   everything cached but a one-file app layer on top

Prints the median seconds of each and the ratio B/A.

Usage: bench/ab.py --a OLD/pare --b build/pare [--images python3,java] [--runs 5]
The mirror comes from the host's apt sources or PARE_MIRROR, as for pare itself.
"""
import argparse
import os
import shutil
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run import ROOT, app_spec, pare_build  # noqa: E402  (the harness's own helpers)


def measure(binaries, image, runs, work):
    spec = os.path.join(ROOT, "examples", image + ".yaml")
    caches = {k: os.path.join(work, k, "cache") for k in binaries}
    outs = {k: os.path.join(work, k, "out") for k in binaries}
    for k, pare in binaries.items():
        pare_build(pare, spec, caches[k], outs[k])  # cold, not timed
    times = {(k, step): [] for k in binaries for step in ("unchanged", "unpacked", "app")}
    for i in range(runs):
        for k, pare in binaries.items():
            times[(k, "unchanged")].append(pare_build(pare, spec, caches[k], outs[k])[0])
            shutil.rmtree(os.path.join(caches[k], "layers"))
            times[(k, "unpacked")].append(pare_build(pare, spec, caches[k], outs[k])[0])
            appdir = os.path.join(work, k, "app")
            os.makedirs(appdir, exist_ok=True)
            pare_build(pare, app_spec(appdir, spec, 2 * i), caches[k], outs[k] + "-app")
            times[(k, "app")].append(
                pare_build(pare, app_spec(appdir, spec, 2 * i + 1), caches[k], outs[k] + "-app")[0])
    return {key: statistics.median(v) for key, v in times.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--a", required=True, help="the baseline pare binary")
    ap.add_argument("--b", default=os.path.join(ROOT, "build", "pare"))
    ap.add_argument("--images", default="python3,java")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    binaries = {"A": args.a, "B": args.b}
    print(f"A = {args.a}\nB = {args.b}\n")
    print("| image | step | A median s | B median s | B/A |")
    print("|---|---|---:|---:|---:|")
    for image in args.images.split(","):
        with tempfile.TemporaryDirectory(prefix="pare-ab-") as work:
            m = measure(binaries, image, args.runs, work)
        for step in ("unchanged", "unpacked", "app"):
            a, b = m[("A", step)], m[("B", step)]
            print(f"| {image} | {step} | {a:.3f} | {b:.3f} | {b / a:.2f} |", flush=True)


if __name__ == "__main__":
    main()
