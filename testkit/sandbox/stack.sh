# shellcheck shell=bash
# The real stack of the sandbox (SANDBOX_STACK=django), sourced by sandbox.sh: the parking app of
# testkit/sandbox/app (Django 5.2 on Gunicorn, Celery worker and beat) on the app hosts behind nginx
# 1.30, and a database host (host0) with PostgreSQL 17, PgBouncer and Redis 8 as a compose project of
# its own. Images are built FROM root filesystems made with mmdebstrap from Debian's packages (forky
# for the app, nginx, PgBouncer and Redis; trixie for PostgreSQL 17), cached in $SANDBOX_DIR/cache.
#
# Every host gets a CPU cgroup of its own (its dockerd, sshd and containers inside), so that one
# host's busy CLI calls cannot starve another host's web containers on a small machine.

STACK_DIR="$HERE/stack"
APP_SRC="$HERE/app"
DB_INDEX=0                                  # host0 = the database host
DB_ADDR="$NET_PREFIX.10"
DB_NAME=parking
DB_USER=parking
ROOTS_DIR="$SANDBOX_DIR/cache/roots"
# tag -> "flavor level": level = the schema level of the release's code
declare -A APP_TAGS=([v1]="ok 1" [v2]="ok 2" [v3]="ok 3" [bad-health]="bad-health 3" [bad-migrate]="bad-migrate 3"
  [slow]="slow 3" [flaky]="flaky 3" [laggy]="laggy 3")
FORKY_PACKAGES=python3,python3-django,gunicorn,python3-celery,python3-psycopg,python3-redis,nginx,redis-server,pgbouncer,tini,procps
TRIXIE_PACKAGES=postgresql-17,tini
# the app's CI tools (lint, tests, scan: `npm run demo`), beside what the app imports
TOOLS_PACKAGES=python3,python3-django,python3-celery,python3-psycopg,python3-redis,ruff,mypy,python3-pytest-django,python3-pytest-cov,bandit

