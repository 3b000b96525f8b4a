# labels: network podman
# The nodejs image (examples/nodejs.yaml) against the real archive, for the suite $1 (default
# bookworm; network_rt_nodejs_trixie.sh passes trixie). A script added with `files:` prints
# process.versions (which must match the nodejs and libssl packages resolve picked: Debian's
# node uses the system OpenSSL) and makes an HTTPS request to a TLS server on the host whose
# certificate chains to a test CA: it succeeds when the spec adds the CA with `certificates:`
# (as root and as nonroot) and fails with a certificate error when it does not.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib_runtimes.sh"
need_pare
need_network
need_cmd podman skopeo openssl python3
rt_init "${1:-bookworm}"
rt_tls_server "$T"

cat >"$T/app.js" <<EOF
const https = require('https');
console.log('versions ' + JSON.stringify(process.versions));
console.log('uid ' + process.getuid());
https.get('$RT_TLS_URL', {timeout: 20000}, res => {
  let body = '';
  res.on('data', d => body += d);
  res.on('end', () => console.log('https ' + body));
}).on('error', e => console.log('https tls-failed ' + e.code));
EOF
files_yaml="files: [{src: $T/app.js, dest: /app/app.js, mode: \"0644\"}]"
with_ca="$(rt_spec nodeca "$EX/nodejs.yaml" "$files_yaml" "cmd: [/app/app.js]" "certificates: [$T/ca.crt]")"
without_ca="$(rt_spec nodeplain "$EX/nodejs.yaml" "$files_yaml" "cmd: [/app/app.js]")"
rt_build "$with_ca" "$without_ca" --variant latest,nonroot -o "$T/node"

rt_check assert_eq '["/usr/bin/node"]' \
  "$(skopeo inspect --config "oci:$T/node:nodeca:latest" | rt_json 'json.dumps(j["config"]["Entrypoint"])')" "entrypoint"

# The versions node reports are those of the packages in the image (upstream part of the
# Debian version: no epoch, nothing from the first '~', '+' or '-').
res="$(rt_resolve "$with_ca")"
upstream() { rt_json "[p['version'] for p in j['archs'][0]['packages'] if p['name'] == '$1']" <<<"$res" |
  sed -e 's/^[0-9]*://' -e 's/[~+-].*//'; }
node_pkg="$(upstream nodejs)"
ssl_pkg="$(upstream "$([[ "$SUITE" == trixie ]] && echo libssl3t64 || echo libssl3)")"
[[ -n "$node_pkg" && -n "$ssl_pkg" ]] || fail "resolve lists no nodejs or libssl: '$node_pkg' '$ssl_pkg'"

for variant in latest nonroot; do
  out="$(rt_run_host "oci:$T/node:nodeca:$variant" 2>&1)" || true
  echo "--- nodeca:$variant"$'\n'"$out"
  versions="$(grep '^versions ' <<<"$out" | cut -d' ' -f2-)"
  rt_check assert_eq "$node_pkg" "$(rt_json 'j["node"]' <<<"$versions")" "nodeca:$variant node version = the nodejs package's"
  rt_check assert_eq "$ssl_pkg" "$(rt_json 'j["openssl"]' <<<"$versions")" "nodeca:$variant OpenSSL = the libssl package's"
  rt_check assert_contains "$out" "https tls-ok" "nodeca:$variant https through the added CA"
  uid=0
  [[ "$variant" == nonroot ]] && uid=65532
  rt_check assert_contains "$out" "uid $uid" "nodeca:$variant uid"
done

out="$(rt_run_host "oci:$T/node:nodeplain:latest" 2>&1)" || true
echo "--- nodeplain:latest"$'\n'"$out"
rt_check assert_contains "$out" "versions " "nodeplain runs"
line="$(grep '^https ' <<<"$out" || true)"
[[ "$line" =~ ^https\ tls-failed\ [A-Z_]*(CERT|SIGNATURE|ISSUER)[A-Z_]*$ ]] ||
  rt_check fail "nodeplain: expected a certificate error without the CA, got '$line'"

rt_done "network_rt_nodejs ($SUITE)"
