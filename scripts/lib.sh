# Shared by scripts/demo, scripts/test and the other scripts: find or make, per Odoo series, a
# Python with that series' Odoo and the addon's requirements, and run PostgreSQL.
# shellcheck shell=bash

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# The interpreter to start from; PYTHON is then the one of the series in use (see ensure_odoo).
BASE_PYTHON=${PYTHON:-python3}
PYTHON=$BASE_PYTHON
STATE_DIR=${AMAZON_RC_STATE_DIR:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/amazon_refund_cancel}
# The Odoo series the addon installs on, when ODOO_SOURCE names none.
SUPPORTED_SERIES=(18.0 19.0)
# The series in use, set by ensure_odoo, and why Odoo could not be made importable, when it could
# not.
SERIES=
ODOO_MISSING=
mkdir -p "$STATE_DIR"

log() { printf '==> %s\n' "$*" >&2; }

install_requirements() {
    "$PYTHON" -m pip install --quiet --disable-pip-version-check -r "$ROOT/requirements-test.txt"
}

# The series ("18.0") of the Odoo source tree `source`, from its odoo/release.py.
source_series() {
    "$BASE_PYTHON" - "$1/odoo/release.py" 2>/dev/null <<'PY'
import sys

scope = {}
exec(open(sys.argv[1]).read(), scope)
print("%s.%s" % scope["version_info"][:2])
PY
}

# Whether `python` imports Odoo of `series`, from the source tree `source` when one is given.
odoo_importable() {
    local python=$1 series=$2 source=${3:-}
    "$python" - "$series" "$source" 2>/dev/null <<'PY'
import os, sys

import odoo.release

series, source = sys.argv[1:]
# odoo.__file__ is None from 19.0 on (a namespace package): the core is where release.py is.
core = os.path.dirname(os.path.dirname(os.path.realpath(odoo.release.__file__)))
sys.exit(odoo.release.series != series or (bool(source) and core != os.path.realpath(source)))
PY
}

