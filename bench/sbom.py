#!/usr/bin/python3
"""What SBOMs and looking inside images cost (issue #12's speed targets), side by side in one run.

  python3 build, with SBOMs / --no-sbom, alternating run by run (amd64, latest + nonroot):
    cold          empty cache directory (downloads included)
    debs cached   .debs cached; unpacked packages and layers removed (no network in the way)
    unchanged     everything cached
  inspect / ls -R of the java image (a layout), warm: target <= 0.3 s
  pare sbom of a ~200 MB foreign image (mmdebstrap --variant=minbase + python3, one gzip layer
    written by umoci) against `gzip -dc` of that layer, the target being <= its gunzip time

Prints medians and ratios. Usage: bench/sbom.py [--runs N] [--pare build/pare]
The mirror comes from the host's apt sources (or PARE_MIRROR).
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def timed(cmd, **kw):
    os.sync()
    t0 = time.monotonic()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)
    dt = time.monotonic() - t0
    if p.returncode != 0:
        sys.stderr.write(f"failed ({p.returncode}): {' '.join(cmd)}\n{p.stderr.decode()[-2000:]}\n")
        raise SystemExit(1)
    return dt, p.stdout


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def host_mirror():
    if os.environ.get("PARE_MIRROR"):
        return os.environ["PARE_MIRROR"]
    out = subprocess.run(["bash", "-c", f"source {ROOT}/tests/e2e/lib.sh >/dev/null 2>&1; host_mirror"],
                         stdout=subprocess.PIPE, text=True).stdout.split()
    if not out:
        raise SystemExit("no mirror in the host's apt sources (set PARE_MIRROR)")
    return out[0]


def bench_build(args, work):
    spec = os.path.join(ROOT, "examples", "python3.yaml")
    r = {f"{k}_{s}": [] for k in ("cold", "debs", "unchanged") for s in ("sbom", "nosbom")}
    for i in range(args.runs):
        for s in (("sbom", "nosbom") if i % 2 == 0 else ("nosbom", "sbom")):
            extra = ["--no-sbom"] if s == "nosbom" else []
            cache = tempfile.mkdtemp(dir=work)
            out = os.path.join(work, "out-" + s)
            cmd = [args.pare, "build", spec, "--arch", "amd64", "--variant", "latest,nonroot", "-o", out,
                   "--cache-dir", cache, "-q", *extra]
            r[f"cold_{s}"].append(timed(cmd)[0])
            shutil.rmtree(os.path.join(cache, "unpacked"), ignore_errors=True)
            shutil.rmtree(os.path.join(cache, "layers"), ignore_errors=True)
            r[f"debs_{s}"].append(timed(cmd)[0])
            r[f"unchanged_{s}"].append(timed(cmd)[0])
            shutil.rmtree(cache)
    return r


def bench_look(args, work):
    cache = os.path.join(work, "java-cache")
    out = os.path.join(work, "java")
    timed([args.pare, "build", os.path.join(ROOT, "examples", "java.yaml"), "--arch", "amd64",
           "--variant", "latest", "-o", out, "--cache-dir", cache, "-q", "--no-sbom"])
    image = f"oci:{out}:java:latest"
    looks = os.path.join(work, "look-cache")
    r = {"inspect": [], "ls": [], "audit": [], "inspect_cold": []}
    for _ in range(args.runs + 2):
        # cold: no layer summaries yet (every layer decompressed); then warm
        shutil.rmtree(looks, ignore_errors=True)
        r["inspect_cold"].append(timed([args.pare, "inspect", image, "--json", "--cache-dir", looks])[0])
        r["inspect"].append(timed([args.pare, "inspect", image, "--json", "--cache-dir", looks])[0])
        r["ls"].append(timed([args.pare, "ls", image, "/", "-R", "--cache-dir", looks])[0])
        t0 = time.monotonic()
        subprocess.run([args.pare, "audit", image, "--cache-dir", looks], stdout=subprocess.DEVNULL)
        r["audit"].append(time.monotonic() - t0)
    shutil.rmtree(cache)
    return r


def bench_foreign(args, work):
    tar = os.path.join(work, "full.tar")
    timed(["mmdebstrap", "--quiet", "--variant=minbase", "--include=python3,perl", "--format=tar",
           "bookworm", tar, host_mirror()])
    layout = os.path.join(work, "full")
    timed(["umoci", "init", "--layout", layout])
    timed(["umoci", "new", "--image", layout + ":latest"])
    timed(["umoci", "raw", "add-layer", "--image", layout + ":latest", tar])
    index = json.load(open(os.path.join(layout, "index.json")))
    manifest = json.load(open(os.path.join(layout, "blobs", "sha256", index["manifests"][0]["digest"][7:])))
    blob = os.path.join(layout, "blobs", "sha256", manifest["layers"][0]["digest"][7:])
    r = {"gunzip": [], "sbom": [], "uncompressed_mb": os.path.getsize(tar) / 1e6,
         "compressed_mb": os.path.getsize(blob) / 1e6}
    for i in range(args.runs + 2):
        shutil.rmtree(os.path.join(work, "none"), ignore_errors=True)  # sbom reads every layer
        pair = [("gunzip", ["bash", "-c", f"gzip -dc '{blob}' >/dev/null"]),
                ("sbom", [args.pare, "sbom", f"oci:{layout}:latest", "-o", os.devnull,
                          "--cache-dir", os.path.join(work, "none")])]
        for name, cmd in (pair if i % 2 == 0 else pair[::-1]):
            r[name].append(timed(cmd)[0])
    return r


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--pare", default=os.path.join(ROOT, "build", "pare"))
    ap.add_argument("--skip", default="", help="comma-separated: build,look,foreign")
    args = ap.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    work = tempfile.mkdtemp(prefix="pare-bench-sbom.")
    os.chmod(work, 0o755)  # apt inside mmdebstrap downloads as _apt
    try:
        if "build" not in skip:
            r = bench_build(args, work)
            print("| python3 (latest+nonroot) | with SBOMs (s) | --no-sbom (s) | SBOM cost |")
            print("|---|---:|---:|---:|")
            for k in ("cold", "debs", "unchanged"):
                a, b = median(r[f"{k}_sbom"]), median(r[f"{k}_nosbom"])
                print(f"| {k} | {a:.3f} | {b:.3f} | {100 * (a - b) / b:+.1f} % |")
        if "look" not in skip:
            r = bench_look(args, work)
            print("\n| java image, warm | median (s) |\n|---|---:|")
            print(f"| pare inspect, no layer summaries yet | {median(r['inspect_cold']):.3f} |")
            for k in ("inspect", "ls", "audit"):
                print(f"| pare {k} | {median(r[k]):.3f} |")
        if "foreign" not in skip:
            r = bench_foreign(args, work)
            g, s = median(r["gunzip"]), median(r["sbom"])
            print(f"\n| mmdebstrap image ({r['uncompressed_mb']:.0f} MB, {r['compressed_mb']:.0f} MB gzip) "
                  f"| median (s) |\n|---|---:|")
            print(f"| gzip -dc of its layer | {g:.3f} |\n| pare sbom | {s:.3f} |\n| ratio | {s / g:.2f} |")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
