# labels: network podman
# Applications on pare images without a Dockerfile (#14): examples/apps/. Each app is built on
# the host with Debian's compilers, its spec builds the image, and the image runs in podman.
#  - cpp-sqlite: a C++ program on libsqlite3 whose runtime packages auto-deps finds alone
#    (libsqlite3-0, libstdc++6, libgcc-s1; libc6 is the base's), with a healthcheck that
#    podman reads from the image config;
#  - go-static: a CGO_ENABLED=0 service on static (auto-deps adds nothing), and on scratch
#    with only the CA bundle;
#  - pare deps on real binaries agrees with Debian's Depends; a library no package ships is
#    one error naming it and the file that needs it.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib_runtimes.sh"
need_pare
need_network
need_cmd podman skopeo jq g++ go
rt_init bookworm
APPS="$T/apps"
cp -r "$EX/apps" "$APPS"
ln -s "$EX"/*.yaml "$T/" # the app specs say from: ../../base.yaml

# --- pare deps on the host's own binaries (Debian's Depends as the judge) ---
deps_json="$("$PARE" deps /usr/bin/python3 --cache-dir "$CACHE" --json)" || fail "pare deps python3"
assert_eq "libc6 libexpat1 zlib1g" "$(jq -r '.packages | join(" ")' <<<"$deps_json")" \
  "python3's libraries (python3.11-minimal Depends: libc6, libexpat1, zlib1g)"
J=/usr/lib/jvm/java-17-openjdk-amd64
java_pkgs="$("$PARE" deps "$J/bin/java" "$J/lib/libjava.so" "$J/lib/libjli.so" "$J/lib/libzip.so" \
  "$J/lib/libnio.so" "$J/lib/libnet.so" "$J/lib/server/libjvm.so" --cache-dir "$CACHE" --json |
  jq -r '.packages | join(" ")')" || fail "pare deps java"
assert_eq "libc6 libgcc-s1 libstdc++6 zlib1g" "$java_pkgs" "the JVM's core libraries"

# --- C++ on libsqlite3: auto-deps alone finds its packages ---
mkdir -p "$APPS/cpp-sqlite/build"
g++ -O2 -o "$APPS/cpp-sqlite/build/sqlite-demo" "$APPS/cpp-sqlite/main.cpp" -lsqlite3 ||
  fail "compiling the C++ example"
out="$("$PARE" deps "$APPS/cpp-sqlite/build/sqlite-demo" --cache-dir "$CACHE" --json)"
assert_eq "libc6 libgcc-s1 libsqlite3-0 libstdc++6" "$(jq -r '.packages | join(" ")' <<<"$out")" \
  "pare deps of the C++ program"
json="$("$PARE" build "$APPS/cpp-sqlite/pare.yaml" --suite bookworm --cache-dir "$CACHE" \
  -o "$T/cpp" --json --no-git-annotations)" || fail "building cpp-sqlite"
added="$(jq -r '[.auto_deps[].packages[]] | join(" ")' <<<"$json")"
assert_eq "libc6 libgcc-s1 libsqlite3-0 libstdc++6" "$added" "the packages auto-deps added"
run_out="$(pare_podman_run "oci:$T/cpp:cpp-sqlite:nonroot")" || fail "running cpp-sqlite: $run_out"
assert_contains "$run_out" "rows=3 sqlite=3.40" "the program's output"
hc="$(skopeo inspect --raw --config "oci:$T/cpp:cpp-sqlite:nonroot" | jq -c .config.Healthcheck)"
assert_eq '{"Interval":30000000000,"Retries":3,"Test":["CMD","/app/sqlite-demo","--health"],"Timeout":3000000000}' \
  "$hc" "the healthcheck in the image config"
# podman runs the healthcheck it reads from the image (docker-archive keeps Docker's config).
"$PARE" copy "oci:$T/cpp:cpp-sqlite:nonroot" "docker-archive:$T/cpp.tar:localhost/cpp-sqlite:hc" -q ||
  fail "docker-archive of cpp-sqlite"
pare_podman load -q -i "$T/cpp.tar" >/dev/null || fail "podman load"
on_exit "pare_podman rmi -f localhost/cpp-sqlite:hc >/dev/null 2>&1"
assert_contains "$(pare_podman image inspect localhost/cpp-sqlite:hc --format '{{json .HealthCheck}}')" \
  '"/app/sqlite-demo","--health"' "podman reads the healthcheck"

# slim: true keeps, of the packages auto-deps adds, only the libraries the program needs (as
# slices: copyright and a status.d entry whose md5sums list what is there).
sed 's/^auto-deps: true/auto-deps: true\nslim: true/' "$APPS/cpp-sqlite/pare.yaml" >"$APPS/cpp-sqlite/slim.yaml"
"$PARE" build "$APPS/cpp-sqlite/slim.yaml" --suite bookworm --cache-dir "$CACHE" -o "$T/cpp-slim" -q \
  --no-git-annotations || fail "building cpp-sqlite slim"
out="$(pare_podman_run "oci:$T/cpp-slim:cpp-sqlite:nonroot")" || fail "running the slim image: $out"
assert_contains "$out" "rows=3" "the slim image runs"
slim_ls="$("$PARE" ls "oci:$T/cpp-slim:cpp-sqlite:nonroot" / -R --cache-dir "$CACHE" | awk '{print $NF}')"
full_ls="$("$PARE" ls "oci:$T/cpp:cpp-sqlite:nonroot" / -R --cache-dir "$CACHE" | awk '{print $NF}')"
gdb_py=/usr/share/gdb/auto-load/usr/lib/x86_64-linux-gnu/libstdc++.so.6.0.30-gdb.py
grep -qx "$gdb_py" <<<"$full_ls" || fail "the full image lacks libstdc++6's gdb helper (test premise)"
grep -qx "$gdb_py" <<<"$slim_ls" && fail "slim kept a file the program does not need"
grep -qx /usr/share/doc/libstdc++6/copyright <<<"$slim_ls" || grep -qx /usr/share/doc/gcc-12-base/copyright <<<"$slim_ls" ||
  fail "slim dropped the copyright"
md5="$("$PARE" cat "oci:$T/cpp-slim:cpp-sqlite:nonroot" /var/lib/dpkg/status.d/libstdc++6.md5sums --cache-dir "$CACHE")"
assert_not_contains "$md5" "gdb.py" "the slice's md5sums list only what is present"
assert_contains "$md5" "libstdc++.so.6.0.30" "the slice's md5sums list the library"

# Without auto-deps the image lacks libsqlite3: the program cannot start (the test can fail).
sed 's/^auto-deps: true/auto-deps: false/' "$APPS/cpp-sqlite/pare.yaml" >"$APPS/cpp-sqlite/nodeps.yaml"
"$PARE" build "$APPS/cpp-sqlite/nodeps.yaml" --suite bookworm --cache-dir "$CACHE" -o "$T/cpp-nodeps" -q \
  --no-git-annotations || fail "building without auto-deps"
if pare_podman_run "oci:$T/cpp-nodeps:cpp-sqlite:nonroot" >/dev/null 2>&1; then
  fail "the program ran without its libraries"
fi

# A library no package ships: one error naming the library and the file.
mkdir -p "$T/own"
printf 'int own_fn(void) { return 7; }\n' >"$T/own/own.c"
printf 'int own_fn(void);\nint main(void) { return own_fn() == 7 ? 0 : 1; }\n' >"$T/own/main.c"
gcc -shared -fPIC -Wl,-soname,libpareown.so.1 -o "$T/own/libpareown.so.1" "$T/own/own.c"
gcc -o "$T/own/app" "$T/own/main.c" "$T/own/libpareown.so.1"
err="$("$PARE" deps "$T/own/app" --cache-dir "$CACHE" 2>&1)" && fail "an unshipped library was accepted"
assert_contains "$err" "$T/own/app needs libpareown.so.1" "the error names the file and library"
# Given with the program, the library is the application's own (found by its SONAME).
"$PARE" deps "$T/own/app" "$T/own/libpareown.so.1" --cache-dir "$CACHE" >/dev/null ||
  fail "the application's own library was not recognised"
printf 'not elf' >"$T/own/fake.so" && printf '\177ELF\002\001\001' >>"$T/own/fake.so"
printf '\177ELF\002\001\001\000garbage-garbage-garbage' >"$T/own/bad.so"
err="$("$PARE" deps "$T/own/bad.so" --cache-dir "$CACHE" 2>&1)" && fail "a malformed ELF file was accepted"
assert_contains "$err" "bad.so is not a readable ELF file" "a malformed ELF file"

# --- Go, static (CGO_ENABLED=0): on static, and on scratch with just the CA bundle ---
mkdir -p "$APPS/go-static/build"
(cd "$APPS/go-static" && HOME="$T" GOCACHE="$T/gocache" GOFLAGS=-mod=mod CGO_ENABLED=0 \
  go build -trimpath -o build/server .) || fail "building the Go service"
json="$("$PARE" build "$APPS/go-static/pare.yaml" --suite bookworm --cache-dir "$CACHE" -o "$T/go" \
  --json --no-git-annotations)" || fail "building go-static"
assert_eq "" "$(jq -r '[.auto_deps[].packages[]] | join(" ")' <<<"$json")" "a static binary needs nothing"
out="$(pare_podman_run "oci:$T/go:go-static:nonroot" --once)" || fail "running go-static: $out"
assert_contains "$out" "hello from go on /distroless" "the Go service answered"
assert_contains "$out" "ca-bundle present" "static carries the CA bundle"
cp /etc/ssl/certs/ca-certificates.crt "$APPS/go-static/build/"
"$PARE" build "$APPS/go-static/scratch.yaml" --suite bookworm --cache-dir "$CACHE" -o "$T/go-scratch" -q \
  --no-git-annotations || fail "building go on scratch"
out="$(pare_podman_run "oci:$T/go-scratch:go-scratch:latest" --once)" || fail "running go on scratch: $out"
assert_contains "$out" "hello from go on /distroless" "the Go service on scratch"
n="$(skopeo inspect "oci:$T/go-scratch:go-scratch:latest" | jq '.Layers | length')"
assert_eq "2" "$n" "scratch: the app layer and the SBOM layer only"

# --- files: from a tarball (extract), a glob, .dockerignore-style excludes ---
F="$T/files"
mkdir -p "$F/site/sub" "$F/site/.git" "$F/dist" "$F/tree"
echo one >"$F/dist/a.js"; echo two >"$F/dist/b.js"; echo no >"$F/dist/c.map"
echo page >"$F/site/index.html"; echo x >"$F/site/sub/keep.txt"; echo y >"$F/site/sub/drop.log"
echo ref >"$F/site/.git/HEAD"
mkdir -p "$F/tree/etc/app" && echo cfg >"$F/tree/etc/app/app.conf" && ln -s app.conf "$F/tree/etc/app/link"
tar -C "$F/tree" -czf "$F/rootfs.tar.gz" .
cat >"$F/files.yaml" <<YAML
from: $EX/static.yaml
name: files
archs: [amd64]
files:
  - {src: rootfs.tar.gz, dest: /, extract: true}
  - {src: "dist/*.js", dest: /srv/js}
  - {src: site, dest: /srv/site, exclude: [".git", "**/*.log"]}
