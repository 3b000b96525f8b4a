# labels: network podman
# The python3 image (examples/python3.yaml) against the real archive, for the suite $1 (default
# bookworm; network_rt_python3_trixie.sh passes trixie). A script added with `files:` exercises
# the standard library's native modules, UTF-8 file names, ctypes (find_library needs the
# dynamic loader's cache), HTTPS through a CA added with `certificates:`, and the absence of a
# shell (subprocess with shell=True must fail); run as root and as nonroot. The image's config,
# /usr/bin/python{,3} and /etc/ld.so.cache are checked from outside, and `pare resolve --json`
# must show no package manager, shell or perl in the set, and what `exclude` cut. distutils
# (#10): distutils.util works on bookworm (python3-distutils) and is absent on trixie's 3.13;
# archives work without the excluded tar; the version annotation is the interpreter's.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib_runtimes.sh"
need_pare
need_network
need_cmd podman skopeo umoci openssl python3 ldconfig strings
rt_init "${1:-bookworm}"
rt_tls_server "$T"
case "$SUITE" in bookworm) PYVER=3.11 ;; trixie) PYVER=3.13 ;; esac

# Each check prints "CHECK <name> ok" or "CHECK <name> FAIL <why>", so one run reports them all.
cat >"$T/app.py" <<EOF
import importlib, os, sys
def check(name, fn):
    try:
        r = fn()
        print("CHECK", name, "ok" if r in (None, True) else "FAIL " + repr(r), flush=True)
    except BaseException as e:
        print("CHECK", name, "FAIL", type(e).__name__, e, flush=True)

for mod in ["ssl", "sqlite3", "ctypes", "zlib", "lzma", "bz2", "hashlib", "uuid", "decimal", "venv", "json"]:
    check("import-" + mod, lambda: importlib.import_module(mod) and None)

def native_modules():
    import bz2, decimal, hashlib, json, lzma, sqlite3, ssl, uuid, zlib
    data = b"pare" * 1000
    for m in (zlib, lzma, bz2):
        assert m.decompress(m.compress(data)) == data, m.__name__
    assert hashlib.sha256(b"abc").hexdigest().startswith("ba7816bf"), "sha256"
    db = sqlite3.connect(":memory:")
    assert db.execute("select sqlite_version()").fetchone()[0], "sqlite"
    assert str(decimal.Decimal("0.1") + decimal.Decimal("0.2")) == "0.3", "decimal"
    assert uuid.uuid4().version == 4, "uuid"
    assert json.loads(json.dumps({"a": [1]})) == {"a": [1]}, "json"
    assert ssl.create_default_context().cert_store_stats()["x509_ca"] > 0, "no CA in the default store"
check("native-modules", native_modules)

check("fs-encoding", lambda: sys.getfilesystemencoding() == "utf-8" or sys.getfilesystemencoding())
def utf8_name():
    name = "/tmp/h\u00e9llo-\u00f1.txt"
    with open(name, "w", encoding="utf-8") as f:
        f.write("\u00fcnic\u00f6de")
    assert "h\u00e9llo-\u00f1.txt" in os.listdir("/tmp"), os.listdir("/tmp")
    with open(name, encoding="utf-8") as f:
        assert f.read() == "\u00fcnic\u00f6de"
check("utf8-filename", utf8_name)

def c_utf8_locale():
    # Python itself falls back to UTF-8 when the locale is missing (PEP 538/540), but C
    # extensions and the locale module need glibc to find C.UTF-8 (/usr/lib/locale/C.utf8).
    import locale
    return locale.setlocale(locale.LC_ALL, "") == "C.UTF-8" or locale.setlocale(locale.LC_ALL)
check("setlocale-c-utf8", c_utf8_locale)

def no_shell():
    import subprocess
    try:
        subprocess.run("echo hi", shell=True, check=True)
    except FileNotFoundError:
        return True
    return "subprocess(shell=True) ran: the image has a shell"
check("no-shell", no_shell)

def ctypes_libc():
    import ctypes
    return ctypes.CDLL("libc.so.6").getpid() == os.getpid() or "getpid differs"