db_password() {
  local f="$SANDBOX_DIR/client/db-password"
  [[ -s $f ]] || (umask 077; head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$f")
  cat "$f"
}

# --- CPU cgroups (cgroup v1 cpu controller or the v2 unified hierarchy) -------------------------

cgroup_root() {
  if [[ -d /sys/fs/cgroup/cpu ]]; then echo /sys/fs/cgroup/cpu; else echo /sys/fs/cgroup; fi
}
host_cgroup() { echo "$P-host$1"; }
set_cpu_weight() { # set_cpu_weight DIR SHARES (cgroup v1 cpu.shares; v2 cpu.weight = shares / 10.24)
  if [[ -e $1/cpu.shares ]]; then echo "$2" > "$1/cpu.shares"; fi
  if [[ -e $1/cpu.weight ]]; then echo $(( $2 * 100 / 1024 )) > "$1/cpu.weight"; fi
}
ensure_host_cgroup() { # the cgroup of host $1 (an equal CPU weight), and its `ssh` group
  local d; d="$(cgroup_root)/$(host_cgroup "$1")"
  mkdir -p "$d/ssh" 2>/dev/null || return 0
  set_cpu_weight "$d" 1024
  # sshd and every command a deploy runs on the host: below the app's containers (web 2048), as an
  # operator's shell is on a server whose cores are busy serving
  set_cpu_weight "$d/ssh" 256
}
join_host_cgroup() { # join_host_cgroup HOSTNUM PID
  local d; d="$(cgroup_root)/$(host_cgroup "$1")"
  [[ -d $d && -n ${2:-} ]] && echo "$2" > "$d/cgroup.procs" 2>/dev/null || true
}
remove_host_cgroup() { rmdir "$(cgroup_root)/$(host_cgroup "$1")/ssh" "$(cgroup_root)/$(host_cgroup "$1")" 2>/dev/null || true; }

# --- root filesystems and images ----------------------------------------------------------------

ROOT_TAR=""
make_root() { # make_root SUITE PACKAGES: sets ROOT_TAR (cached by suite + package list)
  local suite=$1 pkgs=$2 key
  key="$(printf '%s %s' "$suite" "$pkgs" | sha256sum | cut -c1-12)"
  ROOT_TAR="$ROOTS_DIR/$suite-$key.tar"
  [[ -f $ROOT_TAR && -s $ROOT_TAR ]] && return 0
  rm -rf -- "$ROOT_TAR" "$ROOT_TAR.tmp"
  command -v mmdebstrap >/dev/null || die "mmdebstrap is missing — run: bash testkit/sandbox/install.sh"
  mkdir -p "$ROOTS_DIR"
  log "making the $suite root filesystem ($pkgs) with mmdebstrap"
  local t0=$SECONDS
  # the mirror may serve a snapshot whose Release file is past its Valid-Until
  mmdebstrap --variant=essential --mode=root --format=tar --aptopt='Acquire::Check-Valid-Until "false"' \
    --include="$pkgs" \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    "$suite" "$ROOT_TAR.tmp" http://deb.debian.org/debian >"$ROOTS_DIR/$suite.log" 2>&1 ||
    { tail -20 "$ROOTS_DIR/$suite.log" >&2; rm -rf -- "$ROOT_TAR.tmp"; die "mmdebstrap $suite failed"; }
  mv -f "$ROOT_TAR.tmp" "$ROOT_TAR"
  log "$suite root filesystem made in $((SECONDS - t0))s"
}

BASE_IMAGE=""
base_image() { # base_image SUITE PACKAGES: sets BASE_IMAGE (the root imported into the runner dockerd)
  make_root "$1" "$2"
  BASE_IMAGE="parking-ci-base/$1:$(basename "$ROOT_TAR" .tar | sed "s/^$1-//")"
  if ! rdocker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
    log "importing $BASE_IMAGE"
    rdocker import "$ROOT_TAR" "$BASE_IMAGE" >/dev/null || die "docker import of $ROOT_TAR failed"
  fi
}

stack_images_hash() {
  { find "$APP_SRC" "$STACK_DIR/images" -type f -not -name '*.pyc' -print0 | sort -z | xargs -0 cat
    declare -p APP_TAGS; echo "$REGISTRY_ADDR $FORKY_PACKAGES $TRIXIE_PACKAGES"; } | sha256sum | cut -c1-16
}

ensure_stack_images() {
  local want stamp="$SANDBOX_DIR/cache/stack-images.stamp" t all=1
  want="$(stack_images_hash)"
  for t in nginx:1.30 postgres:17 pgbouncer:1 redis:8; do registry_has "parking/${t%%:*}" "${t#*:}" || all=0; done
  for t in "${!APP_TAGS[@]}"; do registry_has parking/app "$t" || all=0; done
  if [[ $all == 1 && $(cat "$stamp" 2>/dev/null) == "$want" ]]; then
    log "stack images up to date in the registry"
    return 0
  fi
  local t0=$SECONDS forky trixie
  base_image forky "$FORKY_PACKAGES"; forky=$BASE_IMAGE
  base_image trixie "$TRIXIE_PACKAGES"; trixie=$BASE_IMAGE
  log "building the stack images with the runner dockerd"
  registry_login
  local img
  for img in nginx:1.30 pgbouncer:1 redis:8; do
    rdocker build -q --build-arg "BASE=$forky" -t "$REGISTRY_ADDR/parking/$img" "$STACK_DIR/images/${img%%:*}" >/dev/null ||
      die "build of parking/$img failed"
  done
  rdocker build -q --build-arg "BASE=$trixie" -t "$REGISTRY_ADDR/parking/postgres:17" "$STACK_DIR/images/postgres" >/dev/null ||
    die "build of parking/postgres:17 failed"
  local flavor level
  for t in "${!APP_TAGS[@]}"; do
    read -r flavor level <<<"${APP_TAGS[$t]}"
    rdocker build -q --build-arg "BASE=$forky" --build-arg "VERSION=$t" --build-arg "FLAVOR=$flavor" --build-arg "LEVEL=$level" \
      -t "$REGISTRY_ADDR/parking/app:$t" "$APP_SRC" >/dev/null || die "build of parking/app:$t failed"
  done
  local pushes=() p
  for img in nginx:1.30 pgbouncer:1 redis:8 postgres:17; do rdocker push -q "$REGISTRY_ADDR/parking/$img" >/dev/null & pushes+=($!); done
  for t in "${!APP_TAGS[@]}"; do rdocker push -q "$REGISTRY_ADDR/parking/app:$t" >/dev/null & pushes+=($!); done
  for p in "${pushes[@]}"; do wait "$p" || die "push failed"; done
  echo "$want" > "$stamp"
  log "stack images built and pushed in $((SECONDS - t0))s: parking/{nginx:1.30,postgres:17,pgbouncer:1,redis:8}, parking/app:{${!APP_TAGS[*]}}"
}

# The base images the demo builds and checks the app with, one `name=image` line each: `app` (the
# root the app's Dockerfile builds FROM, as BASE) and `tools` (the app's CI tools: ruff, mypy,
# pytest-django with coverage, bandit, from forky; the demo runs each in it with the workspace mounted).
cmd_base_images() {
  [[ -n $(runner_pid) ]] || die "the runner dockerd is not running: run \`sandbox.sh up\` first"
  base_image forky "$FORKY_PACKAGES"; echo "app=$BASE_IMAGE"
  base_image forky "$TOOLS_PACKAGES"; echo "tools=$BASE_IMAGE"
}

# --- the database host ----------------------------------------------------------------------------

db_compose() { hx "$DB_INDEX" env DOCKER_CONFIG="$DCFG" docker compose -p parking-db --project-directory /opt/parking-db -f /opt/parking-db/docker-compose.yml "$@"; }
db_psql() { db_compose exec -T postgres psql -v ON_ERROR_STOP=1 -qAt --username=postgres "$@"; }

db_files() {
  local d pw; d="$(host_dir "$DB_INDEX")/opt/parking-db"; pw="$(db_password)"
  mkdir -p "$d/pgbouncer"
  sed "s#__REGISTRY__#$REGISTRY_ADDR#g" "$STACK_DIR/db/docker-compose.yml" > "$d/docker-compose.yml"
  cp "$STACK_DIR/db/pgbouncer.ini" "$d/pgbouncer/pgbouncer.ini"
  printf '"%s" "%s"\n' "$DB_USER" "$pw" > "$d/pgbouncer/userlist.txt"
  (umask 077; printf 'POSTGRES_PASSWORD=%s\n' "$pw" > "$d/.env")
  # the db host has root only; PgBouncer (uid postgres in its container) reads the mounted files
  chmod 755 "$d" "$d/pgbouncer"; chmod 644 "$d/pgbouncer/"*
}

db_ready() { db_psql -d "$DB_NAME" -c 'SELECT 1' >/dev/null 2>&1 && (exec 3<>"/dev/tcp/$DB_ADDR/6432") 2>/dev/null &&
  [[ $(db_compose exec -T redis redis-cli ping 2>/dev/null) == PONG* ]]; }

ensure_db_host() {
  local H; H="$(host_dir "$DB_INDEX")"
  wait_for 60 "db host dockerd" host_docker "$DB_INDEX" version || { tail -20 "$H/dockerd.log" >&2; return 1; }
  db_files
  db_compose up -d --quiet-pull >/dev/null 2>"$H/seed.log" || { cat "$H/seed.log" >&2; return 1; }
  wait_for 60 "PostgreSQL, PgBouncer and Redis on the db host" db_ready
}

reset_database() { # an empty database and an empty Redis (the seed then migrates it to v1)
  db_psql -d postgres -c "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" -c "CREATE DATABASE $DB_NAME OWNER $DB_USER" >/dev/null
  db_compose exec -T redis redis-cli FLUSHALL >/dev/null
  # PgBouncer's server connections pointed at the dropped database
  db_compose restart pgbouncer >/dev/null 2>&1
  wait_for 30 "PgBouncer after the reset" db_ready
}

# --- the app hosts ----------------------------------------------------------------------------------

stack_seed_files() {
  local i=$1 d; d="$(host_dir "$1")/opt/parking"
  mkdir -p "$d/nginx/conf.d"
  sed -e "s#__REGISTRY__#$REGISTRY_ADDR#g" -e "s#__DBHOST__#$DB_ADDR#g" "$STACK_DIR/seed/docker-compose.yml" > "$d/docker-compose.yml"
  cp "$STACK_DIR/seed/nginx/conf.d/parking.conf" "$d/nginx/conf.d/parking.conf"
  # what the hand-kept .env of a real host holds (compose reads it for ${...} in the file)
  (umask 077; printf 'DATABASE_PASSWORD=%s\nSECRET_KEY=sandbox-%s\n' "$(db_password)" "$(head -c 9 /dev/urandom | base64 | tr -d '/+=')" > "$d/.env")
  chown -R deployer:deployer "$(host_dir "$1")/opt/parking"
  chmod 755 "$(host_dir "$1")/opt" "$d"
}

stack_seed_migrate() { # the seed's v1 schema: one migration run, on host 1
  host_compose 1 pull -q web >/dev/null 2>>"$(host_dir 1)/seed.log" || { cat "$(host_dir 1)/seed.log" >&2; return 1; }
  host_compose 1 run --rm --no-deps -T web migrate >>"$(host_dir 1)/seed.log" 2>&1 ||
    { tail -30 "$(host_dir 1)/seed.log" >&2; return 1; }
}
