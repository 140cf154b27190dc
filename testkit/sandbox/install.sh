#!/usr/bin/env bash
# Idempotent installer of everything the parking-ci sandbox needs, on Debian 12 (bookworm), as root.
# Safe to run again: it only installs what is missing and never starts a service.
set -euo pipefail

log() { printf '[sandbox-install] %s\n' "$*" >&2; }

if [[ $(id -u) -ne 0 ]]; then
  log "must run as root"; exit 1
fi
if [[ $(uname -s) != Linux ]]; then
  log "Linux only"; exit 1
fi

export DEBIAN_FRONTEND=noninteractive

# Debian packages -> a file each one provides (cheap "is it installed" check).
declare -A WANT=(
  [docker.io]=/usr/sbin/dockerd
  [openssh-server]=/usr/sbin/sshd
  [openssh-client]=/usr/bin/ssh-keygen
  [busybox-static]=/bin/busybox
  [nginx]=/usr/sbin/nginx
  [docker-registry]=/usr/bin/docker-registry
  [apache2-utils]=/usr/bin/htpasswd
  [iproute2]=/usr/sbin/ip
  [iptables]=/usr/sbin/iptables
  [curl]=/usr/bin/curl
  [util-linux]=/usr/bin/nsenter
  [procps]=/usr/bin/pgrep
  [mmdebstrap]=/usr/bin/mmdebstrap
)
missing=()
for pkg in "${!WANT[@]}"; do
  [[ -e ${WANT[$pkg]} ]] || missing+=("$pkg")
done

# Package postinst scripts must not start nginx/sshd/dockerd/registry in the root namespace.
policy_created=0
if [[ ! -e /usr/sbin/policy-rc.d ]]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  policy_created=1
fi
cleanup() { if [[ $policy_created == 1 ]]; then rm -f /usr/sbin/policy-rc.d; fi; }
trap cleanup EXIT

