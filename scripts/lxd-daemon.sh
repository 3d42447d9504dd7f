#!/usr/bin/env bash
# A real LXD 5.0.2 or Incus 6.0.4 daemon for tests, after shared/docs/lxd-events.md: installs what
# is missing, starts the daemon with a private state directory, initialises it without a network,
# bridges its unix socket to ws://127.0.0.1:<port>, and stops everything it started by PID.
#
#   scripts/lxd-daemon.sh install lxd|incus...          install what is missing, nothing else
#   scripts/lxd-daemon.sh run lxd|incus [--port N] -- COMMAND [ARG...]
#       start the daemon and the bridge, run COMMAND, then stop both (from an EXIT trap, so also
#       when COMMAND fails or the run is interrupted); exits with COMMAND's code. COMMAND sees
#       LXD_FLAVOR, LXD_PORT, LXD_CLI (lxc or incus), LXD_RUN_DIR, LXD_DAEMON_SCRIPT and the
#       CLI's own LXD_DIR/LXD_CONF (INCUS_DIR/INCUS_CONF), so the CLI talks to this daemon.
#   scripts/lxd-daemon.sh stop-daemon | start-daemon
#       inside a run (reads LXD_FLAVOR and LXD_RUN_DIR): stop the daemon alone, or start it again
#       with the same state, for fault tests; the bridge stays up. The run's trap stops whatever
#       daemon the PID file names at the end.
#
# Sourced (scripts/lxd-capture.sh does), it only defines the lxd_* functions.
#
# Needs root (the daemon mounts and makes cgroups). Nothing leaves the machine: the daemon runs in
# network and mount namespaces of its own, with only a loopback and an unconnected veth pair (a
# parent for a macvlan network), so its image and instance-type refreshes fail at once instead of
# reaching for a resolver. The unix socket is a file, so the bridge and the CLI reach the daemon
# across the namespace boundary.

LXD_SCRIPT_PATH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")
LXD_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LXD_APT_LOCK=(-o DPkg::Lock::Timeout=600)

lxd_log() { echo "[lxd-daemon] $*" >&2; }

# lxd_configure FLAVOR RUN_DIR PORT: the globals every other function uses, and the CLI's
# environment (exported, so children of the caller reach this daemon).
lxd_configure() {
    LXD_FLAVOR=$1
    LXD_RUN_DIR=$2
    LXD_PORT=$3
    LXD_STATE=$LXD_RUN_DIR/state
    case $LXD_FLAVOR in
    lxd)
        export LXD_DIR=$LXD_STATE LXD_CONF=$LXD_RUN_DIR/client
        LXD_DAEMON=/usr/bin/lxd
        LXD_CLI=lxc
        ;;
    incus)
        export INCUS_DIR=$LXD_STATE INCUS_CONF=$LXD_RUN_DIR/client
        LXD_DAEMON=/usr/libexec/incus/incusd
        LXD_CLI=incus
        ;;
    *)
        lxd_log "unknown flavour ${LXD_FLAVOR@Q}: lxd or incus"
        return 2
        ;;
    esac
    export LXD_FLAVOR LXD_RUN_DIR LXD_PORT LXD_CLI
    export LXD_DAEMON_SCRIPT=$LXD_SCRIPT_PATH
    mkdir -p "$LXD_RUN_DIR"
}

