#!/usr/bin/python3
"""Sizes of every distroless family and variant pare builds, beside the published distroless ones.

Builds static, base-nossl, base, cc, python3, nodejs, java-nofonts and java with all four variants (latest,
nonroot, debug, debug-nonroot) for one architecture in one `pare build`, then reads the OCI
layout it wrote and prints a markdown table per suite:

  uncompressed  the sum of the layers' uncompressed tar sizes (the layer blobs decompressed here,
                not taken from any metadata)
  files         the bytes of the regular files in the image's final tree (no tar headers or
                padding): what `docker images` reports, so the column compared with distroless
  compressed    the sum of the layer blobs' sizes: what a pull transfers
  layers        the manifest's layer count
  packages      the Debian packages in the image: its var/lib/dpkg/status.d entries, read from the
                layers' tar headers
  distroless    the published uncompressed size of the matching gcr.io/distroless/*-debian12 image
                (latest; ~ means approximate) and whether pare's image (files) is smaller or larger

Usage: bench/sizes.py [--trixie] [--arch amd64] [--pare build/pare] [--cache-dir DIR] [--keep DIR]
"""
import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FAMILIES = ["static", "base-nossl", "base", "cc", "python3", "nodejs", "java-nofonts", "java"]
VARIANTS = ["latest", "nonroot", "debug", "debug-nonroot"]
# Published uncompressed sizes (MB) of gcr.io/distroless/<name>-debian12, as (low, high): a
# range where the figures quoted vary (base: 20 MB on the registry UI, 29 MB in the guide).
# base-nossl has no figure in our sources. nodejs is nodejs20-debian12, java is java17-debian12.
DISTROLESS_MB = {
    "static": (2.0, 2.45),
    "base": (20, 29),
    "cc": (30, 30),
    "python3": (52, 52),
    "nodejs": (150, 150),
    "java": (230, 231),
}
# Within this fraction of the published figure counts as "about the same".
SAME = 0.05


class CountingReader:
    """A read-only stream that counts the bytes read through it."""

    def __init__(self, raw):
        self.raw, self.count = raw, 0

    def read(self, n=-1):
        data = self.raw.read(n)
        self.count += len(data)
        return data


def read_layer(path, media_type):
    """Decompress a layer blob once: (uncompressed bytes, {path: size} of its regular files,
    whiteout paths, packages with a status.d entry)."""
    tool = ["zstd", "-dcq", path] if "zstd" in media_type else ["gzip", "-dc", path]
    proc = subprocess.Popen(tool, stdout=subprocess.PIPE)
    stream = CountingReader(proc.stdout)
    packages, files, whiteouts = set(), {}, []
    with tarfile.open(fileobj=stream, mode="r|") as tar:
        for member in tar:
            name = member.name.lstrip("./")
            base = name.rsplit("/", 1)[-1]
            if base.startswith(".wh."):  # OCI whiteout: the path is removed from lower layers
                whiteouts.append(name[: len(name) - len(base)] + base[4:])
            elif member.isfile():
                files[name] = member.size
            if name.startswith("var/lib/dpkg/status.d/") and member.isfile():
                base = name.rsplit("/", 1)[1]
                if not base.endswith(".md5sums"):
                    packages.add(base)
    while stream.read(1 << 20):  # the tar's end-of-archive blocks and padding count too
        pass
    if proc.wait() != 0:
        raise RuntimeError(f"{tool[0]} failed on {path}")
    return stream.count, files, whiteouts, packages


def build(args, suite, out):
    specs = [os.path.join(ROOT, "examples", f + ".yaml") for f in FAMILIES]
    cmd = [args.pare, "build", *specs, "--suite", suite, "--arch", args.arch,
           "--variant", ",".join(VARIANTS), "-o", out, "-q"]
    if args.cache_dir:
        cmd += ["--cache-dir", args.cache_dir]
    subprocess.run(cmd, check=True)


