#!/usr/bin/python3
"""pare's benchmark harness (issue: "a benchmark harness, and builds close to the machine's limit").

For each image (static, base, cc, python3, java; bookworm) it builds, alternating, with pare and
with the anchor pipeline (mmdebstrap --variant=extract + umoci), and prints medians:

  anchor cold         mmdebstrap downloads everything, umoci adds the layer
  anchor pkgs cached  mmdebstrap with its .debs synced in from a persistent directory
  pare cold           empty cache directory
  pare debs cached    .debs in the cache; unpacked packages and layers removed
  pare unpacked       .debs and unpacked packages (pare's package cache) kept; layers removed
  pare unchanged      everything cached (only config/manifest/output written)
  pare app change     everything cached but the top (app) layer, whose input file changed

plus peak RSS of pare's cold build, the ratio pare/anchor, and the floor measured in the same run
from its parts: parallel download of the .debs, xz decode of their data.tar on all cores,
compressing the image's tar with pare's compressor, and SHA-256 over it.

Usage: bench/run.py [--runs N] [--images static,base,...] [--pare build/pare] [--no-anchor]
The mirror comes from `pare resolve --json` (i.e. from PARE_MIRROR or the host's apt sources).
"""
import argparse
import concurrent.futures
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def settle():
    """Flushes dirty pages before a timed step, so that no step pays for the previous one's
    writeback (the anchor writes and deletes hundreds of MB just before pare's cold build)."""
    os.sync()


def run(cmd, **kw):
    """Runs cmd; returns (seconds, stdout). Exits on failure."""
    t0 = time.monotonic()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)
    dt = time.monotonic() - t0
    if p.returncode != 0:
        sys.stderr.write(f"command failed ({p.returncode}): {' '.join(cmd)}\n{p.stderr.decode()[-2000:]}\n")
        raise SystemExit(1)
    return dt, p.stdout


def run_rss(cmd, **kw):
    """Like run() but also returns the child's peak RSS (MB), via wait4."""
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, **kw)
    out = p.stdout.read()
    _, status, usage = os.wait4(p.pid, 0)
    dt = time.monotonic() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        sys.stderr.write(f"command failed ({p.returncode}): {' '.join(cmd)}\n")
        raise SystemExit(1)
    return dt, usage.ru_maxrss / 1024.0, out


def resolve(pare, spec):
    _, out = run([pare, "resolve", spec, "--json"])
    plan = json.loads(out)
    pkgs = plan["archs"][0]["packages"]
    return plan, pkgs


def anchor_build(plan, pkgs, work, debcache=None):
    """mmdebstrap --variant=extract of the same package set, then umoci as the layer writer."""
    suite = plan["suite"]
    sources = [f"deb {plan['mirror']} {suite} main", f"deb {plan['mirror']} {suite}-updates main"]
    if plan.get("security_mirror"):
        sources.append(f"deb {plan['security_mirror']} {suite}-security main")
    tarball = os.path.join(work, "rootfs.tar")
    cmd = ["mmdebstrap", "--quiet", "--variant=extract", "--include=" + ",".join(p["name"] for p in pkgs),
           "--format=tar"]
    if debcache:
        os.makedirs(debcache, exist_ok=True)
        cmd += ["--skip=download/empty", "--skip=essential/unlink",
                f"--setup-hook=mkdir -p \"$1\"/var/cache/apt/archives/ && cp -a {debcache}/. \"$1\"/var/cache/apt/archives/",
                f"--customize-hook=cp -a \"$1\"/var/cache/apt/archives/*.deb {debcache}/ 2>/dev/null || true"]
    cmd += [suite, tarball] + sources
    layout = os.path.join(work, "layout")
    shutil.rmtree(layout, ignore_errors=True)
    settle()
    t0 = time.monotonic()
    run(cmd)
    run(["umoci", "init", "--layout", layout])
    run(["umoci", "new", "--image", layout + ":latest"])
    run(["umoci", "raw", "add-layer", "--image", layout + ":latest", tarball])
    return time.monotonic() - t0