# lxd_install FLAVOR...: installs whatever the flavours need and is missing. LXD 5.0.2 is in
# bookworm main; Incus 6.0 LTS only in bookworm-backports, installed through a private source
# list so /etc/apt stays untouched (the mirror is the one the machine's own sources use).
lxd_install() {
    export DEBIAN_FRONTEND=noninteractive
    local missing=() tool flavor want_incus=0
    for tool in socat curl openssl unshare nsenter ip; do
        command -v "$tool" >/dev/null && continue
        case $tool in
        unshare | nsenter) missing+=(util-linux) ;;
        ip) missing+=(iproute2) ;;
        *) missing+=("$tool") ;;
        esac
    done
    dpkg -s busybox-static >/dev/null 2>&1 || missing+=(busybox-static)
    for flavor in "$@"; do
        case $flavor in
        lxd) [ -x /usr/bin/lxd ] && [ -x /usr/bin/lxc ] || missing+=(lxd lxd-client) ;;
        incus) [ -x /usr/libexec/incus/incusd ] && command -v incus >/dev/null || want_incus=1 ;;
        *) lxd_log "unknown flavour ${flavor@Q}" && return 2 ;;
        esac
    done
    if [ ${#missing[@]} -gt 0 ]; then
        lxd_log "installing ${missing[*]}"
        apt-get "${LXD_APT_LOCK[@]}" update -qq
        apt-get "${LXD_APT_LOCK[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
    [ $want_incus = 1 ] || return 0
    local apt=$LXD_ROOT/target/lxd-apt mirror security
    mkdir -p "$apt/lists/partial"
    mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list 2>/dev/null |
        grep -oE '^URIs: *[^ ]+/debian/?$|^deb +[^ ]+/debian/? ' | head -n1 | sed -E 's/^URIs: *//; s/^deb +//; s/ +$//' || true)
    security=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list 2>/dev/null |
        grep -oE '^URIs: *[^ ]+/debian-security/?$|^deb +[^ ]+/debian-security/? ' | head -n1 |
        sed -E 's/^URIs: *//; s/^deb +//; s/ +$//' || true)
    if [ -z "$mirror" ]; then
        lxd_log "no Debian mirror found in /etc/apt: cannot add bookworm-backports for incus-base"
        return 1
    fi
    if [ ! -s "$apt/sources.list" ]; then
        printf 'deb %s %s main\n' "$mirror" bookworm "$mirror" bookworm-updates "$mirror" bookworm-backports >"$apt/sources.list"
        [ -n "$security" ] && printf 'deb %s bookworm-security main\n' "$security" >>"$apt/sources.list"
    fi
    local private=(-o "Dir::Etc::sourcelist=$apt/sources.list" -o Dir::Etc::sourceparts=- -o "Dir::State::Lists=$apt/lists"
        -o APT::Get::List-Cleanup=0 "${LXD_APT_LOCK[@]}")
    lxd_log "installing incus-base from bookworm-backports"
    apt-get "${private[@]}" update -qq
    apt-get "${private[@]}" install -y -qq --no-install-recommends -t bookworm-backports incus-base >/dev/null
}

# The daemon's PID, from its file (a daemon restarted by another process is not this shell's child).
lxd_daemon_pid() { cat "$LXD_RUN_DIR/daemon.pid" 2>/dev/null || true; }

# True when PID runs PROGRAM: a PID file from an earlier run may name a process that has nothing
# to do with us by now.
lxd_runs() {
    local pid=$1 program=$2
    [ -n "$pid" ] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$program"
}

