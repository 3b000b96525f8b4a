#!/usr/bin/env python3
"""Applications (#14): the speed of `pare deps` and of an app-only rebuild, and each example's
image size beside the same app on a full Debian image of the same suite.

  python3 bench/apps.py --runs 5              # deps and rebuild figures
  python3 bench/apps.py --runs 3 --sizes      # also the size table (mmdebstrap, a few minutes)
  python3 bench/apps.py --baseline OLD/pare --apps node-express,java-http
                                              # rebuilds alternating with another binary

deps      `pare deps` on java's launcher and every shared object of the host's JDK (bin/java,
          lib/*.so, lib/server/*.so), the Contents index already cached: median wall time.
rebuild   each example of examples/apps built once, then its app file changed (a byte appended)
          and built again: median wall time of the rebuild and its `layers` stage, which is the
          app layer's own compression; the rest (spec, plan from cache, images, output) is what
          the target "<= 0.15 s plus the app layer's compression" bounds.
sizes     the example's image (its layers' compressed and uncompressed sizes) beside a full
          Debian image of the same suite with the same runtime packages (mmdebstrap --variant=
          minbase + the packages + the app's files): the tarball's size and its gzip size.
The apps are copied to a temporary directory and built there with Debian's compilers (g++, go,
javac; `npm ci` for express), as examples/apps/README.md says."""
import argparse
import glob
import gzip
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PARE = os.path.join(ROOT, "build", "pare")
JDK = "/usr/lib/jvm/java-17-openjdk-amd64"

# name -> (the file the app layer holds that the bench changes, the Debian packages a full
# image needs for the same app)
APPS = {
    "cpp-sqlite": ("build/sqlite-demo", ["libsqlite3-0", "libstdc++6"]),
    "go-static": ("build/server", ["ca-certificates"]),
    "python-fastapi": ("app.py", ["python3", "python3-fastapi", "python3-uvicorn"]),
    "node-express": ("server.js", ["nodejs"]),
    "java-http": ("build/server.jar", ["openjdk-17-jre-headless"]),
}


def timed(cmd, **kw):
    t0 = time.monotonic()
    out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, **kw).stdout
    return time.monotonic() - t0, out


def bench_deps(runs, cache):
    files = [f"{JDK}/bin/java"] + sorted(glob.glob(f"{JDK}/lib/*.so")) + \
        sorted(glob.glob(f"{JDK}/lib/server/*.so"))
    cmd = [PARE, "deps", "--cache-dir", cache, "--json"] + files
    timed(cmd)  # the Contents index into the cache
    for mode, extra in (("online: InRelease fetched and verified", []),
                        ("--offline: the cached InRelease", ["--offline"])):
        times = [timed(cmd + extra)[0] for _ in range(runs)]
        print(f"pare deps, java ({len(files)} ELF files), {mode}: median "
              f"{statistics.median(times):.3f} s (runs: {', '.join(f'{t:.3f}' for t in times)}; "
              f"target <= 0.3 s)")


def bench_rebuild(app, work, runs, cache, binaries):
    """`binaries`: label -> pare; with two, their runs alternate (the same machine state)."""
    spec = os.path.join(work, "apps", app, "pare.yaml")
    changed = os.path.join(work, "apps", app, APPS[app][0])
    if not os.path.exists(changed):
        print(f"{app}: {changed} missing (build the app first), skipped")
        return None
    outs = {k: os.path.join(work, f"out-{app}-{k}") for k in binaries}

    def cmd(k):
        return [binaries[k], "build", spec, "--suite", "bookworm", "--cache-dir", cache, "-o",
                outs[k], "--json", "--no-git-annotations"]

    for k in binaries:
        timed(cmd(k))
    for mode, extra in (("online", []), ("--offline", ["--offline"])):
        walls = {k: [] for k in binaries}
        layers = {k: [] for k in binaries}
        for i in range(runs):
            for k in binaries:
                # Bytes no earlier run appended (the layer cache is shared between runs).
                with open(changed, "ab") as f:
                    f.write(("\n// " if changed.endswith(".js") else "\n# ").encode() +
                            os.urandom(8).hex().encode() + b"\n")
                wall, text = timed(cmd(k) + extra)
                j = json.loads(text)
                assert j["layers_built"] == 1, f"{app}: {j['layers_built']} layers built, not 1"
                walls[k].append(wall)
                layers[k].append(j["timings"].get("layers", 0.0))
        for k in binaries:
            w, lay = statistics.median(walls[k]), statistics.median(layers[k])
            label = f" [{k}]" if len(binaries) > 1 else ""
            print(f"{app} ({mode}){label}: app-only rebuild median {w:.3f} s, of which the app "
                  f"layer {lay:.3f} s; the rest {w - lay:.3f} s (target <= 0.15 s)")
        if len(binaries) == 2:
            a, b = binaries
            print(f"{app} ({mode}): {b}/{a} = "
                  f"{statistics.median(walls[b]) / statistics.median(walls[a]):.2f}")
    return outs[list(binaries)[-1]]