def pare_build(pare, spec, cache, out, extra=()):
    settle()
    dt, rss, stdout = run_rss([pare, "build", spec, "-o", out, "--cache-dir", cache, "--json", "-q", *extra])
    return dt, rss, json.loads(stdout)


def floor_parts(pkgs, work, compress_bench):
    """The unavoidable work, measured now: download, decode, compress, hash."""
    debs = os.path.join(work, "floor-debs")
    os.makedirs(debs, exist_ok=True)

    # One curl process, 8 transfers at once. (One curl per file, 8 at a time, measured 5.4 s for
    # python3's 16 MB here: concurrent processes' DNS lookups hit the resolver's 5 s timeout.)
    cmd = ["curl", "-sf", "--parallel", "--parallel-max", "8"]
    for p in pkgs:
        cmd += ["-o", os.path.join(debs, p["sha256"] + ".deb"), p["url"]]
    settle()
    t0 = time.monotonic()
    subprocess.run(cmd, check=True, stderr=subprocess.DEVNULL)
    download = time.monotonic() - t0

    tars = []

    def decode(p):
        path = os.path.join(debs, p["sha256"] + ".deb")
        tar = path + ".tar"
        with open(tar, "wb") as f:
            subprocess.run(["dpkg-deb", "--fsys-tarfile", path], stdout=f, check=True)
        return tar

    settle()
    t0 = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 2) as ex:
        tars = list(ex.map(decode, sorted(pkgs, key=lambda p: -p["installed_size"])))
    decode_s = time.monotonic() - t0

    rootfs = os.path.join(work, "rootfs-all.tar")
    with open(rootfs, "wb") as out:
        for t in tars:
            with open(t, "rb") as f:
                shutil.copyfileobj(f, out)
    settle()
    _, stdout = run([compress_bench, rootfs, "gzip"])
    parts = json.loads(stdout)
    # The reference the default compressor is chosen against: gzip -6, one core. Alternated
    # three times, medians: one measurement each swung the ratio by 20 % on this machine.
    gzip_times, one_times = [], []
    for _ in range(3):
        t0 = time.monotonic()
        gz = subprocess.run(f"gzip -6 -c {rootfs} | wc -c", shell=True, check=True, stdout=subprocess.PIPE)
        gzip_times.append(time.monotonic() - t0)
        _, stdout1 = run([compress_bench, rootfs, "gzip", "1"])
        one = json.loads(stdout1)
        one_times.append(one["compress_s"])
    gzip_s = median(gzip_times)
    one["compress_s"] = median(one_times)
    shutil.rmtree(debs, ignore_errors=True)
    os.unlink(rootfs)
    return {"download": download, "decode": decode_s, "compress": parts["compress_s"], "sha256": parts["sha256_s"],
            "tar_mb": parts["input"] / 1e6, "gzip6_s": gzip_s, "gzip6_bytes": int(gz.stdout),
            "pare_1core_s": one["compress_s"], "pare_bytes": one["output"]}


