#!/usr/bin/python3
"""Size table of every family and variant, from the real images pare builds.

Builds static, base-nossl, base, cc, python3, nodejs and java (all four variants) for one
suite and arch into one OCI layout, then prints a markdown table: uncompressed bytes (the
layers' tar sizes), compressed bytes (layers + config), layer count, package count, beside the
published gcr.io/distroless sizes.

Usage: bench/sizes.py [--suite bookworm] [--arch amd64] [--pare build/pare]
"""
import argparse
import json
import os
import subprocess
import tempfile
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FAMILIES = ["static", "base-nossl", "base", "cc", "python3", "nodejs", "java"]
VARIANTS = ["latest", "nonroot", "debug", "debug-nonroot"]
# Published uncompressed sizes of gcr.io/distroless/*-debian12 (the guide's figures).
DISTROLESS_MB = {"static": 2.45, "base-nossl": None, "base": 20, "cc": 30, "python3": 52, "nodejs": 150, "java": 231}


def gunzip_size(path):
    """Uncompressed size of a (possibly multi-member) gzip file."""
    total = 0
    with open(path, "rb") as f:
        data = f.read()
    while data:
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        total += len(d.decompress(data))
        data = d.unused_data
    return total


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--suite", default="bookworm")
    ap.add_argument("--arch", default="amd64")
    ap.add_argument("--pare", default=os.path.join(ROOT, "build", "pare"))
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="pare-sizes-") as work:
        out = os.path.join(work, "family")
        specs = [os.path.join(ROOT, "examples", f + ".yaml") for f in FAMILIES]
        subprocess.run([args.pare, "build", *specs, "--suite", args.suite, "--arch", args.arch,
                        "--variant", ",".join(VARIANTS), "-o", out, "-q"], check=True)
        index = json.load(open(os.path.join(out, "index.json")))
        blobs = os.path.join(out, "blobs", "sha256")
        sizes = {}
        print(f"| image ({args.suite}, {args.arch}) | variant | uncompressed | compressed | layers | packages | distroless (uncompressed) |")
        print("|---|---|---|---|---|---|---|")
        for m in index["manifests"]:
            tag = m["annotations"]["org.opencontainers.image.ref.name"]
            name, variant = tag.split(":")
            manifest = json.load(open(os.path.join(blobs, m["digest"][7:])))
            unc = sum(sizes.setdefault(l["digest"], gunzip_size(os.path.join(blobs, l["digest"][7:])))
                      for l in manifest["layers"])
            comp = sum(l["size"] for l in manifest["layers"]) + manifest["config"]["size"]
            status = subprocess.run(
                f"for d in {' '.join(os.path.join(blobs, l['digest'][7:]) for l in manifest['layers'])}; do "
                f"tar -tzf $d; done | grep -c '^var/lib/dpkg/status.d/[^.]*$'",
                shell=True, stdout=subprocess.PIPE, text=True).stdout.strip()
            ref = DISTROLESS_MB.get(name)
            verdict = "—" if ref is None else (f"~{ref} MB: " + ("smaller" if unc / 1e6 < ref else "larger"))
            print(f"| {name} | {variant} | {unc / 1e6:.1f} MB | {comp / 1e6:.1f} MB | {len(manifest['layers'])} | {status} | {verdict} |")


if __name__ == "__main__":
    main()
