# Shared by scripts/demo and scripts/test: find or make a Python with Odoo 18.0 and the addon's
# requirements, and run PostgreSQL.
# shellcheck shell=bash

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PYTHON=${PYTHON:-python3}
STATE_DIR=${AMAZON_RC_STATE_DIR:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/amazon_refund_cancel}
# The project's own virtual environment: the active one, or one in the state folder.
VENV=${VIRTUAL_ENV:-$STATE_DIR/venv}
# Why Odoo could not be made importable, when it could not.
ODOO_MISSING=
mkdir -p "$STATE_DIR"

log() { printf '==> %s\n' "$*" >&2; }

install_requirements() {
    "$PYTHON" -m pip install --quiet --disable-pip-version-check -r "$ROOT/requirements-test.txt"
}

odoo_importable() {
    "$PYTHON" -c 'import odoo.release, sys; sys.exit(odoo.release.version_info[0] != 18)' 2>/dev/null
}

apt_install() {
    [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null || return 1
    log "Installing $*"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# Switches PYTHON to the project's virtual environment, made on first use.
use_venv() {
    if [ ! -x "$VENV/bin/python" ]; then
        # Debian and Ubuntu ship venv's pip bootstrap in a package of its own.
        "$PYTHON" -c 'import ensurepip' 2>/dev/null || apt_install python3-venv || true
        log "Making a virtual environment in $VENV"
        "$PYTHON" -m venv "$VENV" || {
            ODOO_MISSING="$PYTHON cannot make a virtual environment (install python3-venv)"
            return 1
        }
    fi
    PYTHON=$VENV/bin/python
}

# Odoo's requirements as pinned for Python 3.12, markers dropped: those versions have wheels for
# Python 3.10 to 3.12, where several older pins are source packages that no longer build. LDAP
# is left out (the addon does not use it; it needs system libraries to build), and psycopg2
# comes as its binary wheel, which needs no compiler or libpq headers.
install_odoo_requirements() {
    local source=$1
    "$PYTHON" - "$source/requirements.txt" >"$STATE_DIR/odoo-requirements.txt" <<'PY'
import sys
from packaging.requirements import Requirement

env = {"python_version": "3.12", "python_full_version": "3.12.0", "sys_platform": "linux"}
for line in open(sys.argv[1]):
    requirement = line.split("#")[0].strip()
    if not requirement:
        continue
    requirement = Requirement(requirement)
    if requirement.marker and not requirement.marker.evaluate(env):
        continue
    if requirement.name.lower() == "python-ldap":
        continue
    if requirement.name.lower() == "psycopg2":
        requirement.name = "psycopg2-binary"
    requirement.marker = None
    print(requirement)
PY
    "$PYTHON" -m pip install --quiet --disable-pip-version-check \
        -r "$STATE_DIR/odoo-requirements.txt" -r "$ROOT/requirements-test.txt"
}

# Makes `odoo` importable by PYTHON: as it is when it imports Odoo 18.0 already, else in the
# project's virtual environment from a source tree in ODOO_SOURCE or from Odoo's official 18.0
# branch cloned into the state folder. Returns 1 with the reason in ODOO_MISSING if it cannot.
ensure_odoo() {
    odoo_importable && return 0
    use_venv || return 1
    odoo_importable && return 0
    local source=${ODOO_SOURCE:-}
    if [ -z "$source" ]; then
        source=$STATE_DIR/odoo-18.0
        if [ ! -f "$source/odoo/release.py" ]; then
            command -v git >/dev/null || apt_install git || true
            log "Cloning Odoo 18.0 into $source"
            rm -rf "$source"
            if ! git clone --quiet --depth 1 --branch 18.0 https://github.com/odoo/odoo.git "$source"; then
                ODOO_MISSING="Odoo's 18.0 branch could not be cloned from GitHub and ODOO_SOURCE is not set"
                return 1
            fi
        fi
    elif [ ! -f "$source/odoo/release.py" ]; then
        ODOO_MISSING="ODOO_SOURCE=$source is not an Odoo source tree"
        return 1
    fi
    log "Installing Odoo's Python requirements into $VENV"
    # pytest brings `packaging`, which reads the requirements' markers.
    install_requirements && install_odoo_requirements "$source" || {
        ODOO_MISSING="Odoo's Python requirements could not be installed into $VENV"
        return 1
    }
    "$PYTHON" -c 'import sys; print(sys.argv[1])' "$(cd "$source" && pwd)" \
        >"$("$PYTHON" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/odoo-18.0-source.pth"
    odoo_importable || {
        ODOO_MISSING="Odoo 18.0 is still not importable from $source"
        return 1
    }
}

# PYTHON with the addon's requirements and, if at all possible, Odoo 18.0 (ODOO_MISSING says
# why not).
prepare_python() {
    if odoo_importable; then
        install_requirements
        return
    fi
    if ensure_odoo; then
        return
    fi
    install_requirements
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
        apt_install postgresql >&2 || { log "PostgreSQL is missing: install it (apt-get install postgresql) as root"; exit 1; }
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

# The Chromium or Chrome that Odoo's tours and scripts/screenshots drive headless: the first found,
# else Debian's `chromium` installed with apt when root. Prints its path; returns 1 when there is
# none and none can be installed.
chromium_path() {
    command -v chromium chromium-browser google-chrome google-chrome-stable 2>/dev/null | head -n 1
}
ensure_chromium() {
    local found
    found=$(chromium_path)
    if [ -z "$found" ]; then
        apt_install chromium >&2 || true
        found=$(chromium_path)
    fi
    [ -n "$found" ] && echo "$found"
}

# Writes to `output` the addon's translation template as Odoo exports it from `database`, where the
# addon is installed.
export_pot() {
    local addons_path=$1 data_dir=$2 database=$3 output=$4
    "$PYTHON" -m odoo --addons-path="$addons_path" --data-dir="$data_dir" -d "$database" \
        --i18n-export="$output" --modules=amazon_refund_cancel --stop-after-init --no-http \
        --log-level=warn
}

# A PO or POT file without its header's dates, which change at every export.
po_body() {
    grep -v -e '^"POT-Creation-Date: ' -e '^"PO-Revision-Date: ' "$1"
}