YAML
"$PARE" build "$F/files.yaml" --suite bookworm --cache-dir "$CACHE" -o "$T/files-out" -q --no-git-annotations ||
  fail "building the files spec"
listing="$("$PARE" ls "oci:$T/files-out:files:latest" / -R --cache-dir "$CACHE" | awk '{print $NF}')"
for p in /etc/app/app.conf /srv/js/a.js /srv/js/b.js /srv/site/index.html /srv/site/sub/keep.txt; do
  grep -qx "$p" <<<"$listing" || fail "$p missing from the image"
done
for p in /srv/js/c.map /srv/site/.git/HEAD /srv/site/sub/drop.log /rootfs.tar.gz; do
  grep -qx "$p" <<<"$listing" && fail "$p should not be in the image"
done
assert_eq "cfg" "$("$PARE" cat "oci:$T/files-out:files:latest" /etc/app/link --cache-dir "$CACHE")" \
  "a symlink from the tarball"
# A tarball whose entry climbs out of dest is refused at its item, and nothing is written.
python3 -c 'import io, sys, tarfile
t = tarfile.open(sys.argv[1], "w")
for n in ("ok.txt", "../escape.txt"):
    i = tarfile.TarInfo(n); i.size = 1; t.addfile(i, io.BytesIO(b"x"))
