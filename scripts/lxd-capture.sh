#!/usr/bin/env bash
# Captures real `/1.0/events` frames from a real LXD 5.0.2 (or Incus 6.0.4) daemon into
# tests/fixtures/lxd/, following shared/docs/lxd-events.md:
#   scripts/lxd-capture.sh lxd      -> tests/fixtures/lxd/lxd-5.0.2.jsonl
#   scripts/lxd-capture.sh incus    -> tests/fixtures/lxd/incus-6.0.4.jsonl
#
# The daemon is started, bridged to 127.0.0.1 and stopped by scripts/lxd-daemon.sh (sourced): see
# there for the namespaces it runs in and why. Everything started here is stopped by PID from an
# EXIT trap, also on failure or interruption. State and logs live in target/lxd-run/<flavour>/
# (gen.log holds every command's output). LXD_CAPTURE_OUT=DIR writes the fixture elsewhere (to try
# the script without touching the committed fixtures).
set -euo pipefail

FLAVOR=${1:-lxd}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT_DIR=${LXD_CAPTURE_OUT:-$ROOT/tests/fixtures/lxd}
# shellcheck source=scripts/lxd-daemon.sh
source "$ROOT/scripts/lxd-daemon.sh"

case $FLAVOR in
lxd)
    lxd_configure lxd "$ROOT/target/lxd-run/lxd" 18443
    OUT=$OUT_DIR/lxd-5.0.2.jsonl
    ;;
incus)
    lxd_configure incus "$ROOT/target/lxd-run/incus" 18453
    OUT=$OUT_DIR/incus-6.0.4.jsonl
    ;;
*)
    echo "usage: $0 lxd|incus" >&2
    exit 2
    ;;
esac
BASE=$LXD_RUN_DIR
CLI=$LXD_CLI
PORT=$LXD_PORT

log() { echo "[lxd-capture] $*" >&2; }

LISTEN_PID=''

stop_all() {
    local rc=$?
    set +e
    if [ -n "$LISTEN_PID" ] && kill -0 "$LISTEN_PID" 2>/dev/null; then
        kill -TERM "$LISTEN_PID"
        wait "$LISTEN_PID"
    fi
    lxd_stop_all
    log "stopped (exit $rc)"
    exit $rc
}

write_listener() {
    cat >"$BASE/listen.mjs" <<'JS'
// Writes every text frame of /1.0/events to a file as it arrived (one frame = one JSON object plus "\n").
import { writeFileSync, openSync, writeSync } from "node:fs";
const [url, out, ready] = process.argv.slice(2);
const fd = openSync(out, "w");
let frames = 0;
const ws = new WebSocket(url);
ws.onopen = () => writeFileSync(ready, "open\n");
ws.onmessage = (m) => {
  if (typeof m.data !== "string") { console.error("binary frame ignored"); return; }
  frames++;
  writeSync(fd, m.data.endsWith("\n") ? m.data : m.data + "\n");
};
ws.onerror = (e) => { console.error("websocket error", e.message ?? e); process.exit(1); };
ws.onclose = (e) => { console.error(`closed ${e.code} after ${frames} frames`); process.exit(0); };
process.on("SIGTERM", () => { console.error(`stopping after ${frames} frames`); ws.close(); setTimeout(() => process.exit(0), 500); });
JS
}

start_listener() {
    rm -f "$BASE/ready"
    node --experimental-websocket --no-warnings "$BASE/listen.mjs" \
        "ws://127.0.0.1:$PORT/1.0/events?type=logging,operation,lifecycle&all-projects=true" "$BASE/raw.jsonl" "$BASE/ready" \
        2>"$BASE/listen.log" &
    LISTEN_PID=$!
    for _ in $(seq 100); do [ -f "$BASE/ready" ] && return; sleep 0.1; done
    log "listener did not connect"
    return 1
}

# Steps are best effort: a step this daemon refuses is logged, the capture goes on.
step() {
    if ! "$@" >>"$BASE/gen.log" 2>&1; then
        echo "step failed: $*" >>"$BASE/gen.log"
        log "step failed: $*"
    fi
}
q() { $CLI query "$@"; }
in_daemon_net() { lxd_in_daemon_net "$@"; }