check("ctypes-cdll", ctypes_libc)
def find_library():
    import ctypes.util
    found = ctypes.util.find_library("c")
    return found == "libc.so.6" or "find_library('c') gave %r" % found
check("ctypes-find-library", find_library)

def interpreters():
    real = os.path.realpath(sys.executable)
    for p in ("/usr/bin/python3", "/usr/bin/python"):
        assert os.path.realpath(p) == real, (p, os.path.realpath(p), real)
    assert real == "/usr/bin/python$PYVER", real
check("interpreter-links", interpreters)

def distutils_util():
    # bookworm ships python3-distutils (as distroless does); Python 3.13 has no distutils.
    if "$SUITE" == "trixie":
        try:
            import distutils
        except ModuleNotFoundError:
            return True
        return "distutils imported on Python 3.13"
    from distutils.util import strtobool
    import distutils.version, distutils.sysconfig
    return strtobool("yes") == 1 and strtobool("off") == 0 or "strtobool"
check("distutils", distutils_util)

def archives():
    # tar is excluded: tarfile, zipfile and shutil.make_archive are pure Python.
    import shutil, tarfile
    os.makedirs("/tmp/arch/in", exist_ok=True)
    with open("/tmp/arch/in/f.txt", "w") as f:
        f.write("data")
    for fmt in ("gztar", "xztar", "bztar", "zip"):
        name = shutil.make_archive("/tmp/arch/a-" + fmt, fmt, "/tmp/arch/in")
        shutil.unpack_archive(name, "/tmp/arch/out-" + fmt)
        with open("/tmp/arch/out-" + fmt + "/f.txt") as f:
            assert f.read() == "data", fmt
    assert shutil.which("tar") is None, "a tar binary is on PATH"
check("archives-without-tar", archives)

def https():
    import urllib.request
    body = urllib.request.urlopen("$RT_TLS_URL", timeout=20).read()
    return body == b"tls-ok" or body
check("https-added-ca", https)
print("uid", os.getuid(), "python", sys.version.split()[0], flush=True)
EOF

