#!/usr/bin/env bash
# Builds shardmesh_preproc.wasm with Debian's rustc 1.63 and copies it next to this script,
# where it is committed. CI installs exactly Debian's toolchain and checks the committed bytes:
#
#   bash wasm-preproc/build.sh           # build and update wasm-preproc/shardmesh_preproc.wasm
#   bash wasm-preproc/build.sh --check   # build into a temp dir, exit 1 if bytes differ
#
# Only /usr/bin/rustc is used on purpose: a rustup rustc earlier on PATH produces other bytes.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
rustc_bin=/usr/bin/rustc
cargo_bin=/usr/bin/cargo
target=wasm32-unknown-unknown
committed="$here/shardmesh_preproc.wasm"

die() {
  echo "wasm-preproc/build.sh: $*" >&2
  exit 2
}

mode=build
case "${1:-}" in
  "") ;;
  --check) mode=check ;;
  *) die "unknown argument '$1' (usage: build.sh [--check])" ;;
esac

install_hint="apt-get install -y --no-install-recommends rustc cargo libstd-rust-dev-wasm32 lld"
[[ -x $rustc_bin ]] || die "$rustc_bin not found; install Debian's toolchain: $install_hint"
[[ -x $cargo_bin ]] || die "$cargo_bin not found; install Debian's toolchain: $install_hint"
sysroot="$("$rustc_bin" --print sysroot)"
[[ -d "$sysroot/lib/rustlib/$target/lib" ]] ||
  die "the $target standard library is missing from $sysroot; install: $install_hint"
# rustc links wasm with rust-lld (Debian: a symlink to lld's binary, from the lld package).
PATH="/usr/bin:$PATH" command -v rust-lld >/dev/null || die "rust-lld not found; install: $install_hint"

if [[ $mode == check ]]; then
  target_dir="$(mktemp -d)"
  trap 'rm -rf "$target_dir"' EXIT
else
  target_dir="$here/target"
fi

# Flags come only from Cargo.toml and .cargo/config.toml: inherited RUSTFLAGS would change bytes.
unset RUSTFLAGS CARGO_ENCODED_RUSTFLAGS CARGO_BUILD_RUSTFLAGS RUSTC_WRAPPER RUSTC_WORKSPACE_WRAPPER \
  CARGO_BUILD_TARGET CARGO_PROFILE_RELEASE_DEBUG CARGO_PROFILE_RELEASE_OPT_LEVEL
(
  cd "$here"
  PATH="/usr/bin:$PATH" CARGO_HOME="$here/.cargo-home" RUSTC="$rustc_bin" CARGO_TARGET_DIR="$target_dir" \
    "$cargo_bin" build --release --target "$target" --locked --offline --quiet
)
built="$target_dir/$target/release/shardmesh_preproc.wasm"
[[ -f $built ]] || die "cargo finished but $built is missing"
version="$("$rustc_bin" --version)"

if [[ $mode == check ]]; then
  [[ -f $committed ]] || { echo "no committed $committed to compare with" >&2; exit 1; }
  if cmp -s "$built" "$committed"; then
    echo "ok: $(basename "$committed") matches a rebuild from source ($version, $(wc -c <"$built") bytes)"
    exit 0
  fi
  echo "MISMATCH: $committed differs from a rebuild from source with $version" >&2
  echo "  committed: $(sha256sum "$committed" | cut -d' ' -f1) ($(wc -c <"$committed") bytes)" >&2
  echo "  rebuilt:   $(sha256sum "$built" | cut -d' ' -f1) ($(wc -c <"$built") bytes)" >&2
  echo "  run 'bash wasm-preproc/build.sh' with Debian's rustc 1.63 and commit the result" >&2
  exit 1
fi

cp "$built" "$committed"
echo "built $committed ($version, $(wc -c <"$committed") bytes, sha256 $(sha256sum "$committed" | cut -d' ' -f1))"
