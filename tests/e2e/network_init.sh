# labels: network podman
# pare init (#14): a spec for a directory of each kind, on the guide's base, that builds; and
# --from-dockerfile on the guide's Dockerfiles (tests/fixtures/dockerfiles, copied from the
# guide): the specs build once the builder stage's outputs are where the notes say, and the Go
# one (scratch) and the Java one run in podman. A Dockerfile that does not parse is one error
# with its line.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib_runtimes.sh"
need_pare
need_network
need_cmd podman jq go javac jar gcc
rt_init bookworm
DF="$PARE_SOURCE_DIR/tests/fixtures/dockerfiles"
init() { "$PARE" init "$@" --families "$EX" --json; }
build() { # build SPEC OUT
  "$PARE" build "$1" --suite bookworm --cache-dir "$CACHE" -o "$2" -q --no-git-annotations ||
    fail "building $1"
}

# --- a project directory of each kind ---
P="$T/projects"
mkdir -p "$P/go" "$P/node" "$P/python" "$P/java" "$P/elf"
cp "$EX/apps/go-static/"{go.mod,main.go} "$P/go/"
assert_eq "static" "$(init "$P/go" | jq -r .family)" "go.mod -> static"
mkdir -p "$P/go/build"
(cd "$P/go" && HOME="$T" GOCACHE="$T/gocache" CGO_ENABLED=0 go build -trimpath -o build/server .) || fail "go build"
build "$P/go/pare.yaml" "$T/init-go"
out="$(pare_podman_run "oci:$T/init-go:go:nonroot" --once)" || fail "running the init'd Go image: $out"
assert_contains "$out" "hello from go" "pare init's Go spec runs"

printf '{"name": "x", "main": "server.js"}\n' >"$P/node/package.json"
j="$(init "$P/node")"
assert_eq "nodejs" "$(jq -r .family <<<"$j")" "package.json -> nodejs"
assert_contains "$(jq -r '.notes[].note' <<<"$j")" "npm ci --omit=dev" "node: what to build first"
printf 'fastapi\nuvicorn\n' >"$P/python/requirements.txt"
printf 'print("hi")\n' >"$P/python/main.py"
j="$(init "$P/python")"
assert_eq "python3" "$(jq -r .family <<<"$j")" "requirements.txt -> python3"
assert_contains "$(jq -r '.notes[].note' <<<"$j")" "python3-fastapi" "python: Debian packages suggested"
build "$P/python/pare.yaml" "$T/init-py"
assert_eq "hi" "$(pare_podman_run "oci:$T/init-py:python:nonroot")" "pare init's Python spec runs"
printf '<project/>\n' >"$P/java/pom.xml"
assert_eq "java" "$(init "$P/java" | jq -r .family)" "pom.xml -> java"
printf '#include <stdio.h>\nint main(void){puts("dynamic c");return 0;}\n' >"$T/c.c"
gcc -o "$P/elf/hello" "$T/c.c"
j="$(init "$P/elf")"
assert_eq "base" "$(jq -r .family <<<"$j")" "a dynamic ELF -> base with auto-deps"
build "$P/elf/pare.yaml" "$T/init-elf"
assert_eq "dynamic c" "$(pare_podman_run "oci:$T/init-elf:elf:nonroot")" "pare init's ELF spec runs"
assert_fails "$PARE" init "$P/elf" --families "$EX" -q # the spec exists: not replaced
mkdir -p "$P/empty"
err="$("$PARE" init "$P/empty" 2>&1)" && fail "an empty directory was accepted"
assert_contains "$err" "no go.mod, Cargo.toml" "an unrecognised directory"

# --- the guide's Dockerfiles ---
M="$T/migrate"
for f in go java node python alpine; do
  mkdir -p "$M/$f"
  cp "$DF/$f.Dockerfile" "$M/$f/Dockerfile"
  init "$M/$f" --from-dockerfile "$M/$f/Dockerfile" >"$M/$f/init.json" || fail "init --from-dockerfile $f"
done
assert_eq "scratch java nodejs python3 nodejs" \
  "$(for f in go java node python alpine; do jq -r .family "$M/$f/init.json"; done | xargs)" "families"
assert_contains "$(jq -r '.notes[] | "\(.line): \(.note)"' "$M/alpine/init.json")" "4: RUN in the final stage" \
  "alpine: the RUN line is listed"
# Go on scratch: the builder's outputs where the notes say, then build and run.
mkdir -p "$M/go/build"
cp "$EX/apps/go-static/"{go.mod,main.go} "$M/go/"
(cd "$M/go" && HOME="$T" GOCACHE="$T/gocache" CGO_ENABLED=0 go build -trimpath -o build/app .) || fail "go build"
cp /etc/ssl/certs/ca-certificates.crt "$M/go/build/"
build "$M/go/pare.yaml" "$T/mig-go"
out="$(pare_podman_run "oci:$T/mig-go:go:latest" /app --once)" || fail "the translated Go image: $out"
assert_contains "$out" "ca-bundle present" "the translated Go image runs with its CA bundle"
# Java: the jar at build/app.jar.
mkdir -p "$M/java/build/classes"
javac --release 17 -d "$M/java/build/classes" "$EX/apps/java-http/Server.java" || fail javac
jar --create --file "$M/java/build/app.jar" --main-class Server -C "$M/java/build/classes" . || fail jar
build "$M/java/pare.yaml" "$T/mig-java"
out="$(pare_podman_run "oci:$T/mig-java:java:nonroot" app.jar --once)" || fail "the translated Java image: $out"
assert_contains "$out" "hello from java" "the translated Java image runs"
# Node and Python: build with placeholder outputs (their builder stages need npm and pip).
mkdir -p "$M/node/build/app" "$M/python/build/app" "$M/python/build/.local"
printf 'console.log("node ok")\n' >"$M/node/build/app/server.js"
build "$M/node/pare.yaml" "$T/mig-node"
assert_eq "node ok" "$(pare_podman_run "oci:$T/mig-node:node:nonroot")" "the translated Node image runs"
build "$M/python/pare.yaml" "$T/mig-python"

printf 'FROM scratch\nCOPPY a /a\n' >"$T/bad.Dockerfile"
err="$("$PARE" init "$T" --from-dockerfile "$T/bad.Dockerfile" --stdout 2>&1)" && fail "a bad Dockerfile was accepted"
assert_contains "$err" "bad.Dockerfile:2: unknown instruction 'COPPY'" "the error names the line"
echo "ok"