spec="$(rt_spec py "$EX/python3.yaml" "files: [{src: $T/app.py, dest: /app/app.py, mode: \"0644\"}]" \
  "cmd: [/app/app.py]" "certificates: [$T/ca.crt]")"
rt_build "$spec" --variant latest,nonroot -o "$T/py"

# --- the image's config ----------------------------------------------------------------------------
cfg="$(skopeo inspect --config "oci:$T/py:py:latest")"
rt_check assert_contains "$(rt_json 'j["config"]["Env"]' <<<"$cfg")" "LANG=C.UTF-8" "LANG in the config"
rt_check assert_eq '["/usr/bin/python3"]' "$(rt_json 'json.dumps(j["config"]["Entrypoint"])' <<<"$cfg")" "entrypoint"
rt_check assert_eq "65532" "$(skopeo inspect --config "oci:$T/py:py:nonroot" | rt_json 'j["config"]["User"]')" "nonroot user"
version="$(skopeo inspect --raw "oci:$T/py:py:latest" | rt_json 'j["annotations"]["org.opencontainers.image.version"]')"
rt_check assert_contains "$version" "$PYVER." "version annotation is the interpreter's ($version)"

# --- the script, as root and as nonroot ------------------------------------------------------------
expected_checks=(import-ssl import-sqlite3 import-ctypes import-zlib import-lzma import-bz2 import-hashlib
  import-uuid import-decimal import-venv import-json native-modules fs-encoding utf8-filename setlocale-c-utf8 no-shell
  ctypes-cdll ctypes-find-library interpreter-links distutils archives-without-tar https-added-ca)
for variant in latest nonroot; do
  out="$(rt_run_host "oci:$T/py:py:$variant" 2>&1)" || true
  echo "--- py:$variant"$'\n'"$out"
  for c in "${expected_checks[@]}"; do
    rt_check assert_eq "CHECK $c ok" "$(grep -m1 "^CHECK $c " <<<"$out" || echo "(no output for $c)")" "py:$variant $c"
  done
  rt_check assert_eq "${#expected_checks[@]}" "$(grep -c '^CHECK ' <<<"$out")" "py:$variant number of checks run"
  uid=0
  [[ "$variant" == nonroot ]] && uid=65532
  rt_check assert_contains "$out" "uid $uid python $PYVER." "py:$variant uid and Python version"
done
# `python` itself is runnable (python-is-python3's link), not just present.
out="$(pare_podman_run -q --entrypoint /usr/bin/python "oci:$T/py:py:latest" -c 'import sys; print("major", sys.version_info[0])' 2>&1 | tail -n1)"
rt_check assert_eq "major 3" "$out" "/usr/bin/python runs Python 3"

# --- the file tree, from outside ------------------------------------------------------------------
umoci unpack --image "$T/py:py:latest" "$T/u" >/dev/null
root="$T/u/rootfs"
rt_check assert_eq "python3" "$(readlink "$root/usr/bin/python")" "/usr/bin/python -> python3"
rt_check assert_eq "python$PYVER" "$(readlink "$root/usr/bin/python3")" "/usr/bin/python3 -> python$PYVER"
rt_check assert_file "$root/usr/bin/python$PYVER" "the interpreter"
rt_check assert_file "$root/etc/ld.so.cache" "the dynamic loader's cache"
if [[ -f "$root/etc/ld.so.cache" ]]; then
  # The host's ldconfig reads the image's cache: it must list libraries of every level (libc
  # from base-nossl, libssl from base, libsqlite3 from python3) for this architecture.
  cache="$(ldconfig -C "$root/etc/ld.so.cache" -p 2>&1)" || true
  for lib in libc.so.6 libssl.so.3 libsqlite3.so.0; do
    rt_check assert_contains "$cache" "$lib (libc6,x86-64)" "ld.so.cache lists $lib"
  done
  # When the host's glibc is the image's, the host's ldconfig run on the unpacked root must write
  # the very same bytes.
  if [[ "$(ldconfig --version | grep -m1 -o 'GLIBC [^)]*')" == "$(strings "$root/etc/ld.so.cache" | grep -m1 -o 'GLIBC [^)]*')" ]]; then
    cp -a "$root" "$T/ldroot" && rm "$T/ldroot/etc/ld.so.cache" && ldconfig -r "$T/ldroot" -X
    rt_check assert_eq "$(sha256sum <"$root/etc/ld.so.cache")" "$(sha256sum <"$T/ldroot/etc/ld.so.cache")" \
      "ld.so.cache is byte-identical to the host ldconfig's"
  fi
fi
for p in bin/sh usr/bin/sh bin/bash bin/dash busybox usr/bin/dpkg usr/bin/perl usr/bin/tar; do
  rt_check assert_no_file "$root/$p" "python3 image must not have /$p"
done

# --- what resolve says --------------------------------------------------------------------------------
res="$(rt_resolve "$spec")"
names="$(rt_json '[p["name"] for p in j["archs"][0]["packages"]]' <<<"$res")"
rt_check assert_contains "$names" "python$PYVER-minimal" "resolve lists the interpreter"
for bad in dpkg debconf perl perl-base tar bash dash coreutils; do
  grep -qx "$bad" <<<"$names" && rt_check fail "resolve: $bad is in the python3 set"
done
cuts="$(rt_json '["%s -> %s" % (c["package"], c["excluded"]) for c in j["archs"][0].get("excluded", [])]' <<<"$res")"
echo "--- excluded dependencies"$'\n'"$cuts"
rt_check assert_contains "$cuts" "python3-minimal -> dpkg" "resolve shows python3-minimal's cut dependency on dpkg"
rt_check assert_contains "$cuts" "tzdata -> debconf" "resolve shows tzdata's cut dependency on debconf"
while read -r _ _ excluded; do
  [[ -n "$excluded" ]] && grep -qx "$excluded" <<<"$names" && rt_check fail "resolve: excluded $excluded is installed"
done <<<"$cuts"
text="$("$PARE" resolve "$spec" --suite "$SUITE" --cache-dir "$CACHE")"
rt_check assert_contains "$text" "excluded (dependencies treated as met" "resolve's text output lists the cuts"
rt_check assert_contains "$text" "python3-minimal: dpkg" "resolve's text output names the cut"

rt_done "network_rt_python3 ($SUITE)"
