# shellcheck shell=bash
# A jump host (bastion) for the sandbox, sourced by sandbox.sh: its own network namespace on the
# sandbox bridge, an sshd on port 2222 that forwards to the hosts, and a fence that makes the hosts'
# sshd answer only the bastion (so a deploy that does not go through it cannot connect).
#
#   sandbox.sh bastion up       # namespace + sshd; writes $SANDBOX_DIR/bastion/state.json
#   sandbox.sh bastion fence    # every host refuses SSH except from the bastion
#   sandbox.sh bastion unfence  # hosts answer SSH from anywhere again
#   sandbox.sh bastion down     # unfence, stop sshd, remove the namespace
#   sandbox.sh bastion status   # prints the state file; exit 0 when sshd runs
#
# The user is `deployer` with the sandbox client key (authorized_keys outside any home, so no mount
# namespace is needed); the host key is ed25519.

BASTION_NS="$P-bastion"
BASTION_VETH="$P-bst"
BASTION_ADDR="$NET_PREFIX.5"
BASTION_PORT=2222
BASTION_DIR="$SANDBOX_DIR/bastion"
BASTION_MARK="parking-ci-sandbox$SFX bastion fence"

bastion_sshd_pid() { local p; p="$(pid_of "$BASTION_DIR/sshd.pid")"; alive "$p" && echo "$p" || true; }
bastion_sshd_running() { [[ -n $(bastion_sshd_pid) ]]; }

ensure_bastion() {
  [[ -s $SANDBOX_DIR/client/id_ed25519.pub ]] || die "the sandbox is not up: run \`sandbox.sh up\` first"
  mkdir -p "$BASTION_DIR" /run/sshd
  chmod 755 "$BASTION_DIR"
  [[ -e /run/netns/$BASTION_NS ]] || ip netns add "$BASTION_NS"
  if ! ip -n "$BASTION_NS" link show eth0 >/dev/null 2>&1; then
    ip link del "$BASTION_VETH" 2>/dev/null || true
    ip link add "$BASTION_VETH" type veth peer name "${BASTION_VETH}p"
    ip link set "${BASTION_VETH}p" netns "$BASTION_NS"
    ip -n "$BASTION_NS" link set "${BASTION_VETH}p" name eth0
  fi
  ip link set "$BASTION_VETH" master "$BRIDGE" up
  ip -n "$BASTION_NS" addr replace "$BASTION_ADDR/24" dev eth0
  ip -n "$BASTION_NS" link set eth0 up
  ip -n "$BASTION_NS" link set lo up
  ip -n "$BASTION_NS" route replace default via "$GW"

  [[ -s $BASTION_DIR/ssh_host_ed25519_key ]] || ssh-keygen -q -t ed25519 -N '' -C bastion -f "$BASTION_DIR/ssh_host_ed25519_key"
  install -m 644 "$SANDBOX_DIR/client/id_ed25519.pub" "$BASTION_DIR/authorized_keys"
  cat > "$BASTION_DIR/sshd_config" <<EOF
Port $BASTION_PORT
ListenAddress $BASTION_ADDR
HostKey $BASTION_DIR/ssh_host_ed25519_key
PidFile $BASTION_DIR/sshd.pid
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin no
AllowUsers deployer
AuthorizedKeysFile $BASTION_DIR/authorized_keys
LogLevel VERBOSE
MaxSessions 64
MaxStartups 64:30:128
AllowTcpForwarding yes
AllowStreamLocalForwarding no
PermitTTY no
X11Forwarding no
PrintMotd no
EOF
  if [[ -z $(bastion_sshd_pid) ]]; then
    touch "$BASTION_DIR/sshd.log"
    nsenter --net="/run/netns/$BASTION_NS" -- /usr/sbin/sshd -f "$BASTION_DIR/sshd_config" -E "$BASTION_DIR/sshd.log" </dev/null >/dev/null 2>&1 9>&- ||
      die "bastion sshd did not start: $(tail -5 "$BASTION_DIR/sshd.log")"
  fi
  wait_for 10 "bastion sshd" bastion_sshd_running
  write_bastion_state
  log "bastion: $BASTION_ADDR:$BASTION_PORT (sshd pid $(bastion_sshd_pid))"
}

write_bastion_state() {
  local keypub; keypub="$(cut -d' ' -f1,2 "$BASTION_DIR/ssh_host_ed25519_key.pub")"
  cat > "$BASTION_DIR/state.json.tmp" <<EOF
{
  "address": "$BASTION_ADDR",
  "port": $BASTION_PORT,
  "user": "deployer",
  "namespace": "$BASTION_NS",
  "hostKeyPub": "$keypub",
  "knownHostsLine": "[$BASTION_ADDR]:$BASTION_PORT $keypub",
  "sshLog": "$BASTION_DIR/sshd.log",
  "sshdPid": $(bastion_sshd_pid),
  "fenced": $(bastion_fenced && echo true || echo false)
}
EOF
  mv -f "$BASTION_DIR/state.json.tmp" "$BASTION_DIR/state.json"
}

host_numbers() { # the hosts that exist now (their directories), whatever SANDBOX_HOSTS says
  local H i
  for H in "$SANDBOX_DIR"/host*; do
    [[ -d $H ]] || continue
    i="${H##*/host}"; [[ $i =~ ^[0-9]+$ ]] && echo "$i"
  done
}

fence_rule() { # fence_rule -I|-C|-D HOSTNUM: refuse TCP to the host's sshd unless it comes from the bastion
  ip netns exec "$P-host$2" iptables "$1" INPUT -p tcp --dport 22 ! -s "$BASTION_ADDR" \
    -m comment --comment "$BASTION_MARK" -j REJECT --reject-with tcp-reset
}

bastion_fenced() {
  local i any=1
  for i in $(host_numbers); do fence_rule -C "$i" 2>/dev/null || return 1; any=0; done
  return $any
}

bastion_fence() {
  local i
  for i in $(host_numbers); do fence_rule -C "$i" 2>/dev/null || fence_rule -I "$i"; done
  log "bastion: hosts answer SSH only from $BASTION_ADDR"
}

bastion_unfence() {
  local i
  for i in $(host_numbers); do
    [[ -e /run/netns/$P-host$i ]] || continue
    while fence_rule -C "$i" 2>/dev/null; do fence_rule -D "$i"; done
  done
}

teardown_bastion() {
  bastion_unfence
  local p; p="$(bastion_sshd_pid)"
  if [[ -n $p ]]; then
    kill -TERM "$p" 2>/dev/null || true
    wait_for 10 "bastion sshd to exit" bash -c "! kill -0 $p" || kill -KILL "$p" 2>/dev/null || true
  fi
  ip netns del "$BASTION_NS" 2>/dev/null || true
  ip link del "$BASTION_VETH" 2>/dev/null || true
  rm -f "$BASTION_DIR/state.json" "$BASTION_DIR/sshd.pid"
}

cmd_bastion() {
  [[ $(id -u) -eq 0 ]] || die "must run as root"
  case "${1:-up}" in
    up) with_lock; ensure_bastion ;;
    fence) with_lock; ensure_bastion; bastion_fence; write_bastion_state ;;
    unfence) with_lock; bastion_unfence; [[ -z $(bastion_sshd_pid) ]] || write_bastion_state; log "bastion: fence removed" ;;
    down) with_lock; teardown_bastion; log "bastion: removed" ;;
    status) [[ ! -s $BASTION_DIR/state.json ]] || cat "$BASTION_DIR/state.json"; bastion_sshd_running ;;
    *) die "usage: sandbox.sh bastion up|fence|unfence|down|status" ;;
  esac
}