def image_sizes(layout):
    index = json.load(open(os.path.join(layout, "index.json")))
    digest = index["manifests"][0]["digest"].split(":")[1]
    manifest = json.load(open(os.path.join(layout, "blobs", "sha256", digest)))
    compressed = sum(l["size"] for l in manifest["layers"])
    raw = 0
    for l in manifest["layers"]:
        with gzip.open(os.path.join(layout, "blobs", "sha256", l["digest"].split(":")[1])) as g:
            while chunk := g.read(1 << 20):
                raw += len(chunk)
    return compressed, raw


def full_debian(app, work, mirror):
    tar = os.path.join(work, f"debian-{app}.tar")
    pkgs = ",".join(APPS[app][1])
    subprocess.run(["mmdebstrap", "--quiet", "--variant=minbase", f"--include={pkgs}", "bookworm",
                    tar, mirror], check=True)
    app_dir = os.path.join(work, "apps", app)
    app_bytes = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(app_dir)
                    for f in fs if not f.endswith(".yaml"))
    raw = os.path.getsize(tar) + app_bytes
    with open(tar, "rb") as f, gzip.open(tar + ".gz", "wb", compresslevel=6) as g:
        shutil.copyfileobj(f, g)
    return os.path.getsize(tar + ".gz"), raw


def host_mirror():
    for path in glob.glob("/etc/apt/sources.list.d/*.sources") + ["/etc/apt/sources.list"]:
        if not os.path.exists(path):
            continue
        for line in open(path):
            if line.startswith("URIs:"):
                return line.split()[1]
            if line.startswith("deb "):
                return line.split()[1]
    raise SystemExit("no mirror in the host's apt sources")


def prepare(work):
    """examples/apps and the family specs copied to `work`, each app built there."""
    shutil.copytree(os.path.join(ROOT, "examples", "apps"), os.path.join(work, "apps"))
    for spec in glob.glob(os.path.join(ROOT, "examples", "*.yaml")):
        os.symlink(spec, os.path.join(work, os.path.basename(spec)))
    apps = os.path.join(work, "apps")
    env = dict(os.environ, HOME=work, GOCACHE=os.path.join(work, "gocache"))
    steps = [
        ("cpp-sqlite", "mkdir -p build && g++ -O2 -o build/sqlite-demo main.cpp -lsqlite3"),
        ("go-static", "CGO_ENABLED=0 go build -trimpath -o build/server ."),
        ("node-express", f"npm ci --omit=dev --no-audit --no-fund --cache {work}/npm >/dev/null"),
        ("java-http", "mkdir -p build/classes && javac --release 17 -d build/classes Server.java"
                      " && jar --create --file build/server.jar --main-class Server -C build/classes ."),
    ]
    for app, cmd in steps:
        subprocess.run(cmd, shell=True, cwd=os.path.join(apps, app), env=env, check=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--sizes", action="store_true")
    ap.add_argument("--cache-dir", default=os.path.join(ROOT, "build", "network-cache"))
    ap.add_argument("--baseline", help="another pare binary: app rebuilds alternate with it")
    ap.add_argument("--apps", default=",".join(APPS), help="which examples (comma-separated)")
    a = ap.parse_args()
    apps = [x for x in a.apps.split(",") if x]
    binaries = {"baseline": a.baseline, "this": PARE} if a.baseline else {"this": PARE}
    tmp = tempfile.mkdtemp(prefix="pare-bench-apps-")
    work = tmp
    try:
        prepare(work)
        bench_deps(a.runs, a.cache_dir)
        outs = {app: bench_rebuild(app, work, a.runs, a.cache_dir, binaries) for app in apps}
        if a.sizes:
            mirror = os.environ.get("PARE_MIRROR") or host_mirror()
            print("\n| app | pare image, compressed | uncompressed | full Debian (minbase + packages), gzip | uncompressed | ratio |")
            print("|---|---|---|---|---|---|")
            for app, out in outs.items():
                if not out:
                    continue
                pc, pr = image_sizes(out)
                dc, dr = full_debian(app, tmp, mirror)
                print(f"| {app} | {pc / 1e6:.1f} MB | {pr / 1e6:.1f} MB | {dc / 1e6:.1f} MB | "
                      f"{dr / 1e6:.1f} MB | {pr / dr:.2f} |")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
