# labels: network podman
# The guide's interpreted-language examples without a Dockerfile (#14), each built from
# examples/apps/ and run in podman, the app exercised over loopback inside the container:
#  - python-fastapi: FastAPI and uvicorn from Debian packages, on python3 nonroot;
#  - node-express: express installed on the host by `npm ci --omit=dev`, on nodejs nonroot;
#  - java-http: a jar compiled with javac, on java nonroot.
# An app change rebuilds only the app's own layer.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib_runtimes.sh"
need_pare
need_network
need_cmd podman skopeo jq npm javac jar
rt_init bookworm
APPS="$T/apps"
cp -r "$EX/apps" "$APPS"
ln -s "$EX"/*.yaml "$T/" # the app specs say from: ../../python3.yaml and so on

build_app() { # build_app NAME -> prints the build's --json
  "$PARE" build "$APPS/$1/pare.yaml" --suite bookworm --cache-dir "$CACHE" -o "$T/$1" --json \
    --no-git-annotations || fail "building $1"
}

# --- Python: FastAPI + uvicorn from Debian ---
build_app python-fastapi >/dev/null
out="$(pare_podman_run "oci:$T/python-fastapi:python-fastapi:nonroot" --once)" || fail "python app: $out"
assert_eq '{"fastapi": "0.92.0", "item_id": 42}' "$out" "FastAPI answered through uvicorn"
pkgs="$("$PARE" sbom "oci:$T/python-fastapi:python-fastapi:nonroot" --format spdx 2>/dev/null |
  jq -r '.packages[].name' | sort -u)"
assert_contains "$pkgs" "python3-fastapi" "the SBOM lists FastAPI's package"
assert_contains "$pkgs" "python3-uvicorn" "the SBOM lists uvicorn's package"

# An app change: only the app layer is built again, the packages layer is reused.
echo "# changed $(date +%s%N) $$" >>"$APPS/python-fastapi/app.py" # unique: the cache is shared
json="$(build_app python-fastapi)"
assert_eq "1" "$(jq .layers_built <<<"$json")" "an app change builds one layer"
hist="$(skopeo inspect --config "oci:$T/python-fastapi:python-fastapi:nonroot" | jq -r '.history[-2].created_by')"
assert_eq "pare: python-fastapi files (pare.yaml)" "$hist" "the app's own layer"

# --- Node.js: express from npm ci --omit=dev ---
(cd "$APPS/node-express" && HOME="$T" npm ci --omit=dev --no-audit --no-fund --cache "$T/npm-cache" >/dev/null 2>&1) ||
  skip "npm ci could not reach the npm registry"
build_app node-express >/dev/null
out="$(pare_podman_run "oci:$T/node-express:node-express:nonroot" /app/server.js --once)" || fail "node app: $out"
assert_contains "$out" '"status":"ok","express":"4.21.2"' "express answered"

# --- Java: a jar from javac ---
mkdir -p "$APPS/java-http/build/classes"
javac --release 17 -d "$APPS/java-http/build/classes" "$APPS/java-http/Server.java" || fail "javac"
jar --create --file "$APPS/java-http/build/server.jar" --main-class Server \
  -C "$APPS/java-http/build/classes" . || fail "jar"
build_app java-http >/dev/null
out="$(pare_podman_run "oci:$T/java-http:java-http:nonroot" /app/server.jar --once)" || fail "java app: $out"
assert_contains "$out" "hello from java 17" "the jar answered"
user="$(skopeo inspect --config "oci:$T/java-http:java-http:nonroot" | jq -r .config.User)"
assert_eq "65532" "$user" "nonroot"
echo "ok"
