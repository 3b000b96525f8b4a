# labels: offline registry
# Registry authentication and TLS against the real distribution registry on 127.0.0.1:
#   htpasswd   Basic auth: anonymous is refused naming where credentials were looked for,
#              pare login checks and stores them (0600), a wrong password is refused, push and
#              pull then work, pare logout removes them; also from $PARE_REGISTRY_USERNAME/
#              PASSWORD and from podman's $REGISTRY_AUTH_FILE; a docker-credential-* helper.
#   tls        a CA the test makes: refused without it (exit 4, certificate problem), accepted
#              with --ca-file and with a certs.d directory (PARE_CERTS_DIRS stands in for
#              /etc/containers/certs.d), skopeo reads what pare pushed over TLS.
#   token      bearer tokens from the test's token server: pull and push scopes, the mount's
#              source pull scope, and a read-only user whose push is denied with the scope named.
# Then every file a passing and a failing run wrote (outputs, logs at -vv, the layout) is
# searched for the passwords: none may appear.
# shellcheck shell=bash source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/offline_common.bash"
source "$(dirname "${BASH_SOURCE[0]}")/registry.bash"
need_cmd skopeo jq htpasswd
offline_init
write_chain "$T/spec"
run_pare out rc build "$T/spec/app.yaml" -o "$T/app" --cache-dir "$T/cache" -q
assert_eq 0 "$rc" "build ($out)"
export HOME="$T/home"
mkdir -p "$HOME" "$T/logs"
unset DOCKER_CONFIG REGISTRY_AUTH_FILE XDG_RUNTIME_DIR PARE_REGISTRY_USERNAME PARE_REGISTRY_PASSWORD \
  PARE_REGISTRY_HOST
passwords=()
n=0
# logged NAME ARGS... — run pare at -vv, keeping stdout+stderr in $T/logs for the final search.
logged() {
  local -n _o="$1" _r="$2"
  shift 2
  n=$((n + 1))
  _r=0
  "$PARE" "$@" -vv >"$T/logs/$n.out" 2>&1 || _r=$?
  _o="$(cat "$T/logs/$n.out")"
}

# --- htpasswd ----------------------------------------------------------------------------------
start_registry htpasswd
passwords+=("$REG_PASS")
logged out rc push "oci:$T/app" "$REG/team/app"
assert_eq 2 "$rc" "anonymous push to an auth registry"
assert_contains "$out" "requires credentials; none were found in" "says credentials are missing"
assert_contains "$out" "~/.docker/config.json" "says where it looked"
n=$((n + 1))
echo "wrong-$REG_PASS" | "$PARE" login "$REG" -u "$REG_USER" --password-stdin >"$T/logs/$n.out" 2>&1 &&
  fail "a wrong password logged in"
assert_contains "$(cat "$T/logs/$n.out")" "refused the username or password" "wrong password message"
[[ ! -e "$HOME/.docker/config.json" ]] || fail "a failed login stored something"
n=$((n + 1))
echo "$REG_PASS" | "$PARE" login "$REG" -u "$REG_USER" --password-stdin >"$T/logs/$n.out" 2>&1 ||
  fail "login: $(cat "$T/logs/$n.out")"
assert_eq 600 "$(stat -c %a "$HOME/.docker/config.json")" "credentials file mode"
logged out rc push "oci:$T/app" "$REG/team/app"
assert_eq 0 "$rc" "push after login ($out)"
logged out rc pull "docker://$REG/team/app:latest" "oci:$T/pulled"
assert_eq 0 "$rc" "pull after login ($out)"
assert_eq "$(layout_digest "$T/app" app:latest)" "$(layout_digest "$T/pulled" app:latest)" "digest"
"$PARE" logout "$REG" -q
logged out rc tags "docker://$REG/team/app"
assert_eq 2 "$rc" "logout removed the credentials"
# CI: the environment, only for the hosts PARE_REGISTRY_HOST names.
PARE_REGISTRY_USERNAME="$REG_USER" PARE_REGISTRY_PASSWORD="$REG_PASS" \
  logged out rc tags "docker://$REG/team/app"
assert_eq 2 "$rc" "the environment's credentials go to no host it does not name ($out)"
PARE_REGISTRY_USERNAME="$REG_USER" PARE_REGISTRY_PASSWORD="$REG_PASS" PARE_REGISTRY_HOST="$REG" \
  logged out rc tags "docker://$REG/team/app"
assert_eq 0 "$rc" "credentials from the environment ($out)"
# podman's auth file.
printf '{"auths":{"%s":{"auth":"%s"}}}' "$REG" "$(printf '%s:%s' "$REG_USER" "$REG_PASS" | base64 -w0)" \
  >"$T/auth.json"