# True while PID runs; a zombie (exited, not reaped because its parent was a shell that is gone)
# counts as stopped.
lxd_alive() {
    local pid=$1 state
    [ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || return 1
    state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || return 1
    [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

# Starts the daemon on the existing (or a new) state directory and waits until it answers.
lxd_start_daemon() {
    mkdir -p "$LXD_STATE"
    rm -f "$LXD_STATE/unix.socket"
    # Own network namespace (loopback plus a veth pair, nothing routable) and mount namespace, in
    # which /sys is the new namespace's sysfs so that the daemon finds the veth there.
    unshare --net --mount --propagation private -- sh -c '
        set -e
        ip link set lo up
        ip link add ci-veth0 type veth peer name ci-veth1
        ip link set ci-veth0 up
        mkdir -p "$1"
        mount --rbind /sys/fs/cgroup "$1"
        mount -t sysfs sysfs /sys
        mount --move "$1" /sys/fs/cgroup
        shift
        exec "$@"' sh "$LXD_RUN_DIR/cgroup" "$LXD_DAEMON" --group root --logfile "$LXD_RUN_DIR/daemon.log" \
        >>"$LXD_RUN_DIR/daemon.out" 2>&1 &
    local pid=$!
    echo "$pid" >"$LXD_RUN_DIR/daemon.pid"
    for _ in $(seq 600); do
        [ -S "$LXD_STATE/unix.socket" ] && break
        lxd_alive "$pid" || {
            lxd_log "daemon exited: $(tail -n3 "$LXD_RUN_DIR/daemon.out")"
            return 1
        }
        sleep 0.1
    done
    timeout 90 "$LXD_DAEMON" waitready --timeout 60
}

# A dir storage pool and a default profile with a root disk, and no network: the automatic bridge
# of `init --minimal` fails here (no free subnet found, no iptables, no dnsmasq).
lxd_init() {
    local init=(lxd init --preseed)
    [ "$LXD_FLAVOR" = incus ] && init=(incus admin init --preseed)
    "${init[@]}" <<'YAML'
config:
  images.auto_update_interval: "0"
storage_pools:
- name: default
  driver: dir
profiles:
- name: default
  devices:
    root: {path: /, pool: default, type: disk}
YAML
}

# A loopback TCP port bridged to the unix socket. Every client of the bridge is root over unix.
lxd_start_bridge() {
    socat TCP-LISTEN:"$LXD_PORT",bind=127.0.0.1,reuseaddr,fork UNIX-CONNECT:"$LXD_STATE/unix.socket" \
        >"$LXD_RUN_DIR/socat.log" 2>&1 &
    LXD_SOCAT_PID=$!
    echo "$LXD_SOCAT_PID" >"$LXD_RUN_DIR/socat.pid"
    for _ in $(seq 100); do
        curl -sf -o /dev/null "http://127.0.0.1:$LXD_PORT/1.0" && return 0
        lxd_alive "$LXD_SOCAT_PID" || break
        sleep 0.1
    done
    lxd_log "the bridge on 127.0.0.1:$LXD_PORT does not answer: $(cat "$LXD_RUN_DIR/socat.log")"
    return 1
}

# The daemon's version as it reports itself ("lxd 5.0.2").
lxd_server_version() {
    curl -sf "http://127.0.0.1:$LXD_PORT/1.0" |
        grep -oE '"server":"[^"]*"|"server_version":"[^"]*"' | cut -d'"' -f4 | paste -sd' '
}

# Stops the daemon: instances first (their monitors are not this shell's children), then a clean
# shutdown, then TERM and KILL by PID if it does not go.
lxd_stop_daemon() {
    local pid p
    pid=$(lxd_daemon_pid)
    lxd_alive "$pid" && lxd_runs "$pid" "$LXD_DAEMON" || return 0
    if [ -S "$LXD_STATE/unix.socket" ]; then
        timeout 60 "$LXD_CLI" stop --all --force >/dev/null 2>&1 || true
        for p in $(timeout 20 "$LXD_CLI" project list -f csv -c n 2>/dev/null | sed 's/ (current)//'); do
            timeout 60 "$LXD_CLI" stop --all --force --project "$p" >/dev/null 2>&1 || true
        done
        if [ "$LXD_FLAVOR" = lxd ]; then
            timeout 60 lxd shutdown --timeout 30 >/dev/null 2>&1 || true
        else
            timeout 60 incus admin shutdown --timeout 30 >/dev/null 2>&1 || true
        fi
    fi
    for _ in $(seq 100); do lxd_alive "$pid" || break; sleep 0.1; done
    if lxd_alive "$pid"; then kill -TERM "$pid" && sleep 2; fi
    if lxd_alive "$pid"; then kill -KILL "$pid"; fi
    # Reaps it when this shell started it; a no-op otherwise.
    wait "$pid" 2>/dev/null || true
}

lxd_stop_bridge() {
    local pid
    pid=$(cat "$LXD_RUN_DIR/socat.pid" 2>/dev/null || true)
    if lxd_alive "$pid" && lxd_runs "$pid" "TCP-LISTEN:$LXD_PORT,"; then
        kill -TERM "$pid"
        wait "$pid" 2>/dev/null || true
    fi
    rm -f "$LXD_RUN_DIR/socat.pid"
}

# Mounts the daemon left in the host namespace, deepest first.
lxd_unmount_state() {
    local m
    for m in $(awk -v s="$LXD_STATE" 'index($2, s) == 1 { print $2 }' /proc/mounts | sort -r); do
        umount -l "$m" 2>/dev/null || true
    done
}

# Everything started for this flavour, in reverse order. Safe to call twice.
lxd_stop_all() {
    set +e
    lxd_stop_bridge
    lxd_stop_daemon
    lxd_unmount_state
}

# A fresh state directory, the daemon, its initialisation and the bridge.
lxd_up() {
    lxd_unmount_state
    rm -f "$LXD_RUN_DIR/daemon.pid" "$LXD_RUN_DIR/socat.pid"
    rm -rf --one-file-system "$LXD_STATE" "$LXD_RUN_DIR/client"
    : >"$LXD_RUN_DIR/daemon.out"
    lxd_start_daemon
    lxd_init >"$LXD_RUN_DIR/init.log" 2>&1 || {
        lxd_log "init failed: $(cat "$LXD_RUN_DIR/init.log")"
        return 1
    }
    lxd_start_bridge
    # The CLI greets its first run with advice on stderr: let that happen here, not in the output
    # of whatever drives it next.
    "$LXD_CLI" query /1.0 >/dev/null 2>&1 || true
    lxd_log "$(lxd_server_version) up on ws://127.0.0.1:$LXD_PORT (daemon pid $(lxd_daemon_pid), state $LXD_STATE)"
}

# Runs COMMAND inside the daemon's network namespace (its loopback: the HTTPS listener).
lxd_in_daemon_net() { nsenter --net="/proc/$(lxd_daemon_pid)/ns/net" -- "$@"; }

lxd_free_port() {
    node -e 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

lxd_main() {
    set -euo pipefail
    local command=${1:-}
    shift || true
    case $command in
    install)
        [ $# -gt 0 ] || set -- lxd incus
        lxd_install "$@"
        ;;
    run)
        local flavor=${1:-} port=''
        shift || true
        while [ $# -gt 0 ] && [ "$1" != -- ]; do
            case $1 in
            --port) port=$2 && shift 2 ;;
            *) lxd_log "unexpected ${1@Q}" && return 2 ;;
            esac
        done
        [ "${1:-}" = -- ] && shift
        [ $# -gt 0 ] || { lxd_log "usage: $0 run lxd|incus [--port N] -- COMMAND [ARG...]"; return 2; }
        lxd_configure "$flavor" "$LXD_ROOT/target/lxd-test/$flavor" "${port:-$(lxd_free_port)}"
        lxd_install "$flavor"
        LXD_COMMAND_PID=''
        trap 'lxd_finish_run' EXIT
        trap 'exit 130' INT TERM
        lxd_up
        # In the background, so a signal reaches the trap at once rather than after COMMAND.
        "$@" &
        LXD_COMMAND_PID=$!
        local rc=0
        wait "$LXD_COMMAND_PID" || rc=$?
        LXD_COMMAND_PID=''
        return $rc
        ;;
    stop-daemon | start-daemon)
        : "${LXD_FLAVOR:?only inside a run}" "${LXD_RUN_DIR:?only inside a run}"
        lxd_configure "$LXD_FLAVOR" "$LXD_RUN_DIR" "${LXD_PORT:-0}"
        if [ "$command" = stop-daemon ]; then
            lxd_stop_daemon
            lxd_log "daemon stopped"
        else
            lxd_start_daemon
            lxd_log "daemon started again (pid $(lxd_daemon_pid))"
        fi
        ;;
    *)
        sed -n '2,16p' "$LXD_SCRIPT_PATH" | sed 's/^# \{0,1\}//' >&2
        return 2
        ;;
    esac
}

lxd_finish_run() {
    local rc=$?
    set +e
    if [ -n "${LXD_COMMAND_PID:-}" ] && kill -0 "$LXD_COMMAND_PID" 2>/dev/null; then
        kill -TERM "$LXD_COMMAND_PID"
        wait "$LXD_COMMAND_PID" 2>/dev/null
    fi
    lxd_stop_all
    lxd_log "$LXD_FLAVOR stopped (exit $rc)"
    exit $rc
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    lxd_main "$@"
fi
