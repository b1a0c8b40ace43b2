#!/usr/bin/env bash
# Builds shardmesh_preproc.wasm with Debian's rustc 1.63 and copies it next to this script,
# where it is committed. CI installs exactly Debian's toolchain and checks the committed bytes:
#
#   bash wasm-preproc/build.sh           # build and update wasm-preproc/shardmesh_preproc.wasm
#   bash wasm-preproc/build.sh --check   # build into a temp dir, exit 1 if bytes differ
#
# The toolchain checks and the build itself: scripts/lib/wasm-crate-build.sh.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
build_script_name=wasm-preproc/build.sh
# shellcheck source=../scripts/lib/wasm-crate-build.sh
source "$here/../scripts/lib/wasm-crate-build.sh"

parse_build_mode "$@"
wasm_crate_build "$here" shardmesh_preproc.wasm "$mode"