REGISTRY_AUTH_FILE="$T/auth.json" logged out rc tags "docker://$REG/team/app"
assert_eq 0 "$rc" "credentials from \$REGISTRY_AUTH_FILE ($out)"
# A credential helper named by docker's config.
mkdir -p "$T/bin"
cat >"$T/bin/docker-credential-pare-test" <<EOF_HELPER
#!/bin/sh
read -r server
[ "\$1" = get ] && [ "\$server" = "$REG" ] || { echo "credentials not found in native keychain"; exit 1; }
printf '{"ServerURL":"%s","Username":"%s","Secret":"%s"}' "\$server" "$REG_USER" "$REG_PASS"
EOF_HELPER
chmod +x "$T/bin/docker-credential-pare-test"
printf '{"credHelpers":{"%s":"pare-test"}}' "$REG" >"$HOME/.docker/config.json"
PATH="$T/bin:$PATH" logged out rc tags "docker://$REG/team/app"
assert_eq 0 "$rc" "credentials from docker-credential-pare-test ($out)"
rm -f "$HOME/.docker/config.json"
stop_registry

# --- TLS -----------------------------------------------------------------------------------------
start_registry tls
logged out rc push "oci:$T/app" "$REG/team/app"
assert_eq 4 "$rc" "an unknown CA is refused ($out)"
assert_contains "$out" "certificate" "says it is the certificate"
logged out rc push "oci:$T/app" "$REG/team/app" --ca-file "$REG_CA"
assert_eq 0 "$rc" "--ca-file ($out)"
mkdir -p "$T/certs.d/$REG"
cp "$REG_CA" "$T/certs.d/$REG/ca.crt"
PARE_CERTS_DIRS="$T/certs.d" logged out rc pull "docker://$REG/team/app:nonroot" "oci:$T/tls-pulled"
assert_eq 0 "$rc" "a certs.d directory ($out)"
skopeo inspect --cert-dir "$T/certs.d/$REG" "docker://$REG/team/app:latest" >/dev/null ||
  fail "skopeo cannot read over TLS what pare pushed"
stop_registry

# --- bearer tokens -------------------------------------------------------------------------------
start_registry token
passwords+=("$REG_PASS" "reader-pass")
logged out rc push "oci:$T/app" "$REG/team/app"
assert_eq 2 "$rc" "anonymous push with token auth ($out)"
PARE_REGISTRY_USERNAME="$REG_USER" PARE_REGISTRY_PASSWORD="$REG_PASS" PARE_REGISTRY_HOST="$REG" \
  logged out rc push "oci:$T/app" "$REG/team/app"
assert_eq 0 "$rc" "push with a token ($out)"
grep -q "scopes=\['repository:team/app:pull,push'\]" "$REG_TOKEN_LOG" || fail "no push-scope token"
PARE_REGISTRY_USERNAME="$REG_USER" PARE_REGISTRY_PASSWORD="$REG_PASS" PARE_REGISTRY_HOST="$REG" \
  logged out rc copy "docker://$REG/team/app:latest" "docker://$REG/copy/app:latest"
assert_eq 0 "$rc" "copy with a mount ($out)"
grep -q "repository:team/app:pull" <(grep "copy/app:pull,push" "$REG_TOKEN_LOG") ||
  fail "the mount's token did not ask for the source's pull scope: $(cat "$REG_TOKEN_LOG")"
[[ "$(mount_requests)" -gt 0 ]] || fail "no mount with token auth"
PARE_REGISTRY_USERNAME=reader PARE_REGISTRY_PASSWORD=reader-pass PARE_REGISTRY_HOST="$REG" \
  logged out rc pull "docker://$REG/team/app:latest" "oci:$T/reader-pulled"
assert_eq 0 "$rc" "a read-only user pulls ($out)"
PARE_REGISTRY_USERNAME=reader PARE_REGISTRY_PASSWORD=reader-pass PARE_REGISTRY_HOST="$REG" \
  logged out rc push "oci:$T/app" "$REG/reader/app"
assert_eq 2 "$rc" "a read-only user's push is denied ($out)"
assert_contains "$out" "do not grant" "the denial names the scope"
assert_contains "$out" "push" "the missing scope"
PARE_REGISTRY_USERNAME="$REG_USER" PARE_REGISTRY_PASSWORD="wrong" PARE_REGISTRY_HOST="$REG" \
  logged out rc tags "docker://$REG/team/app"
assert_eq 2 "$rc" "a wrong password with token auth ($out)"
assert_contains "$out" "refused the credentials from \$PARE_REGISTRY_USERNAME" "names the source"
stop_registry

# --- no password anywhere pare wrote -------------------------------------------------------------
for p in "${passwords[@]}"; do
  hits="$(grep -rlF --exclude-dir=home --exclude=auth.json --exclude=docker-credential-pare-test \
    -- "$p" "$T" 2>/dev/null || true)"
  # The registry's own directories hold the test's configuration, not pare's output.
  hits="$(grep -v "^$PARE_TEST_TMP/tmp\.[^/]*/\(config.yml\|registry.log\|token.log\)$" <<<"$hits" || true)"
  [[ -z "$hits" ]] || fail "a password appears in: $hits"
done
echo "PASS"