make_image() {
    local dir=$BASE/img
    rm -rf "$dir" && mkdir -p "$dir/rootfs/bin" "$dir/rootfs/sbin" "$dir/rootfs/etc" "$dir/rootfs/tmp" "$dir/templates"
    cp /bin/busybox "$dir/rootfs/bin/busybox"
    ln -s busybox "$dir/rootfs/bin/sh"
    ln -s ../bin/busybox "$dir/rootfs/sbin/init"
    # busybox init: only a shell-free sysinit, so the container idles until it is told to stop.
    printf '::sysinit:/bin/busybox true\n::restart:/sbin/init\n::shutdown:/bin/busybox true\n' >"$dir/rootfs/etc/inittab"
    printf 'hello {{ container.name }}\n' >"$dir/templates/hello.tpl"
    printf 'architecture: %s\ncreation_date: %s\nproperties: {os: ci, release: "0", description: ci busybox}\ntemplates:\n  /etc/hello:\n    when: [create]\n    template: hello.tpl\n' \
        "$(uname -m)" "$(date +%s)" >"$dir/metadata.yaml"
    tar -C "$dir" -czf "$BASE/ci-image.tar.gz" metadata.yaml rootfs templates
}

gen() {
    local lxd=0
    [ "$FLAVOR" = lxd ] && lxd=1
    : >"$BASE/gen.log"

    log "server config, profiles, projects"
    step $CLI config set user.ci=1
    step $CLI config unset user.ci
    step $CLI profile create ci-p1
    step $CLI profile set ci-p1 user.k=v
    step $CLI profile rename ci-p1 ci-p2
    step $CLI profile delete ci-p2
    step $CLI project create ci-proj -c features.profiles=true -c features.images=false
    step $CLI project set ci-proj user.k=v
    step $CLI profile create pp --project ci-proj
    step $CLI profile delete pp --project ci-proj
    step $CLI project rename ci-proj ci-proj2
    step $CLI project delete ci-proj2

    log "storage pools and volumes"
    step $CLI storage create ci-pool dir
    step $CLI storage set ci-pool user.k=v
    step $CLI storage volume create ci-pool ci-vol
    step $CLI storage volume set ci-pool ci-vol user.k=v
    if [ $lxd = 1 ]; then
        step $CLI storage volume snapshot ci-pool ci-vol s0
        step q -X POST /1.0/storage-pools/ci-pool/volumes/custom/ci-vol/snapshots/s0 -d '{"name":"s1"}'
        step q -X PATCH /1.0/storage-pools/ci-pool/volumes/custom/ci-vol/snapshots/s1 -d '{"description":"ci"}'
        step $CLI storage volume restore ci-pool ci-vol s1
        step $CLI storage volume delete ci-pool ci-vol/s1
    else
        step $CLI storage volume snapshot create ci-pool ci-vol s0
        step $CLI storage volume snapshot rename ci-pool ci-vol s0 s1
        step q -X PATCH /1.0/storage-pools/ci-pool/volumes/custom/ci-vol/snapshots/s1 -d '{"description":"ci"}'
        step $CLI storage volume snapshot restore ci-pool ci-vol s1
        step $CLI storage volume snapshot delete ci-pool ci-vol s1
    fi
    step q -X POST /1.0/storage-pools/ci-pool/volumes/custom/ci-vol/backups -d '{"name":"b0"}'
    step q -X POST /1.0/storage-pools/ci-pool/volumes/custom/ci-vol/backups/b0 -d '{"name":"b1"}'
    step curl -sf -o "$BASE/vol-backup.tar.gz" "http://127.0.0.1:$PORT/1.0/storage-pools/ci-pool/volumes/custom/ci-vol/backups/b1/export"
    step q -X DELETE /1.0/storage-pools/ci-pool/volumes/custom/ci-vol/backups/b1
    step $CLI storage volume rename ci-pool ci-vol ci-vol2
    step $CLI storage volume delete ci-pool ci-vol2
    step $CLI storage delete ci-pool

    log "networks, ACLs, zones"
    step $CLI network acl create ci-acl
    step $CLI network acl set ci-acl user.k=v
    step $CLI network acl rename ci-acl ci-acl2
    step $CLI network acl delete ci-acl2
    step $CLI network create ci-mv --type=macvlan parent=ci-veth0
    step $CLI network set ci-mv mtu=1400
    step $CLI network rename ci-mv ci-mv2
    step $CLI network delete ci-mv2
    step $CLI network zone create ci.example.net
    step $CLI network zone set ci.example.net user.k=v
    step $CLI network zone record create ci.example.net www
    step $CLI network zone record entry add ci.example.net www A 192.0.2.10
    step $CLI network zone record delete ci.example.net www
    step $CLI network zone delete ci.example.net

    log "images and aliases"
    make_image
    step $CLI image import "$BASE/ci-image.tar.gz" --alias ci-img
    local fp
    fp=$(q /1.0/images/aliases/ci-img 2>/dev/null | python3 -c 'import sys, json; print(json.load(sys.stdin)["target"])' || true)
    step $CLI image set-property ci-img user.k v
    step $CLI image alias create ci-img2 "$fp"
    step q -X PUT /1.0/images/aliases/ci-img2 -d "{\"target\":\"$fp\",\"description\":\"ci\"}"
    step $CLI image alias rename ci-img2 ci-img3
    step $CLI image alias delete ci-img3
    step q -X POST "/1.0/images/$fp/secret"
    step $CLI image export ci-img "$BASE/exported"

    log "instances"
    step $CLI init ci-img ci-c1
    step $CLI config set ci-c1 user.a=b raw.lxc='lxc.signal.halt=SIGUSR2
lxc.signal.reboot=SIGTERM'
    step $CLI config metadata show ci-c1
    step q -X PUT /1.0/instances/ci-c1/metadata -d '{"architecture":"'"$(uname -m)"'","creation_date":1,"properties":{"os":"ci"},"templates":{"/etc/hello":{"when":["create"],"template":"hello.tpl"}}}'
    step sh -c "printf 'x\n' | $CLI config template create ci-c1 extra.tpl"
    step $CLI config template show ci-c1 extra.tpl
    step $CLI config template delete ci-c1 extra.tpl
    printf 'pushed\n' >"$BASE/pushed.txt"
    step $CLI file push "$BASE/pushed.txt" ci-c1/tmp/pushed.txt
    step $CLI file pull ci-c1/tmp/pushed.txt "$BASE/pulled.txt"
    step $CLI file delete ci-c1/tmp/pushed.txt
    if [ $lxd = 1 ]; then
        step $CLI snapshot ci-c1 snap0
        step $CLI rename ci-c1/snap0 ci-c1/snap1
    else
        step $CLI snapshot create ci-c1 snap0
        step $CLI snapshot rename ci-c1 snap0 snap1
    fi
    step q -X PATCH /1.0/instances/ci-c1/snapshots/snap1 -d '{"expires_at":"2099-01-01T00:00:00Z"}'
    step q -X PUT /1.0/instances/ci-c1/snapshots/snap1 -d '{"expires_at":"2098-01-01T00:00:00Z"}'
    if [ $lxd = 1 ]; then
        step $CLI restore ci-c1 snap1
        step $CLI delete ci-c1/snap1
    else
        step $CLI snapshot restore ci-c1 snap1
        step $CLI snapshot delete ci-c1 snap1
    fi
    step q -X POST /1.0/instances/ci-c1/backups -d '{"name":"b0","compression_algorithm":"none"}'
    step q -X POST /1.0/instances/ci-c1/backups/b0 -d '{"name":"b1"}'
    step curl -sf -o "$BASE/inst-backup.tar" "http://127.0.0.1:$PORT/1.0/instances/ci-c1/backups/b1/export"
    step q -X DELETE /1.0/instances/ci-c1/backups/b1

    log "instance lifecycle (busybox init)"
    step $CLI start ci-c1
    sleep 1
    step $CLI exec ci-c1 -- /bin/busybox true
    step $CLI exec ci-c1 -- /bin/busybox sh -c 'exit 3'
    step q -X POST /1.0/instances/ci-c1/console -d '{"width":80,"height":25,"type":"console"}'
    # A console attach needs a terminal: script(1) gives it one, timeout ends the session.
    step timeout 3 script -qec "$CLI console ci-c1" /dev/null
    step q /1.0/instances/ci-c1/console
    step q -X DELETE /1.0/instances/ci-c1/console
    step $CLI info ci-c1 --show-log
    step q /1.0/instances/ci-c1/logs/lxc.log
    step $CLI pause ci-c1
    step $CLI start ci-c1
    step $CLI restart ci-c1 --timeout 10
    sleep 1
    step $CLI stop ci-c1 --timeout 10
    step $CLI start ci-c1
    step $CLI stop ci-c1 --force
    step $CLI rename ci-c1 ci-c2
    step $CLI start ci-c2
    step $CLI delete ci-c2 --force
    # An instance start that fails, for a Failure operation and error logging.
    step $CLI init ci-img ci-bad -c raw.lxc=lxc.init.cmd=/nonexistent
    step $CLI start ci-bad
    sleep 2
    step $CLI delete ci-bad --force
    step $CLI init ci-img ci-p --project default
    step $CLI delete ci-p

    log "certificates, trust token, warnings"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -sha256 -days 30 \
        -subj /CN=ci-client -keyout "$BASE/client.key" -out "$BASE/client.crt" >/dev/null 2>&1
    if [ $lxd = 1 ]; then
        step $CLI config trust add "$BASE/client.crt" --name ci-cert
    else
        step $CLI config trust add-certificate "$BASE/client.crt" --name ci-cert
    fi
    local cfp
    cfp=$(openssl x509 -in "$BASE/client.crt" -noout -fingerprint -sha256 | cut -d= -f2 | tr -d : | tr A-F a-f)
    step q -X PATCH "/1.0/certificates/$cfp" -d '{"restricted":true,"projects":["default"]}'
    step $CLI config trust remove "$cfp"
    step $CLI config set core.https_address=127.0.0.1:18444
    local token
    if [ $lxd = 1 ]; then
        token=$($CLI config trust add --name ci-token 2>/dev/null | tail -n1 || true)
    else
        token=$($CLI config trust add ci-token 2>/dev/null | tail -n1 || true)
    fi
    # The new client redeems the token over TLS inside the daemon's namespace (loopback there too).
    if [ -n "$token" ]; then
        local body
        if [ $lxd = 1 ]; then body="{\"type\":\"client\",\"password\":\"$token\"}"; else body="{\"type\":\"client\",\"trust_token\":\"$token\"}"; fi
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -sha256 -days 30 \
            -subj /CN=ci-token-client -keyout "$BASE/token.key" -out "$BASE/token.crt" >/dev/null 2>&1
        step in_daemon_net curl -sk --cert "$BASE/token.crt" --key "$BASE/token.key" -X POST https://127.0.0.1:18444/1.0/certificates -d "$body"
        step in_daemon_net curl -sk --cert "$BASE/token.crt" --key "$BASE/token.key" https://127.0.0.1:18444/1.0/instances
        step in_daemon_net curl -sk --cert "$BASE/token.crt" --key "$BASE/token.key" -X PUT https://127.0.0.1:18444/1.0/profiles/default \
            -d '{"description":"set over TLS","config":{},"devices":{"root":{"path":"/","pool":"default","type":"disk"}}}'
        local tfp
        tfp=$(openssl x509 -in "$BASE/token.crt" -noout -fingerprint -sha256 | cut -d= -f2 | tr -d : | tr A-F a-f)
        step $CLI config trust remove "$tfp"
    fi
    if [ $lxd = 1 ]; then
        step $CLI config trust add --name ci-token2
        step $CLI config trust revoke-token ci-token2
    else
        step $CLI config trust add ci-token2
        step $CLI config trust revoke-token ci-token2
    fi
    local w
    for w in $(q /1.0/warnings 2>/dev/null | python3 -c 'import sys, json; print("\n".join(u.rsplit("/", 1)[1] for u in json.load(sys.stdin)))' || true); do
        step q -X PATCH "/1.0/warnings/$w" -d '{"status":"acknowledged"}'
        step q -X PATCH "/1.0/warnings/$w" -d '{"status":"new"}'
        step q -X DELETE "/1.0/warnings/$w"
    done

    log "clustering (last: it changes every event's location)"
    step $CLI cluster enable ci-node1
    step $CLI cluster set ci-node1 scheduler.instance=all
    step $CLI cluster group create ci-group
    step q -X PUT /1.0/cluster/groups/ci-group -d '{"description":"ci","members":[]}'
    step $CLI cluster group rename ci-group ci-group2
    step $CLI cluster group delete ci-group2
    step $CLI cluster add ci-node2
    step $CLI cluster revoke-token ci-node2
    step $CLI cluster rename ci-node1 ci-node1b
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:secp384r1 -nodes -sha384 -days 30 \
        -subj /CN=ci-cluster -addext subjectAltName=IP:127.0.0.1 -keyout "$BASE/cluster.key" -out "$BASE/cluster.crt" >/dev/null 2>&1
    step $CLI cluster update-certificate "$BASE/cluster.crt" "$BASE/cluster.key"
    step $CLI storage create ci-pool2 dir --target ci-node1b
    step $CLI storage create ci-pool2 dir
    step $CLI storage delete ci-pool2
    step $CLI image delete ci-img
    step $CLI config set user.after-cluster=1
    sleep 1
    log "generator done"
}

