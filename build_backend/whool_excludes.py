"""whool, leaving out of the wheel and sdist what only develops the addon.

whool copies every file git tracks in the addon folder and has no setting to leave some out; the
repository root is the addon, so without this the wheel would ship the SP-API emulator, the
scripts and the benchmarks. The paths to leave out are `[tool.whool-excludes] paths` in
pyproject.toml: a folder or file name relative to the root, or a glob.
"""

import fnmatch
from pathlib import Path

from whool import buildapi
from whool.buildapi import (  # noqa: F401  (the build backend interface, passed through)
    build_editable,
    build_sdist,
    build_wheel,
    prepare_metadata_for_build_editable,
    prepare_metadata_for_build_wheel,
)
from whool.compat import tomllib

_scm_ls_files = buildapi._scm_ls_files


def _excluded_patterns(addon_dir):
    with open(Path(addon_dir) / "pyproject.toml", "rb") as file:
        return tomllib.load(file).get("tool", {}).get("whool-excludes", {}).get("paths", [])


def _is_excluded(path, patterns):
    return any(
        path == pattern
        or path.startswith(pattern.rstrip("/") + "/")
        or fnmatch.fnmatch(path, pattern)
        for pattern in patterns
    )


def _addon_files(addon_dir):
    patterns = _excluded_patterns(addon_dir)
    return [path for path in _scm_ls_files(addon_dir) if not _is_excluded(path, patterns)]


buildapi._scm_ls_files = _addon_files
