# Shared by scripts/demo and scripts/test: find Odoo, install Python requirements, run PostgreSQL.
# shellcheck shell=bash

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PYTHON=${PYTHON:-python3}
STATE_DIR=${AMAZON_RC_STATE_DIR:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/amazon_refund_cancel}
mkdir -p "$STATE_DIR"

log() { printf '==> %s\n' "$*" >&2; }

install_requirements() {
    "$PYTHON" -m pip install --quiet --disable-pip-version-check -r "$ROOT/requirements-test.txt"
}

odoo_importable() {
    "$PYTHON" -c 'import odoo.release, sys; sys.exit(odoo.release.version_info[0] != 18)' 2>/dev/null
}

# Odoo's requirements pinned for Python 3.12: those wheels also install on 3.11, where several of
# the 3.11 pins are old source packages that no longer build.
install_odoo_requirements() {
    local source=$1
    "$PYTHON" - "$source/requirements.txt" >"$STATE_DIR/odoo-requirements.txt" <<'PY'
import sys
from packaging.requirements import Requirement

env = {"python_version": "3.12", "python_full_version": "3.12.0", "sys_platform": "linux"}
for line in open(sys.argv[1]):
    line = line.split("#")[0].strip()
    if line and (not Requirement(line).marker or Requirement(line).marker.evaluate(env)):
        print(line)
PY
    "$PYTHON" -m pip install --quiet --disable-pip-version-check -r "$STATE_DIR/odoo-requirements.txt"
}

# Makes `odoo` importable: already installed, a source tree in ODOO_SOURCE, or Odoo's official
# 18.0 branch cloned into the state folder.
ensure_odoo() {
    if odoo_importable; then
        return
    fi
    local source=${ODOO_SOURCE:-}
    if [ -z "$source" ]; then
        source=$STATE_DIR/odoo-18.0
        if [ ! -f "$source/odoo/release.py" ]; then
            log "Cloning Odoo 18.0 into $source"
            git clone --quiet --depth 1 --branch 18.0 https://github.com/odoo/odoo.git "$source"
        fi
    fi
    log "Installing Odoo's Python requirements"
    install_odoo_requirements "$source"
    "$PYTHON" -c 'import site, sys; print(sys.argv[1])' "$source" \
        >"$("$PYTHON" -c 'import site; print(site.getsitepackages()[0])')/odoo-18.0-source.pth"
    odoo_importable || { log "Odoo 18.0 is still not importable from $source"; exit 1; }
}

odoo_addons_path() {
    # The repository is the addon; Odoo finds it under its own name in a folder of its own.
    local addons=$1
    mkdir -p "$addons"
    ln -sfn "$ROOT" "$addons/amazon_refund_cancel"
    local core
    core=$("$PYTHON" -c 'import odoo, os; print(os.path.dirname(os.path.dirname(odoo.__file__)))')
    echo "$core/addons,$addons"
}

pg_bin() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    if [ -z "$dir" ]; then
        log "Installing PostgreSQL"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
        dir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    fi
    echo "$dir"
}

# Starts a private PostgreSQL cluster in the folder `cluster` (made on first use), owned by the
# `postgres` system user when run as root, listening on a unix socket in that folder only; sets
# PGHOST, PGPORT and PGUSER for Odoo. The folder must be reachable by that user; `options` go
# to the server (tests skip fsync).
start_private_postgres() {
    local cluster=$1 options=${2:-} bin
    bin=$(pg_bin)
    local as_pg=(runuser -u postgres --)
    [ "$(id -u)" -ne 0 ] && as_pg=()
    if [ ! -f "$cluster/data/PG_VERSION" ]; then
        mkdir -p "$cluster"
        [ "$(id -u)" -eq 0 ] && chown postgres: "$cluster"
        "${as_pg[@]}" "$bin/initdb" -D "$cluster/data" -U postgres --auth=trust -E UTF8 \
            --locale=C.UTF-8 >/dev/null
        fresh=1
    fi
    "${as_pg[@]}" "$bin/pg_ctl" -D "$cluster/data" -l "$cluster/server.log" -w \
        -o "-c listen_addresses='' -k $cluster -p 5433 $options" start >/dev/null
    export PGHOST=$cluster PGPORT=5433 PGUSER=odoo
    if [ -n "${fresh:-}" ]; then
        "$bin/psql" -q -U postgres -d postgres -c "CREATE ROLE odoo SUPERUSER LOGIN"
    fi
}

stop_private_postgres() {
    local cluster=$1 bin
    bin=$(pg_bin)
    local as_pg=(runuser -u postgres --)
    [ "$(id -u)" -ne 0 ] && as_pg=()
    "${as_pg[@]}" "$bin/pg_ctl" -D "$cluster/data" -m fast -w stop >/dev/null 2>&1 || true
}