# One file per daemon, frames in arrival order: every lifecycle frame; logging frames at most two per
# (level, message), because a daemon repeats the same few lines for every API call; operation frames
# at most three per (operation, status), because progress updates repeat "Running" many times.
write_fixture() {
    python3 - "$BASE/raw.jsonl" "$OUT" "$FLAVOR" "$($CLI version 2>/dev/null | tr '\n' ' ')" <<'PY'
import collections, json, sys
raw, out, flavor, version = sys.argv[1:]
lines = [l.rstrip("\n") for l in open(raw, encoding="utf-8") if l.strip()]
seen = collections.Counter()
kept, received, dropped = [], collections.Counter(), collections.Counter()
for line in lines:
    e = json.loads(line)
    received[e["type"]] += 1
    m = e.get("metadata") or {}
    if e["type"] == "logging":
        key, limit = ("logging", m.get("level"), m.get("message")), 2
    elif e["type"] == "operation":
        key, limit = ("operation", m.get("id"), m.get("status")), 3
    else:
        key, limit = None, 0
    if key is not None:
        seen[key] += 1
        if seen[key] > limit:
            dropped[e["type"]] += 1
            continue
    kept.append(line)
with open(out, "w", encoding="utf-8") as f:
    f.write(f"# Real {flavor} daemon ({version.strip()}), GET /1.0/events?type=logging,operation,lifecycle&all-projects=true,\n")
    f.write("# captured by scripts/lxd-capture.sh: one text frame per line as sent (its trailing newline removed).\n")
    f.write(f"# Frames received: {dict(received)}; left out as repeats: {dict(dropped)}\n")
    f.write("# (at most two logging frames per level and message, three operation frames per operation and status).\n")
    for line in kept:
        f.write(line + "\n")
print(f"wrote {len(kept)} frames to {out} (received {dict(received)})", file=sys.stderr)
PY
}

mkdir -p "$OUT_DIR"
lxd_install "$FLAVOR"
trap stop_all EXIT
trap 'exit 130' INT TERM
write_listener
lxd_up
start_listener
gen
kill -TERM "$LISTEN_PID" && wait "$LISTEN_PID" || true
LISTEN_PID=''
write_fixture