if ((${#missing[@]})); then
  log "installing: ${missing[*]}"
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
  # Some postinst scripts start daemons anyway when invoke-rc.d is bypassed; stop only those
  # that run the packaged default config in the root namespace (never our sandbox's).
  for svc in nginx ssh docker docker-registry; do
    if [[ -x /etc/init.d/$svc ]]; then /etc/init.d/$svc stop >/dev/null 2>&1 || true; fi
  done
else
  log "Debian packages already installed"
fi

# Compose v2 and buildx CLI plugins, taken from Debian trixie (they only need libc).
PLUGINS=/usr/libexec/docker/cli-plugins
if [[ ! -x $PLUGINS/docker-compose || ! -x $PLUGINS/docker-buildx ]]; then
  log "installing docker-compose and docker-buildx CLI plugins from trixie"
  cache=/var/cache/sb
  mkdir -p "$cache/lists/partial"
  echo 'deb http://deb.debian.org/debian trixie main' > "$cache/trixie.list"
  o=(-oDir::Etc::SourceList="$cache/trixie.list" -oDir::Etc::SourceParts=/dev/null -oDir::State::Lists="$cache/lists")
  if ! ls "$cache"/docker-compose_*.deb >/dev/null 2>&1 || ! ls "$cache"/docker-buildx_*.deb >/dev/null 2>&1; then
    apt-get "${o[@]}" update -q
    (cd "$cache" && apt-get "${o[@]}" download docker-compose docker-buildx)
  fi
  rm -rf "$cache/x"
  for deb in "$cache"/docker-compose_*.deb "$cache"/docker-buildx_*.deb; do dpkg -x "$deb" "$cache/x"; done
  install -D "$cache/x/usr/libexec/docker/cli-plugins/docker-compose" "$PLUGINS/docker-compose"
  install -D "$cache/x/usr/libexec/docker/cli-plugins/docker-buildx" "$PLUGINS/docker-buildx"
  rm -rf "$cache/x"
else
  log "compose and buildx plugins already installed"
fi

# Docker 28 and Compose 2.40 from Debian forky, as the production plan runs them: the engine (dockerd,
# containerd 2.1), the CLI and its compose and buildx plugins. They need only glibc >= 2.34 (Debian 12
# has 2.36), so they are unpacked beside Debian 12's 20.10 into $DOCKER28 and linked from /usr/local,
# which comes first on PATH. forky's runc 1.3 needs glibc 2.38: runc stays Debian 12's 1.1.5, and
# docker-init its tini-static. A binary that does not start here leaves Debian 12's engine in place.
# (not under /opt: each sandbox host mounts its own /opt)
DOCKER28=/usr/local/lib/parking-ci/docker-forky
FORKY_DEBS=(docker.io docker-cli docker-compose docker-buildx containerd)
if [[ ! -x $DOCKER28/usr/sbin/dockerd || ! -x $DOCKER28/usr/libexec/docker/cli-plugins/docker-compose ]]; then
  log "installing Docker 28, containerd, runc, Compose 2.40 and buildx from forky into $DOCKER28"
  cache=/var/cache/sb/forky
  mkdir -p "$cache/lists/partial"
  echo 'deb http://deb.debian.org/debian forky main' > "$cache/forky.list"
  o=(-oDir::Etc::SourceList="$cache/forky.list" -oDir::Etc::SourceParts=/dev/null -oDir::State::Lists="$cache/lists" -oAcquire::Check-Valid-Until=false)
  have=1
  for d in "${FORKY_DEBS[@]}"; do ls "$cache/${d}"_*.deb >/dev/null 2>&1 || have=0; done
  if [[ $have == 0 ]]; then
    apt-get "${o[@]}" update -q
    (cd "$cache" && apt-get "${o[@]}" download "${FORKY_DEBS[@]}")
  fi
  rm -rf "$DOCKER28.tmp"; mkdir -p "$DOCKER28.tmp"
  for d in "${FORKY_DEBS[@]}"; do dpkg -x "$(ls "$cache/${d}"_*.deb | tail -1)" "$DOCKER28.tmp"; done
  rm -rf "$DOCKER28"; mv "$DOCKER28.tmp" "$DOCKER28"
fi
LINKS=(sbin/dockerd:/usr/local/sbin sbin/docker-proxy:/usr/local/sbin bin/docker:/usr/local/bin bin/containerd:/usr/local/bin
  bin/containerd-shim-runc-v2:/usr/local/bin bin/ctr:/usr/local/bin libexec/docker/cli-plugins/docker-compose:/usr/local/lib/docker/cli-plugins
  libexec/docker/cli-plugins/docker-buildx:/usr/local/lib/docker/cli-plugins)
rm -f /usr/local/sbin/runc
runs=1
for t in "sbin/dockerd --version" "bin/containerd --version" "bin/docker --version" "libexec/docker/cli-plugins/docker-compose version" "libexec/docker/cli-plugins/docker-buildx version"; do
  # shellcheck disable=SC2086 # the word list is ours
  "$DOCKER28/usr/"$t >/dev/null 2>&1 || { log "forky's ${t%% *} does not run here ($("$DOCKER28/usr/"$t 2>&1 | head -1)): keeping Debian 12's docker.io"; runs=0; }
done
for l in "${LINKS[@]}"; do
  if [[ $runs == 1 ]]; then mkdir -p "${l#*:}"; ln -sfn "$DOCKER28/usr/${l%%:*}" "${l#*:}/$(basename "${l%%:*}")"
  else rm -f "${l#*:}/$(basename "${l%%:*}")"; fi
done
hash -r

getent group docker >/dev/null || groupadd --system docker
mkdir -p /run/sshd

log "docker engine: $(dockerd --version 2>&1), containerd: $(containerd --version 2>&1 | cut -d' ' -f3), runc: $(runc --version 2>&1 | head -1)"
log "docker client: $(docker --version 2>&1)"
log "compose: $(docker compose version 2>&1)"
log "buildx: $(docker buildx version 2>&1)"
log "done"
