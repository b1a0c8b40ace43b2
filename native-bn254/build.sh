#!/usr/bin/env bash
# Builds libshardmesh_bn254.so (the native Groth16 prover headless workers load with bun:ffi)
# with Debian's rustc 1.63, offline, into native-bn254/target/ (git-ignored: a native library is
# built on the machine that runs it, never committed). Quick when it is up to date.
#
#   bash native-bn254/build.sh           # build (exit 2 with the apt line when cargo is missing)
#   bash native-bn254/build.sh --test    # also run the crate's unit tests
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cargo_bin=/usr/bin/cargo
rustc_bin=/usr/bin/rustc
[[ -x $cargo_bin && -x $rustc_bin ]] || {
  echo "native-bn254/build.sh: Debian's rustc and cargo are missing; install: apt-get install -y --no-install-recommends rustc cargo" >&2
  exit 2
}
# Flags come only from Cargo.toml: inherited RUSTFLAGS (e.g. target-cpu=native) would make a
# library that does not run on another x86-64 machine.
unset RUSTFLAGS CARGO_ENCODED_RUSTFLAGS CARGO_BUILD_RUSTFLAGS RUSTC_WRAPPER CARGO_BUILD_TARGET
cd "$here"
env PATH="/usr/bin:$PATH" CARGO_HOME="$here/.cargo-home" RUSTC="$rustc_bin" CARGO_TARGET_DIR="$here/target" \
  "$cargo_bin" build --release --offline --quiet
if [[ ${1:-} == --test ]]; then
  env PATH="/usr/bin:$PATH" CARGO_HOME="$here/.cargo-home" RUSTC="$rustc_bin" CARGO_TARGET_DIR="$here/target" \
    "$cargo_bin" test --release --offline --quiet
fi
echo "built $here/target/release/libshardmesh_bn254.so"