def app_spec(work, image_spec, n):
    """A one-file app on top of the image, its content changed on every call."""
    app = os.path.join(work, "app.bin")
    with open(app, "w") as f:
        f.write(f"app build {n}\n" * 1000)
    spec = os.path.join(work, "app.yaml")
    with open(spec, "w") as f:
        f.write(f"from: {image_spec}\nname: app\nfiles:\n  - {{src: {app}, dest: /app/app.bin}}\n")
    return spec


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def bench_image(args, name, work):
    spec = os.path.join(ROOT, "examples", name + ".yaml")
    plan, pkgs = resolve(args.pare, spec)
    r = {k: [] for k in ["anchor_cold", "anchor_warm", "pare_cold", "pare_debs", "pare_unpacked",
                                 "pare_unchanged", "pare_app"]}
    rss = []
    debcache = os.path.join(work, "anchor-debs")
    for i in range(args.runs):
        if not args.no_anchor:
            d = tempfile.mkdtemp(dir=work)
            r["anchor_cold"].append(anchor_build(plan, pkgs, d))
            shutil.rmtree(d)
            d = tempfile.mkdtemp(dir=work)
            if i == 0:
                anchor_build(plan, pkgs, d, debcache)  # fill the .deb cache once
            r["anchor_warm"].append(anchor_build(plan, pkgs, d, debcache))
            shutil.rmtree(d)
        cache = tempfile.mkdtemp(dir=work)
        out = os.path.join(work, "out")
        dt, mem, _ = pare_build(args.pare, spec, cache, out)
        r["pare_cold"].append(dt)
        rss.append(mem)
        shutil.rmtree(os.path.join(cache, "unpacked"), ignore_errors=True)
        shutil.rmtree(os.path.join(cache, "layers"), ignore_errors=True)
        r["pare_debs"].append(pare_build(args.pare, spec, cache, out)[0])
        shutil.rmtree(os.path.join(cache, "layers"), ignore_errors=True)
        r["pare_unpacked"].append(pare_build(args.pare, spec, cache, out)[0])
        r["pare_unchanged"].append(pare_build(args.pare, spec, cache, out)[0])
        pare_build(args.pare, app_spec(work, spec, 0), cache, out)
        r["pare_app"].append(pare_build(args.pare, app_spec(work, spec, i + 1), cache, out)[0])
        shutil.rmtree(cache)
    floor = floor_parts(pkgs, work, args.compress_bench)
    return {"image": name, "packages": len(pkgs), "medians": {k: median(v) for k, v in r.items()},
            "runs": r, "peak_rss_mb": max(rss), "floor": floor,
            "floor_total": floor["download"] + floor["decode"] + floor["compress"] + floor["sha256"]}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--images", default="static,base,cc,python3,java")
    ap.add_argument("--pare", default=os.path.join(ROOT, "build", "pare"))
    ap.add_argument("--compress-bench", default=os.path.join(ROOT, "build", "bench", "pare_compress_bench"))
    ap.add_argument("--no-anchor", action="store_true", help="skip mmdebstrap + umoci")
    ap.add_argument("--json", help="also write the results to this file")
    args = ap.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="pare-bench-") as work:
        for name in args.images.split(","):
            sys.stderr.write(f"bench: {name}...\n")
            results.append(bench_image(args, name, work))
    hdr = ("image", "pkgs", "anchor cold", "anchor warm", "pare cold", "ratio", "floor", "cold/floor",
           "pare debs", "unpacked", "unchanged", "app chg", "RSS MB")
    print("| " + " | ".join(hdr) + " |")
    print("|" + "---|" * len(hdr))
    for r in results:
        m = r["medians"]
        ratio = m["pare_cold"] / m["anchor_cold"] if m["anchor_cold"] == m["anchor_cold"] and m["anchor_cold"] else float("nan")
        print(f"| {r['image']} | {r['packages']} | {m['anchor_cold']:.2f} | {m['anchor_warm']:.2f} | "
              f"{m['pare_cold']:.2f} | {ratio:.2f} | {r['floor_total']:.2f} | {m['pare_cold'] / r['floor_total']:.2f} | "
              f"{m['pare_debs']:.2f} | {m['pare_unpacked']:.2f} | {m['pare_unchanged']:.3f} | {m['pare_app']:.3f} | {r['peak_rss_mb']:.0f} |")
    print()
    print("floor parts (s): " + "; ".join(
        f"{r['image']}: download {r['floor']['download']:.2f}, decode {r['floor']['decode']:.2f}, "
        f"compress {r['floor']['compress']:.2f}, sha256 {r['floor']['sha256']:.2f} ({r['floor']['tar_mb']:.0f} MB tar)"
        for r in results))
    print("compressor vs gzip -6 on each image's tar (one core): " + "; ".join(
        f"{r['image']}: {r['floor']['gzip6_s'] / r['floor']['pare_1core_s']:.1f}x faster, "
        f"size {100.0 * r['floor']['pare_bytes'] / r['floor']['gzip6_bytes'] - 100:+.1f}%"
        for r in results))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
