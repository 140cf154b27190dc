#!/usr/bin/env bash
# parking-ci test sandbox: N "hosts" (network + mount namespaces, each with its own dockerd and sshd),
# a registry with basic auth, and a "runner" dockerd. See testkit/sandbox/README.md.
#
#   bash testkit/sandbox/sandbox.sh up|down|status|reset [--purge]
#
# Env: SANDBOX_HOSTS (default 3), SANDBOX_DIR (default /var/lib/parking-ci-sandbox),
#      SANDBOX_STACK: busybox (default; stand-in images) or django (the real stack: stack.sh)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# SANDBOX_ID (0..9) lets a second, independent sandbox run beside the default one: its own
# directory, network 10.(231+ID).0.0/24 and interface/namespace names.
SANDBOX_ID="${SANDBOX_ID:-0}"
[[ $SANDBOX_ID =~ ^[0-9]$ ]] || { echo "SANDBOX_ID must be 0..9" >&2; exit 2; }
if [[ $SANDBOX_ID == 0 ]]; then SFX=""; else SFX="$SANDBOX_ID"; fi
SANDBOX_DIR="${SANDBOX_DIR:-/var/lib/parking-ci-sandbox$SFX}"
N="${SANDBOX_HOSTS:-3}"
RUN_DIR=/run/parking-ci-sandbox$SFX
P="pcs$SFX"                      # name prefix: bridge $P-br0, netns $P-host1, veth $P-h1
BRIDGE=$P-br0
NET_PREFIX=10.$((231 + SANDBOX_ID)).0
GW="$NET_PREFIX.1"
REGISTRY_ADDR="$GW:5000"
RUNNER_BRIDGE=$P-run0
RUNNER_BRIDGE_CIDR=10.$((231 + SANDBOX_ID)).1.1/24
RUNNER_SOCK="unix://$RUN_DIR/runner.sock"
REG_USER=ci
APP=parking
APP_DIR=/opt/parking
IMAGE="$REGISTRY_ADDR/parking/web"
NGINX_IMAGE="$REGISTRY_ADDR/parking/nginx:1"
# tag -> flavor
declare -A WEB_TAGS=([v1]=ok [v2]=ok [v3]=ok [bad-health]=bad-health [bad-migrate]=bad-migrate [slow]=slow)
# The stack a sandbox runs is fixed at its first `up` (kept in $SANDBOX_DIR/stack).
STACK="${SANDBOX_STACK:-$(cat "$SANDBOX_DIR/stack" 2>/dev/null || echo busybox)}"
[[ $STACK == busybox || $STACK == django ]] || { echo "SANDBOX_STACK must be busybox or django" >&2; exit 2; }
if [[ $STACK == django ]]; then IMAGE="$REGISTRY_ADDR/parking/app"; NGINX_IMAGE="$REGISTRY_ADDR/parking/nginx:1.30"; fi
DCFG="$SANDBOX_DIR/docker-config"   # docker CLI config (registry login) for the sandbox's own root commands
export DOCKER_CONFIG="$DCFG"
export PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