def measure(layout):
    """Rows (name, variant, uncompressed, files, compressed, layers, packages) from an OCI layout."""
    blobs = os.path.join(layout, "blobs", "sha256")
    load = lambda digest: json.load(open(os.path.join(blobs, digest.split(":", 1)[1])))
    index = json.load(open(os.path.join(layout, "index.json")))
    layers_seen = {}
    rows = []
    for entry in index["manifests"]:
        name, variant = entry["annotations"]["org.opencontainers.image.ref.name"].split(":", 1)
        manifest = load(entry["digest"])
        unc, comp, packages, tree = 0, 0, set(), {}
        for layer in manifest["layers"]:
            digest = layer["digest"]
            if digest not in layers_seen:
                path = os.path.join(blobs, digest.split(":", 1)[1])
                layers_seen[digest] = read_layer(path, layer["mediaType"])
            size, files, whiteouts, pkgs = layers_seen[digest]
            for gone in whiteouts:
                tree = {p: n for p, n in tree.items() if p != gone and not p.startswith(gone + "/")}
            tree.update(files)
            unc += size
            comp += layer["size"]
            packages |= pkgs
        rows.append((name, variant, unc, sum(tree.values()), comp, len(manifest["layers"]), len(packages)))
    order = {(f, v): i for i, (f, v) in enumerate((f, v) for f in FAMILIES for v in VARIANTS)}
    return sorted(rows, key=lambda r: order.get((r[0], r[1]), len(order)))


def verdict(name, size):
    ref = DISTROLESS_MB.get(name)
    if ref is None:
        return "—", "no published figure"
    low, high = ref
    shown = f"~{low:g} MB" if low == high else f"~{low:g}–{high:g} MB"
    mb = size / 1e6
    if mb < low * (1 - SAME):
        return shown, f"smaller ({(mb - low) / low * 100:+.0f} %)"
    if mb > high * (1 + SAME):
        return shown, f"larger ({(mb - high) / high * 100:+.0f} %)"
    return shown, "about the same"


def table(suite, arch, rows):
    lines = [f"| image ({suite}, {arch}) | variant | uncompressed | files | compressed | layers | packages "
             f"| distroless (uncompressed) | pare (files) vs distroless |",
             "|---|---|---:|---:|---:|---:|---:|---|---|"]
    latest = {r[0]: r[3] for r in rows if r[1] == "latest"}
    for name, variant, unc, files, comp, nlayers, npkgs in rows:
        if variant.startswith("debug") and name in latest:
            # The published figures are for the images without busybox.
            ref, word = "—", f"latest + busybox ({(files - latest[name]) / 1e6:+.1f} MB)"
        else:
            ref, word = verdict(name, files)
        lines.append(f"| {name} | {variant} | {unc / 1e6:.1f} MB | {files / 1e6:.1f} MB | {comp / 1e6:.1f} MB "
                     f"| {nlayers} | {npkgs} | {ref} | {word} |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--trixie", action="store_true", help="also build and measure trixie (Debian 13)")
    ap.add_argument("--arch", default="amd64", help="one Debian architecture (default amd64)")
    ap.add_argument("--pare", default=os.path.join(ROOT, "build", "pare"), help="the pare binary")
    ap.add_argument("--cache-dir", help="pare's cache directory (default: pare's own default)")
    ap.add_argument("--keep", help="write the layouts under this directory and keep them")
    args = ap.parse_args()
    if "," in args.arch:
        ap.error("--arch takes one architecture")
    suites = ["bookworm"] + (["trixie"] if args.trixie else [])
    with tempfile.TemporaryDirectory(prefix="pare-sizes-") as work:
        for i, suite in enumerate(suites):
            out = os.path.join(args.keep or work, f"family-{suite}-{args.arch}")
            build(args, suite, out)
            if i:
                print()
            print(table(suite, args.arch, measure(out)))
            sys.stdout.flush()


if __name__ == "__main__":
    main()
