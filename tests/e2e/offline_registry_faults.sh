# labels: offline registry
# Pushing through trouble: a fault proxy (tests/e2e/registry/fault_proxy.py) in front of the
# real registry drops a connection in the middle of a chunk of a layer over 64 MiB (the
# registry keeps half of it), drops a monolithic PUT, answers 503 to HEADs and 429 with
# Retry-After to a POST. The push resumes the chunk from the offset the registry reports,
# starts the dropped upload again, waits as told, and completes; what it pushed pulls back
# verified, with the same digests; on a terminal the progress line shows each blob in flight.
# Peak RSS of the push and of the pull stays under 100 MB
# although the layer is larger (blobs stream from and to disk, never held whole in memory).
# shellcheck shell=bash source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/offline_common.bash"
source "$(dirname "${BASH_SOURCE[0]}")/registry.bash"
need_cmd jq python3
[[ -x /usr/bin/time ]] || skip "GNU time is not installed"
offline_init
write_chain "$T/spec"
head -c $((70 << 20)) /dev/urandom >"$T/spec/big.bin"
cat >"$T/spec/big.yaml" <<EOF
from: app.yaml
name: big
files:
  - {src: big.bin, dest: /data/big.bin}
variants: [latest]
EOF
run_pare out rc build "$T/spec/big.yaml" -o "$T/big" --cache-dir "$T/cache" -q
assert_eq 0 "$rc" "build ($out)"
big_layer="$(manifest_of "$T/big" big:latest | jq -r '.layers | max_by(.size) | .size')"
[[ "$big_layer" -gt $((64 << 20)) ]] || fail "the big layer is only $big_layer bytes"

start_registry plain
proxy_port="$(free_port)"
python3 "$REG_HELPERS/fault_proxy.py" --port "$proxy_port" --upstream "$REG" --log "$T/faults.log" \
  --drop-patch 2 --drop-put 1 --fail-head 2 --throttle-post 1 &
proxy_pid=$!
on_exit "kill $proxy_pid"
wait_port "$proxy_port" || fail "fault proxy did not start"
PROXY="127.0.0.1:$proxy_port"

/usr/bin/time -f "%M" -o "$T/push.rss" "$PARE" push "oci:$T/big" "$PROXY/team/big" -v --json \
  >"$T/push.json" 2>"$T/push.err" || fail "push through faults: $(cat "$T/push.err")"
assert_eq "$(layout_digest "$T/big" big:latest)" "$(jq -r '.pushed[0].digest' "$T/push.json")" \
  "pushed digest"
for fault in "drop PATCH" "drop PUT" "503 HEAD" "429 POST"; do
  grep -q "^$fault" "$T/faults.log" || fail "the proxy did not inject '$fault': $(cat "$T/faults.log")"
done
assert_contains "$(cat "$T/push.err")" "resuming upload" "a dropped chunk resumes"
assert_contains "$(cat "$T/push.err")" "starting the upload of" "a dropped PUT starts again"
assert_contains "$(cat "$T/push.err")" "HTTP 429" "the 429 is retried"
rss="$(tail -n1 "$T/push.rss")"
[[ "$rss" -lt 102400 ]] || fail "push peak RSS ${rss} KiB (limit 100 MiB)"

# On a terminal, the progress line names the blobs in flight ("[<12 hex> 12.3 MB/73.4 MB]").
if command -v script >/dev/null; then
  script -qec "'$PARE' push 'oci:$T/big' '$REG/tty/big'" "$T/tty.log" >/dev/null ||
    fail "push on a terminal: $(cat "$T/tty.log")"
  grep -qE '\[[0-9a-f]{12} [0-9.]+ MB/[0-9.]+ MB\]' "$T/tty.log" ||
    fail "no per-blob progress on a terminal: $(tr '\r' '\n' <"$T/tty.log" | tail -5)"
fi

# Pulled straight from the registry, every blob is verified against its digest.
/usr/bin/time -f "%M" -o "$T/pull.rss" "$PARE" pull "docker://$REG/team/big:latest" "oci:$T/pulled" \
  -q 2>"$T/pull.err" || fail "pull: $(cat "$T/pull.err")"
assert_eq "$(layout_digest "$T/big" big:latest)" "$(layout_digest "$T/pulled" big:latest)" "digest"
cmp -s "$(blob_path "$T/big" "$(manifest_of "$T/big" big:latest | jq -r '.layers | max_by(.size) | .digest')")" \
  "$(blob_path "$T/pulled" "$(manifest_of "$T/pulled" big:latest | jq -r '.layers | max_by(.size) | .digest')")" ||
  fail "the big layer differs after the round trip"
rss="$(tail -n1 "$T/pull.rss")"
[[ "$rss" -lt 102400 ]] || fail "pull peak RSS ${rss} KiB (limit 100 MiB)"
echo "PASS (push and pull of a $((big_layer >> 20)) MiB layer; peak RSS push $(tail -n1 "$T/push.rss") KiB, pull ${rss} KiB)"