apt_install() {
    [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null || return 1
    log "Installing $*"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# The series to work with, in PLAN_SERIES, each with its source tree in PLAN_SOURCE (empty: a
# clone of Odoo's branch of that series, unless its virtual environment imports it already): those
# of the trees that ODOO_SOURCE names, separated by ':' as in PATH, in its order, else 18.0 and
# 19.0; only ODOO_SERIES when it is set. What cannot be used is said, one line each, in
# PLAN_PROBLEMS.
plan_odoo_series() {
    PLAN_SERIES=() PLAN_SOURCE=() PLAN_PROBLEMS=()
    local source series sources=()
    if [ -n "${ODOO_SOURCE:-}" ]; then
        IFS=: read -ra sources <<<"$ODOO_SOURCE"
        for source in "${sources[@]}"; do
            [ -n "$source" ] || continue
            if ! series=$(source_series "$source") || [ -z "$series" ]; then
                PLAN_PROBLEMS+=("ODOO_SOURCE names $source, which is not an Odoo source tree")
            elif [[ " ${PLAN_SERIES[*]} " == *" $series "* ]]; then
                PLAN_PROBLEMS+=("ODOO_SOURCE names a second Odoo $series tree, $source: the first is used")
            else
                PLAN_SERIES+=("$series")
                PLAN_SOURCE+=("$(cd "$source" && pwd)")
            fi
        done
    else
        PLAN_SERIES=("${SUPPORTED_SERIES[@]}")
        PLAN_SOURCE=("${SUPPORTED_SERIES[@]/*/}")
    fi
    if [ -n "${ODOO_SERIES:-}" ]; then
        local index
        for index in "${!PLAN_SERIES[@]}"; do
            if [ "${PLAN_SERIES[index]}" = "$ODOO_SERIES" ]; then
                PLAN_SOURCE=("${PLAN_SOURCE[index]}")
                PLAN_SERIES=("$ODOO_SERIES")
                return
            fi
        done
        PLAN_PROBLEMS+=("ODOO_SERIES=$ODOO_SERIES is none of the series at hand (${PLAN_SERIES[*]:-none})")
        PLAN_SERIES=() PLAN_SOURCE=()
    fi
}

# Makes a virtual environment of the series' own in the state folder, on first use.
make_venv() {
    local venv=$1
    [ -x "$venv/bin/python" ] && return
    # Debian and Ubuntu ship venv's pip bootstrap in a package of its own.
    "$BASE_PYTHON" -c 'import ensurepip' 2>/dev/null || apt_install python3-venv || true
    log "Making a virtual environment in $venv"
    "$BASE_PYTHON" -m venv "$venv"
}

# Odoo's requirements as pinned for Python 3.12, markers dropped: those versions have wheels for
# Python 3.10 to 3.12, where several older pins are source packages that no longer build. LDAP
# is left out (the addon does not use it; it needs system libraries to build), and psycopg2
# comes as its binary wheel, which needs no compiler or libpq headers.
install_odoo_requirements() {
    local source=$1 requirements=$STATE_DIR/odoo-requirements-$SERIES.txt
    "$PYTHON" - "$source/requirements.txt" >"$requirements" <<'PY'
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
        -r "$requirements" -r "$ROOT/requirements-test.txt"
}

# Sets SERIES and switches PYTHON to an interpreter that imports Odoo of `series`: the one to
# start from when it does already (from `source`, if given), else the series' own virtual
# environment, venv-SERIES in the state folder, made on first use, with Odoo's requirements and a
# .pth file naming `source` or else a clone of Odoo's branch of that series in the state folder.
# Without arguments: the first series planned (ODOO_SERIES picks another), for the scripts that
# work with one. Returns 1 with the reason in ODOO_MISSING if it cannot.
ensure_odoo() {
    if [ $# -eq 0 ]; then
        plan_odoo_series
        local problem
        for problem in "${PLAN_PROBLEMS[@]}"; do log "$problem"; done
        if [ ${#PLAN_SERIES[@]} -eq 0 ]; then
            ODOO_MISSING="no Odoo series to use"
            return 1
        fi
        set -- "${PLAN_SERIES[0]}" "${PLAN_SOURCE[0]}"
    fi
    local source=${2:-} venv=$STATE_DIR/venv-$1
    SERIES=$1 PYTHON=$BASE_PYTHON
    odoo_importable "$PYTHON" "$SERIES" "$source" && return 0
    make_venv "$venv" || {
        ODOO_MISSING="$BASE_PYTHON cannot make a virtual environment (install python3-venv)"
        return 1
    }
    PYTHON=$venv/bin/python
    odoo_importable "$PYTHON" "$SERIES" "$source" && return 0
    if [ -z "$source" ]; then
        source=$STATE_DIR/odoo-$SERIES
        if [ ! -f "$source/odoo/release.py" ]; then
            command -v git >/dev/null || apt_install git || true
            log "Cloning Odoo $SERIES into $source"
            rm -rf "$source"
            if ! git clone --quiet --depth 1 --branch "$SERIES" https://github.com/odoo/odoo.git "$source"; then
                ODOO_MISSING="Odoo's $SERIES branch could not be cloned from GitHub and ODOO_SOURCE names no $SERIES tree"
                return 1
            fi
        fi
    fi
    log "Installing Odoo $SERIES's Python requirements into $venv"
    # pytest brings `packaging`, which reads the requirements' markers.
    install_requirements && install_odoo_requirements "$source" || {
        ODOO_MISSING="Odoo $SERIES's Python requirements could not be installed into $venv"
        return 1
    }
    "$PYTHON" -c 'import sys; print(sys.argv[1])' "$(cd "$source" && pwd)" \
        >"$("$PYTHON" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/odoo-$SERIES-source.pth"
    odoo_importable "$PYTHON" "$SERIES" "$source" || {
        ODOO_MISSING="Odoo $SERIES is still not importable from $source"
        return 1
    }
}

# The option that gives a database demo data (`with`) or none (`without`) on `series`, if one is
# needed: Odoo 18.0 loads demo data unless told not to; from 19.0 on it loads none unless told
# to, and warns at --without-demo.
demo_option() {
    local series=$1 wanted=$2
    if [ "${series%%.*}" -ge 19 ]; then
        [ "$wanted" = with ] && echo --with-demo
    else
        [ "$wanted" = without ] && echo --without-demo=all
    fi
    return 0
}

odoo_addons_path() {
    # The repository is the addon; Odoo finds it under its own name in a folder of its own.
    local addons=$1
    mkdir -p "$addons"
    ln -sfn "$ROOT" "$addons/amazon_refund_cancel"
    local core
    core=$("$PYTHON" -c 'import odoo.release, os; print(os.path.dirname(os.path.dirname(odoo.release.__file__)))')
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

# Writes to `output` the addon's translation template as Odoo of SERIES exports it from
# `database`, where the addon is installed: 19.0 replaced the option --i18n-export with the command
# `i18n export`, which reads the addons path from a configuration file only.
export_pot() {
    local addons_path=$1 data_dir=$2 database=$3 output=$4
    if [ "${SERIES%%.*}" -ge 19 ]; then
        local config=$data_dir/i18n-export.conf
        mkdir -p "$data_dir"
        printf '[options]\naddons_path = %s\ndata_dir = %s\nlog_level = warn\n' \
            "$addons_path" "$data_dir" >"$config"
        "$PYTHON" -m odoo i18n export -c "$config" -d "$database" -o "$output" amazon_refund_cancel
    else
        "$PYTHON" -m odoo --addons-path="$addons_path" --data-dir="$data_dir" -d "$database" \
            --i18n-export="$output" --modules=amazon_refund_cancel --stop-after-init --no-http \
            --log-level=warn
    fi
}

# A PO or POT file without its header's dates, which change at every export.
po_body() {
    grep -v -e '^"POT-Creation-Date: ' -e '^"PO-Revision-Date: ' "$1"
}