t.close()' "$F/evil.tar"
printf 'from: %s/static.yaml\nname: evil\narchs: [amd64]\nfiles:\n  - {src: evil.tar, dest: /srv, extract: true}\n' \
  "$EX" >"$F/evil.yaml"
err="$("$PARE" build "$F/evil.yaml" --suite bookworm --cache-dir "$CACHE" -o "$T/evil-out" -q 2>&1)" &&
  fail "a tarball entry with .. was accepted"
assert_contains "$err" "evil.yaml:5:5: $F/evil.tar: holds '../escape.txt': not a plain path below dest" \
  "the refused entry, at its item"
assert_no_file "$T/evil-out" "output of a refused build"

# --- Go with cgo on base: auto-deps finds glibc's package from the binary ---
mkdir -p "$APPS/go-cgo/build"
(cd "$APPS/go-cgo" && HOME="$T" GOCACHE="$T/gocache" CGO_ENABLED=1 go build -trimpath -o build/cgo-demo .) ||
  fail "building the cgo program"
json="$("$PARE" build "$APPS/go-cgo/pare.yaml" --suite bookworm --cache-dir "$CACHE" -o "$T/cgo" --json \
  --no-git-annotations)" || fail "building go-cgo"
assert_eq "libc6" "$(jq -r '[.auto_deps[].packages[]] | join(" ")' <<<"$json")" "cgo needs glibc"
out="$(pare_podman_run "oci:$T/cgo:go-cgo:nonroot")" || fail "running go-cgo: $out"
assert_contains "$out" "cgo: glibc 2.36" "the cgo program ran on base"
echo "ok"