log() { printf '[sandbox %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

host_addr() { echo "$NET_PREFIX.$((10 + $1))"; }
host_dir() { echo "$SANDBOX_DIR/host$1"; }

alive() { [[ -n ${1:-} ]] && kill -0 "$1" 2>/dev/null; }
pid_of() { [[ -s $1 ]] && cat "$1" 2>/dev/null || true; }

keeper_pid() {
  local f; f="$(host_dir "$1")/keeper.pid"
  local p; p="$(pid_of "$f")"
  # our keeper runs `sleep infinity` in its own mount namespace
  if alive "$p" && [[ $(readlink "/proc/$p/ns/mnt") != $(readlink /proc/self/ns/mnt) ]] \
    && tr '\0' ' ' < "/proc/$p/cmdline" | grep -q '^sleep infinity'; then
    echo "$p"
  fi
}

# run a command inside host $1's namespaces
hx() { local i=$1 kp; shift; kp="$(keeper_pid "$i")"; [[ -n $kp ]] || die "host$i is not running"
  nsenter -t "$kp" -m -n -u -- "$@"; }
rdocker() { docker -H "$RUNNER_SOCK" "$@"; }

preflight() {
  [[ $(id -u) -eq 0 ]] || die "must run as root"
  local t missing=()
  for t in dockerd /usr/sbin/sshd docker-registry busybox /usr/sbin/nginx htpasswd ip nsenter unshare iptables curl ssh-keygen; do
    command -v "$t" >/dev/null 2>&1 || missing+=("$t")
  done
  docker compose version >/dev/null 2>&1 || missing+=("docker-compose-plugin")
  [[ $STACK != django ]] || command -v mmdebstrap >/dev/null 2>&1 || missing+=("mmdebstrap")
  ((${#missing[@]} == 0)) || die "missing: ${missing[*]} — run: bash testkit/sandbox/install.sh"
  [[ $N =~ ^[1-9][0-9]?$ ]] && ((N <= 50)) || die "SANDBOX_HOSTS must be 1..50"
}

with_lock() {
  mkdir -p "$SANDBOX_DIR"
  exec 9>"$SANDBOX_DIR/.lock"
  flock -w 600 9 || die "another sandbox command holds $SANDBOX_DIR/.lock"
}

wait_for() { # wait_for SECONDS DESCRIPTION CMD...
  local secs=$1 what=$2; shift 2
  local end=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < end)) || { log "timed out waiting for $what"; return 1; }
    sleep 0.2
  done
}

# ---------------------------------------------------------------------------------------------
# credentials

ensure_credentials() {
  mkdir -p "$SANDBOX_DIR/client" "$SANDBOX_DIR/registry" "$DCFG"
  chmod 700 "$SANDBOX_DIR/client" "$DCFG"
  [[ -s $SANDBOX_DIR/client/id_ed25519 ]] ||
    ssh-keygen -q -t ed25519 -N '' -C parking-ci-sandbox -f "$SANDBOX_DIR/client/id_ed25519"
  local pwf="$SANDBOX_DIR/registry/password"
  if [[ ! -s $pwf ]]; then
    (umask 077; head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$pwf")
  fi
  if [[ ! -s $SANDBOX_DIR/registry/htpasswd ]] || ! htpasswd -vbB "$SANDBOX_DIR/registry/htpasswd" "$REG_USER" "$(cat "$pwf")" >/dev/null 2>&1; then
    htpasswd -cbB "$SANDBOX_DIR/registry/htpasswd" "$REG_USER" "$(cat "$pwf")" 2>/dev/null
  fi
  if ! id deployer >/dev/null 2>&1; then
    useradd -m -s /bin/bash deployer
  fi
  usermod -p '*' deployer
  getent group docker >/dev/null || groupadd --system docker
  id -nG deployer | grep -qw docker || usermod -aG docker deployer
}

# ---------------------------------------------------------------------------------------------
# network

ensure_network() {
  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link add "$BRIDGE" type bridge
    ip addr add "$GW/24" dev "$BRIDGE"
  fi
  ip link set "$BRIDGE" up
  if ! ip link show "$RUNNER_BRIDGE" >/dev/null 2>&1; then
    ip link add "$RUNNER_BRIDGE" type bridge
    ip addr add "$RUNNER_BRIDGE_CIDR" dev "$RUNNER_BRIDGE"
  fi
  ip link set "$RUNNER_BRIDGE" up
  # A dockerd in the root namespace may set FORWARD to DROP; bridged host<->host traffic crosses it.
  iptables -C FORWARD -i "$BRIDGE" -o "$BRIDGE" -j ACCEPT 2>/dev/null ||
    iptables -I FORWARD -i "$BRIDGE" -o "$BRIDGE" -j ACCEPT
}

remove_network() {
  while iptables -C FORWARD -i "$BRIDGE" -o "$BRIDGE" -j ACCEPT 2>/dev/null; do
    iptables -D FORWARD -i "$BRIDGE" -o "$BRIDGE" -j ACCEPT
  done
  ip link del "$BRIDGE" 2>/dev/null || true
  ip link del "$RUNNER_BRIDGE" 2>/dev/null || true
}

# ---------------------------------------------------------------------------------------------
# registry

registry_pid() { local p; p="$(pid_of "$SANDBOX_DIR/registry/registry.pid")"; alive "$p" && echo "$p" || true; }

ensure_registry() {
  mkdir -p "$SANDBOX_DIR/cache/registry"
  cat > "$SANDBOX_DIR/registry/config.yml" <<EOF
version: 0.1
log:
  level: warn
  formatter: text
storage:
  filesystem:
    rootdirectory: $SANDBOX_DIR/cache/registry
  delete:
    enabled: true
http:
  addr: $REGISTRY_ADDR
  secret: parking-ci-sandbox
auth:
  htpasswd:
    realm: parking-ci-sandbox
    path: $SANDBOX_DIR/registry/htpasswd
EOF
  if [[ -z $(registry_pid) ]]; then
    log "starting registry on $REGISTRY_ADDR"
    setsid docker-registry serve "$SANDBOX_DIR/registry/config.yml" \
      </dev/null >>"$SANDBOX_DIR/registry/registry.log" 2>&1 9>&- &
    echo $! > "$SANDBOX_DIR/registry/registry.pid"
  fi
  wait_for 20 "registry" curl -fs -o /dev/null -u "$REG_USER:$(cat "$SANDBOX_DIR/registry/password")" "http://$REGISTRY_ADDR/v2/"
}

# ---------------------------------------------------------------------------------------------
# runner dockerd (root namespace)

runner_pid() { local p; p="$(pid_of "$RUN_DIR/runner.pid")"; alive "$p" && echo "$p" || true; }

ensure_runner() {
  mkdir -p "$RUN_DIR" "$SANDBOX_DIR/runner" "$SANDBOX_DIR/cache/runner-docker"
  cat > "$SANDBOX_DIR/runner/daemon.json" <<EOF
{
  "hosts": ["$RUNNER_SOCK"],
  "data-root": "$SANDBOX_DIR/cache/runner-docker",
  "exec-root": "$RUN_DIR/runner",
  "pidfile": "$RUN_DIR/runner.pid",
  "bridge": "$RUNNER_BRIDGE",
  "iptables": false,
  "ip-masq": false,
  "insecure-registries": ["$REGISTRY_ADDR"],
  "log-level": "warn",
  "features": {"buildkit": true}
}
EOF
  if [[ -z $(runner_pid) ]]; then
    log "starting runner dockerd on $RUNNER_SOCK"
    setsid dockerd --config-file "$SANDBOX_DIR/runner/daemon.json" </dev/null >>"$SANDBOX_DIR/runner/dockerd.log" 2>&1 9>&- &
  fi
  wait_for 60 "runner dockerd" rdocker version || { tail -20 "$SANDBOX_DIR/runner/dockerd.log" >&2; return 1; }
}

registry_login() { # login through the runner daemon; credentials land in $DCFG for every daemon
  if ! grep -q "$REGISTRY_ADDR" "$DCFG/config.json" 2>/dev/null; then
    rdocker login -u "$REG_USER" --password-stdin "$REGISTRY_ADDR" < "$SANDBOX_DIR/registry/password" >/dev/null 2>&1 || die "registry login failed"
  fi
}

# ---------------------------------------------------------------------------------------------
# images

make_busybox_rootfs() { # $1 = rootfs dir
  mkdir -p "$1/bin" "$1/tmp" "$1/etc" "$1/proc" "$1/sys" "$1/dev" "$1/data"
  chmod 1777 "$1/tmp"
  cp /bin/busybox "$1/bin/busybox"
  local a
  for a in $(busybox --list); do
    [[ -e $1/bin/$a ]] || ln -s busybox "$1/bin/$a"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$1/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' > "$1/etc/group"
}

add_nginx() { # $1 = rootfs: Debian's nginx binary, the libraries ldd lists, the loader, mime.types
  local r=$1 lib
  install -D /usr/sbin/nginx "$r/usr/sbin/nginx"
  for lib in $(ldd /usr/sbin/nginx | grep -o '/[^ ]*'); do
    install -D "$(readlink -f "$lib")" "$r$lib"
  done
  install -D -m 644 /etc/nginx/mime.types "$r/etc/nginx/mime.types"
  mkdir -p "$r/etc/nginx/conf.d" "$r/var/log/nginx" "$r/var/lib/nginx" "$r/run" "$r/var/cache/nginx"
  printf 'hosts: files dns\npasswd: files\ngroup: files\n' > "$r/etc/nsswitch.conf"
}

images_hash() {
  { cat "$HERE"/images/web/Dockerfile "$HERE"/images/web/bin/* "$HERE"/images/nginx/* /bin/busybox /usr/sbin/nginx
    declare -p WEB_TAGS; echo "$REGISTRY_ADDR"; } | sha256sum | cut -c1-16
}

registry_has() { # registry_has repo tag
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' -u "$REG_USER:$(cat "$SANDBOX_DIR/registry/password")" \
    -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    "http://$REGISTRY_ADDR/v2/$1/manifests/$2")
  [[ $code == 200 ]]
}

ensure_images() {
  local want stamp="$SANDBOX_DIR/cache/images.stamp" t all=1
  want="$(images_hash)"
  registry_has parking/nginx 1 || all=0
  for t in "${!WEB_TAGS[@]}"; do registry_has parking/web "$t" || all=0; done
  if [[ $all == 1 && $(cat "$stamp" 2>/dev/null) == "$want" ]]; then
    log "images up to date in the registry"
    return 0
  fi
  log "building images with the runner dockerd"
  local b="$SANDBOX_DIR/images"
  rm -rf "$b"; mkdir -p "$b/web" "$b/nginx"
  # web: busybox + nginx (the stand-in app's http server) + the scripts
  cp "$HERE/images/web/Dockerfile" "$b/web/"
  make_busybox_rootfs "$b/web/rootfs"
  add_nginx "$b/web/rootfs"
  install -m 755 "$HERE"/images/web/bin/* "$b/web/rootfs/bin/"
  # nginx: binary + ldd libraries + loader + config
  cp "$HERE/images/nginx/Dockerfile" "$b/nginx/"
  local r="$b/nginx/rootfs"
  make_busybox_rootfs "$r"
  add_nginx "$r"
  install -D -m 644 "$HERE/images/nginx/nginx.conf" "$r/etc/nginx/nginx.conf"

  registry_login
  rdocker build -q -t "$NGINX_IMAGE" "$b/nginx" >/dev/null
  rdocker push -q "$NGINX_IMAGE" >/dev/null
  for t in "${!WEB_TAGS[@]}"; do
    rdocker build -q -t "$IMAGE:$t" --build-arg "VERSION=$t" --build-arg "FLAVOR=${WEB_TAGS[$t]}" "$b/web" >/dev/null
  done
  local pushes=() p
  for t in "${!WEB_TAGS[@]}"; do rdocker push -q "$IMAGE:$t" >/dev/null & pushes+=($!); done
  for p in "${pushes[@]}"; do wait "$p" || die "push failed"; done
  for t in "${!WEB_TAGS[@]}"; do registry_has parking/web "$t" || die "push of $IMAGE:$t failed"; done
  echo "$want" > "$stamp"
  log "images pushed: parking/nginx:1, parking/web:{${!WEB_TAGS[*]}}"
}

# ---------------------------------------------------------------------------------------------
# hosts

ensure_host_net() {
  local i=$1 ns="$P-host$1" addr; addr="$(host_addr "$1")"
  [[ -e /run/netns/$ns ]] || ip netns add "$ns"
  if ! ip -n "$ns" link show eth0 >/dev/null 2>&1; then
    ip link del "$P-h$i" 2>/dev/null || true
    ip link add "$P-h$i" type veth peer name "$P-h${i}p"
    ip link set "$P-h${i}p" netns "$ns"
    ip -n "$ns" link set "$P-h${i}p" name eth0
  fi
  ip link set "$P-h$i" master "$BRIDGE" up
  ip -n "$ns" addr replace "$addr/24" dev eth0
  ip -n "$ns" link set eth0 up
  ip -n "$ns" link set lo up
  ip -n "$ns" route replace default via "$GW"
}

ensure_host_keeper() {
  local i=$1 H; H="$(host_dir "$1")"
  [[ -n $(keeper_pid "$i") ]] && return 0
  # no keeper: daemons of an earlier keeper would live in a dead namespace; stop them first
  local p
  for p in "$(host_dockerd_pid "$i")" "$(host_sshd_pid "$i")"; do
    [[ -n $p ]] || continue
    kill -TERM "$p" 2>/dev/null || true
    wait_for 20 "old daemon $p to exit" bash -c "! kill -0 $p" || kill -KILL "$p" 2>/dev/null || true
  done
  mkdir -p "$H/opt" "$H/run" "$H/home" "$H/docker"
  rm -f "$H/ready"
  # The keeper holds the host's private mount namespace: /opt, /run (= /var/run) and deployer's home
  # are per-host directories, so `docker` finds this host's daemon at /var/run/docker.sock.
  cat > "$H/keeper.sh" <<EOF
set -e
mount --make-rprivate /
hostname host$i
mount --bind "$H/opt" /opt
mount --bind "$H/run" /run
mount --bind "$H/home" /home/deployer
mkdir -p /run/sshd /run/lock
chmod 755 /run/sshd
touch "$H/ready"
exec sleep infinity
EOF
  setsid nsenter --net="/run/netns/$P-host$i" unshare --mount --uts --propagation private -- bash "$H/keeper.sh" \
    </dev/null >"$H/keeper.log" 2>&1 9>&- &
  echo $! > "$H/keeper.pid"
  wait_for 10 "host$i keeper" test -e "$H/ready" || { cat "$H/keeper.log" >&2; return 1; }
  wait_for 5 "host$i keeper exec" test -n "$(keeper_pid "$i")"
}

host_dockerd_pid() { local p; p="$(pid_of "$(host_dir "$1")/dockerd.pid")"; alive "$p" && echo "$p" || true; }
host_sshd_pid() { local p; p="$(pid_of "$(host_dir "$1")/sshd.pid")"; alive "$p" && echo "$p" || true; }

ensure_host_dockerd() {
  local i=$1 H kp; H="$(host_dir "$1")"; kp="$(keeper_pid "$i")"
  cat > "$H/daemon.json" <<EOF
{
  "data-root": "$H/docker",
  "exec-root": "/run/docker",
  "pidfile": "$H/dockerd.pid",
  "insecure-registries": ["$REGISTRY_ADDR"],
  "log-level": "warn",$([[ $STACK == django ]] && printf '\n  "cgroup-parent": "/%s",' "$(host_cgroup "$i")")
  "features": {"buildkit": true}
}
EOF
  if [[ -z $(host_dockerd_pid "$i") ]]; then
    in_host_cgroup "$i" setsid nsenter -t "$kp" -m -n -u -- dockerd --config-file "$H/daemon.json" </dev/null >>"$H/dockerd.log" 2>&1 9>&- &
  fi
}

ensure_host_sshd() {
  local i=$1 H kp addr; H="$(host_dir "$1")"; kp="$(keeper_pid "$i")"; addr="$(host_addr "$i")"
  [[ -s $H/ssh_host_ed25519_key ]] || ssh-keygen -q -t ed25519 -N '' -C "host$i" -f "$H/ssh_host_ed25519_key"
  cat > "$H/sshd_config" <<EOF
Port 22
ListenAddress $addr
HostKey $H/ssh_host_ed25519_key
PidFile $H/sshd.pid
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin no
AllowUsers deployer
AuthorizedKeysFile .ssh/authorized_keys
LogLevel VERBOSE
MaxSessions 64
MaxStartups 64:30:128
AllowTcpForwarding yes
AllowStreamLocalForwarding yes
PrintMotd no
AcceptEnv LANG LC_*
Subsystem sftp internal-sftp
EOF
  # deployer's home on this host
  install -d -o deployer -g deployer -m 755 "$H/home"
  install -d -o deployer -g deployer -m 700 "$H/home/.ssh"
  install -o deployer -g deployer -m 600 "$SANDBOX_DIR/client/id_ed25519.pub" "$H/home/.ssh/authorized_keys"
  [[ -e $H/home/.profile ]] || { cp -a /etc/skel/. "$H/home/" 2>/dev/null || true; chown -R deployer:deployer "$H/home"; }
  if [[ -z $(host_sshd_pid "$i") ]]; then
    touch "$H/sshd.log"
    in_host_cgroup "$i" ssh nsenter -t "$kp" -m -n -u -- /usr/sbin/sshd -f "$H/sshd_config" -E "$H/sshd.log" </dev/null >/dev/null 2>&1 9>&-
  fi
}

# runs a command in host $1's CPU cgroup (the real stack), or as it is
in_host_cgroup() { # in_host_cgroup HOSTNUM [ssh] CMD...
  local i=$1 sub=""; shift
  if [[ ${1:-} == ssh ]]; then sub=/ssh; shift; fi
  if [[ $STACK == django ]]; then
    ensure_host_cgroup "$i"
    bash -c 'echo $$ > "$1" 2>/dev/null || true; shift; exec "$@"' _ "$(cgroup_root)/$(host_cgroup "$i")$sub/cgroup.procs" "$@"
  else "$@"; fi
}

host_docker() { local i=$1; shift; hx "$i" env DOCKER_CONFIG="$DCFG" docker "$@"; }
host_compose() { local i=$1; shift; hx "$i" env DOCKER_CONFIG="$DCFG" docker compose -p "$APP" --project-directory "$APP_DIR" -f "$APP_DIR/docker-compose.yml" "$@"; }

web_ip() { # ip of the (first) web container on host $1
  local id; id="$(host_compose "$1" ps -q web | head -1)"
  [[ -n $id ]] || return 1
  host_docker "$1" inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$id"
}

write_upstream() { # write_upstream HOSTNUM IP
  local f; f="$(host_dir "$1")/opt/parking/nginx/conf.d/upstream.conf"
  printf '# managed by parking-ci (sandbox seed)\nupstream app {\n  server %s:8000;\n}\n' "$2" > "$f.tmp"
  chown deployer:deployer "$f.tmp"; mv -f "$f.tmp" "$f"
}

host_serves() { curl -fs --max-time 3 "http://$(host_addr "$1")/" | grep -q "parking web"; }

seed_files() {
  local i=$1 d; d="$(host_dir "$1")/opt/parking"
  mkdir -p "$d/nginx/conf.d"
  sed "s#__REGISTRY__#$REGISTRY_ADDR#g" "$HERE/seed/docker-compose.yml" > "$d/docker-compose.yml"
  cp "$HERE/seed/nginx/conf.d/parking.conf" "$d/nginx/conf.d/parking.conf"
  chown -R deployer:deployer "$(host_dir "$1")/opt/parking"
  chmod 755 "$(host_dir "$1")/opt" "$d"
}

seed_host() { # bring host $1 to the seed state: v1 running and served through nginx
  local i=$1 ip services=(web worker beat) log; log="$(host_dir "$1")/seed.log"
  if [[ $STACK == django ]]; then
    stack_seed_files "$i"
    services=(web worker)
    ((i == 1)) && services+=(beat) # a singleton: on host 1 only
  else
    seed_files "$i"
  fi
  host_compose "$i" pull -q >/dev/null 2>"$log" || { cat "$log" >&2; return 1; }
  host_compose "$i" up -d --quiet-pull "${services[@]}" >/dev/null 2>>"$log" || { cat "$log" >&2; return 1; }
  ip="$(web_ip "$i")" || die "host$i: no web container"
  # nginx routes to it once it listens (Gunicorn boots in seconds)
  wait_for 60 "host$i web answering" hx "$i" bash -c "exec 3<>/dev/tcp/$ip/8000"
  write_upstream "$i" "$ip"
  host_compose "$i" up -d --quiet-pull nginx >/dev/null 2>>"$log" || { cat "$log" >&2; return 1; }
  # an nginx that was already running still has the old upstream loaded
  host_compose "$i" exec -T nginx nginx -s reload >/dev/null 2>&1 || true
  wait_for 60 "host$i serving v1" host_serves "$i"
}

ensure_host() { # everything of one host; runs in a subshell per host, in parallel
  local i=$1 H; H="$(host_dir "$1")"
  ensure_host_net "$i"
  ensure_host_keeper "$i"
  ensure_host_dockerd "$i"
  ensure_host_sshd "$i"
  wait_for 60 "host$i dockerd" host_docker "$i" version || { tail -20 "$H/dockerd.log" >&2; return 1; }
  if [[ -f $H/opt/parking/docker-compose.yml ]] && host_serves "$i"; then
    return 0 # already seeded (maybe since deployed to): leave it alone
  fi
  seed_host "$i"
}

teardown_host() {
  local i=$1 H kp p pids; H="$(host_dir "$1")"
  kp="$(keeper_pid "$i")"
  if [[ -n $kp ]]; then
    # stop the app containers nicely, then dockerd (it stops what is left)
    nsenter -t "$kp" -m -n -u -- docker ps -q 2>/dev/null | xargs -r nsenter -t "$kp" -m -n -u -- docker rm -f >/dev/null 2>&1 || true
  fi
  p="$(host_dockerd_pid "$i")"
  if [[ -n $p ]]; then
    kill -TERM "$p" 2>/dev/null || true
    wait_for 20 "host$i dockerd to exit" bash -c "! kill -0 $p" || kill -KILL "$p" 2>/dev/null || true
  fi
  p="$(host_sshd_pid "$i")"; [[ -n $p ]] && kill -TERM "$p" 2>/dev/null || true
  if [[ -n $kp ]]; then
    # every process left in this host's mount namespace was started by the sandbox
    local mnt; mnt="$(readlink "/proc/$kp/ns/mnt")"
    for p in /proc/[0-9]*; do
      p="${p#/proc/}"
      [[ $p != "$kp" && $(readlink "/proc/$p/ns/mnt" 2>/dev/null) == "$mnt" ]] && kill -KILL "$p" 2>/dev/null || true
    done
    kill -KILL "$kp" 2>/dev/null || true
    wait_for 10 "host$i keeper to exit" bash -c "! kill -0 $kp" || true
  fi
  ip netns del "$P-host$i" 2>/dev/null || true
  ip link del "$P-h$i" 2>/dev/null || true
  # data of the host (its docker data-root holds root-owned overlay files)
  rm -rf "$H"
  remove_host_cgroup "$i"
}

# ---------------------------------------------------------------------------------------------
# state

write_state() {
  local i hosts="" addr H keypub
  : > "$SANDBOX_DIR/client/known_hosts.tmp"
  for ((i = 1; i <= N; i++)); do
    addr="$(host_addr "$i")"; H="$(host_dir "$i")"
    keypub="$(cut -d' ' -f1,2 "$H/ssh_host_ed25519_key.pub")"
    echo "$addr $keypub" >> "$SANDBOX_DIR/client/known_hosts.tmp"
    [[ -n $hosts ]] && hosts+=","
    hosts+=$(printf '\n    {"name":"host%d","address":"%s","port":22,"user":"deployer","pid":%s,"sshLog":"%s","hostKeyPub":"%s","dir":"%s","dockerSock":"unix://%s/run/docker.sock","dockerPid":%s,"sshdPid":%s}' \
      "$i" "$addr" "$(keeper_pid "$i")" "$H/sshd.log" "$keypub" "$H" "$H" "$(host_dockerd_pid "$i")" "$(host_sshd_pid "$i")")
  done
  mv -f "$SANDBOX_DIR/client/known_hosts.tmp" "$SANDBOX_DIR/client/known_hosts"

  local hostlist=""
  for ((i = 1; i <= N; i++)); do hostlist+="      - $(host_addr "$i")"$'\n'; done
  cat > "$SANDBOX_DIR/parking-ci.yml" <<EOF
# parking-ci config for the sandbox hosts (generated by testkit/sandbox/sandbox.sh)
app: $APP
image: $IMAGE
registry:
  server: $REGISTRY_ADDR
  username: $REG_USER
environments:
  production:
    url: http://$(host_addr 1)/
    hosts:
${hostlist}    ssh:
      user: deployer
      port: 22
    app-dir: $APP_DIR
    compose-file: docker-compose.yml
    services: [web, worker]
    web-service: web
    singleton-services: [beat]
    proxy-service: nginx
    upstream-file: nginx/conf.d/upstream.conf
    upstream-name: app
    strategy: rolling
    batch-size: 1
    max-failed-hosts: 0
    health:
      path: /health/
      port: 8000
      expect-status: 200
      timeout: 30s
      interval: 500ms
    drain: 2s
    migrate:
      command: migrate
    keep-releases: 5
EOF

  local created
  created="$(grep -o '"createdAt": "[^"]*"' "$SANDBOX_DIR/state.json" 2>/dev/null | cut -d'"' -f4 || true)"
  [[ -n $created ]] || created="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  cat > "$SANDBOX_DIR/state.json.tmp" <<EOF
{
  "hosts": [$hosts
  ],
  "sshKey": "$SANDBOX_DIR/client/id_ed25519",
  "knownHosts": "$SANDBOX_DIR/client/known_hosts",
  "registry": {"address": "$REGISTRY_ADDR", "username": "$REG_USER", "password": "$(cat "$SANDBOX_DIR/registry/password")", "pidFile": "$SANDBOX_DIR/registry/registry.pid", "pid": $(registry_pid)},
  "runnerDocker": "$RUNNER_SOCK",
  "app": "$APP",
  "appDir": "$APP_DIR",
  "image": "$IMAGE",
  "nginxImage": "$NGINX_IMAGE",
  "versions": {"v1": "v1", "v2": "v2", "v3": "v3", "badHealth": "bad-health", "badMigrate": "bad-migrate", "slow": "slow"$([[ $STACK == django ]] && printf ', "flaky": "flaky", "laggy": "laggy"')},
  "stack": "$STACK",$([[ $STACK == django ]] && printf '\n  "database": {"host": "host0", "address": "%s", "port": 6432, "name": "%s", "user": "%s", "password": "%s", "pid": %s, "dir": "%s"},' "$DB_ADDR" "$DB_NAME" "$DB_USER" "$(db_password)" "$(keeper_pid "$DB_INDEX")" "$(host_dir "$DB_INDEX")")
  "configFile": "$SANDBOX_DIR/parking-ci.yml",
  "sandboxDir": "$SANDBOX_DIR",
  "dockerConfig": "$DCFG",
  "bridge": {"name": "$BRIDGE", "gateway": "$GW"},
  "createdAt": "$created"
}
EOF
  # unchanged state -> the file is left as it was (a second `up` changes nothing)
  if cmp -s "$SANDBOX_DIR/state.json.tmp" "$SANDBOX_DIR/state.json"; then rm -f "$SANDBOX_DIR/state.json.tmp"
  else mv -f "$SANDBOX_DIR/state.json.tmp" "$SANDBOX_DIR/state.json"; fi
}

# ---------------------------------------------------------------------------------------------
# commands

cmd_up() {
  preflight; with_lock
  local t0=$SECONDS i
  log "up: $N hosts in $SANDBOX_DIR"
  ensure_credentials
  ensure_network
  ensure_registry
  ensure_runner
  if [[ -s $SANDBOX_DIR/state.json && $(cat "$SANDBOX_DIR/stack" 2>/dev/null || echo busybox) != "$STACK" ]]; then
    die "this sandbox runs the $(cat "$SANDBOX_DIR/stack" 2>/dev/null || echo busybox) stack; take it down first (sandbox.sh down) to run $STACK"
  fi
  echo "$STACK" > "$SANDBOX_DIR/stack"
  # hosts beyond N (from an earlier up with more hosts) go away
  for H in "$SANDBOX_DIR"/host*; do
    [[ -d $H ]] || continue
    i="${H##*/host}"; [[ $i =~ ^[0-9]+$ ]] && ((i > N)) && { log "removing host$i"; teardown_host "$i"; }
  done
  # host namespaces + daemons come up while the images build
  local first=1
  [[ $STACK == django ]] && first=0 # host0: the database host
  for ((i = first; i <= N; i++)); do
    ensure_host_net "$i"; ensure_host_keeper "$i"; ensure_host_dockerd "$i"; ensure_host_sshd "$i"
  done
  if [[ $STACK == django ]]; then
    ensure_stack_images
    ensure_db_host
    # a database without the app's schema: the seed's one v1 migration, before any host starts
    if ! db_psql -d "$DB_NAME" -c 'SELECT 1 FROM django_migrations LIMIT 1' >/dev/null 2>&1; then
      wait_for 60 "host1 dockerd" host_docker 1 version
      stack_seed_files 1
      stack_seed_migrate
    fi
  else
    ensure_images
  fi
  local pids=() fail=0
  for ((i = 1; i <= N; i++)); do ( ensure_host "$i" ) & pids+=($!); done
  for p in "${pids[@]}"; do wait "$p" || fail=1; done
  ((fail == 0)) || die "some hosts failed to come up"
  write_state
  log "up: done in $((SECONDS - t0))s — state: $SANDBOX_DIR/state.json"
}

cmd_down() {
  [[ $(id -u) -eq 0 ]] || die "must run as root"
  with_lock
  local i H p pids=()
  for H in "$SANDBOX_DIR"/host*; do
    [[ -d $H ]] || continue
    i="${H##*/host}"; [[ $i =~ ^[0-9]+$ ]] || continue
    log "removing host$i"; teardown_host "$i" & pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || true; done
  # stray namespaces/links of hosts whose directory is gone
  for p in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$P-host" || true); do ip netns del "$p" || true; done
  p="$(runner_pid)"
  if [[ -n $p ]]; then
    log "stopping runner dockerd"
    docker -H "$RUNNER_SOCK" ps -q 2>/dev/null | xargs -r docker -H "$RUNNER_SOCK" rm -f >/dev/null 2>&1 || true
    kill -TERM "$p"; wait_for 30 "runner dockerd to exit" bash -c "! kill -0 $p" || kill -KILL "$p" 2>/dev/null || true
  fi
  p="$(registry_pid)"
  if [[ -n $p ]]; then log "stopping registry"; kill -TERM "$p"; wait_for 10 "registry to exit" bash -c "! kill -0 $p" || kill -KILL "$p" || true; fi
  # leftover mounts under our directories (e.g. the runner's overlays if it was killed)
  local m
  for m in $(awk '{print $5}' /proc/self/mountinfo | grep -E "^($SANDBOX_DIR|$RUN_DIR)(/|$)" | sort -r || true); do
    umount -l "$m" 2>/dev/null || true
  done
  teardown_bastion
  remove_network
  rm -rf "$RUN_DIR" "$SANDBOX_DIR/state.json" "$SANDBOX_DIR/images" "$SANDBOX_DIR/runner" "$SANDBOX_DIR/parking-ci.yml"
  if [[ ${1:-} == --purge ]]; then
    rm -rf "$SANDBOX_DIR"
    log "down: purged $SANDBOX_DIR"
  else
    log "down: done (kept caches in $SANDBOX_DIR/cache, keys and registry password; --purge removes them)"
  fi
}

clean_host() { # no containers, volumes or app files on host $1
  local i=$1 H ids vols; H="$(host_dir "$1")"
  ids="$(host_docker "$i" ps -aq)"
  [[ -z $ids ]] || host_docker "$i" rm -f $ids >/dev/null
  vols="$(host_docker "$i" volume ls -q)"
  [[ -z $vols ]] || host_docker "$i" volume rm -f $vols >/dev/null
  host_docker "$i" network prune -f >/dev/null
  rm -rf "$H/opt/parking" "$H/home/.docker"
  ensure_host_sshd "$i"
  : > "$H/sshd.log"
}

cmd_reset() {
  preflight
  [[ -s $SANDBOX_DIR/state.json ]] || { cmd_up; return; }
  with_lock
  local i pids=() fail=0
  for ((i = 1; i <= N; i++)); do
    [[ -n $(keeper_pid "$i") && -n $(host_dockerd_pid "$i") ]] || { exec 9>&-; cmd_up; return; }
  done
  if [[ $STACK == django ]]; then
    # every host stops writing, the database and Redis start empty, the seed migrates once
    for ((i = 1; i <= N; i++)); do ( clean_host "$i" ) & pids+=($!); done
    for p in "${pids[@]}"; do wait "$p" || fail=1; done
    ((fail == 0)) || die "reset failed"
    reset_database
    stack_seed_files 1
    stack_seed_migrate
    pids=()
    for ((i = 1; i <= N; i++)); do ( seed_host "$i" ) & pids+=($!); done
    for p in "${pids[@]}"; do wait "$p" || fail=1; done
    ((fail == 0)) || die "reset failed"
    write_state
    log "reset: done"
    return
  fi
  for ((i = 1; i <= N; i++)); do
    ( clean_host "$i"; seed_host "$i" ) & pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || fail=1; done
  ((fail == 0)) || die "reset failed"
  write_state
  log "reset: done"
}

cmd_status() {
  local i addr body st=0
  if [[ ! -s $SANDBOX_DIR/state.json ]]; then echo "sandbox: down (no $SANDBOX_DIR/state.json)"; return 3; fi
  N=$(grep -c '"name":"host' "$SANDBOX_DIR/state.json")
  printf 'registry  %-16s %s\n' "$REGISTRY_ADDR" "$([[ -n $(registry_pid) ]] && echo "running (pid $(registry_pid))" || { st=1; echo DOWN; })"
  printf 'runner    %-16s %s\n' "$RUNNER_SOCK" "$([[ -n $(runner_pid) ]] && echo "running (pid $(runner_pid))" || { st=1; echo DOWN; })"
  printf '%-6s %-13s %-8s %-8s %-6s %-10s %s\n' HOST ADDRESS KEEPER DOCKERD SSHD CONTAINERS "HTTP /"
  for ((i = 1; i <= N; i++)); do
    addr="$(host_addr "$i")"
    local kp dp sp n="-"
    kp="$(keeper_pid "$i")"; dp="$(host_dockerd_pid "$i")"; sp="$(host_sshd_pid "$i")"
    [[ -n $kp && -n $dp ]] && n="$(hx "$i" docker ps -q 2>/dev/null | wc -l)"
    body="$(curl -fsS --max-time 2 "http://$addr/" 2>&1 | head -1)" || st=1
    [[ -n $kp && -n $dp && -n $sp ]] || st=1
    printf '%-6s %-13s %-8s %-8s %-6s %-10s %s\n' "host$i" "$addr" "${kp:-DOWN}" "${dp:-DOWN}" "${sp:-DOWN}" "$n" "$body"
  done
  return $st
}

# the jump host (bastion): testkit/sandbox/bastion.sh
source "$HERE/bastion.sh"
# the real stack (SANDBOX_STACK=django): testkit/sandbox/stack.sh
source "$HERE/stack.sh"

case "${1:-}" in
  up) cmd_up ;;
  bastion) shift; cmd_bastion "${1:-up}" ;;
  down) shift; cmd_down "${1:-}" ;;
  reset) cmd_reset ;;
  status) cmd_status ;;
  base-images) cmd_base_images ;;
  *) echo "usage: $0 up|down [--purge]|status|reset|base-images   (env: SANDBOX_HOSTS, SANDBOX_DIR)" >&2; exit 2 ;;
esac
