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

getent group docker >/dev/null || groupadd --system docker
mkdir -p /run/sshd

log "docker client: $(docker --version 2>&1)"
log "compose: $(docker compose version 2>&1)"
log "buildx: $(docker buildx version 2>&1)"
log "done"
