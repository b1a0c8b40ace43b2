# Sourced by wasm-preproc/build.sh and wasm-poseidon/build.sh: builds one crate to
# wasm32-unknown-unknown with Debian's rustc 1.63 only (a rustup rustc earlier on PATH makes other
# bytes), offline, with no inherited flags, and either updates the committed .wasm or checks it.
#
#   wasm_crate_build CRATE_DIR WASM_NAME MODE [EXTRA_CHECK_FN EXTRA_WRITE_FN]
#
# MODE is `build` or `check` (see parse_build_mode). In check mode the build goes to a temp dir and
# the function exits 1 when the committed bytes differ; EXTRA_CHECK_FN BUILT (if given) must also
# succeed. In build mode EXTRA_WRITE_FN BUILT (if given) runs after the copy.

rustc_bin=/usr/bin/rustc
cargo_bin=/usr/bin/cargo
wasm_target=wasm32-unknown-unknown
install_hint="apt-get install -y --no-install-recommends rustc cargo libstd-rust-dev-wasm32 lld"

die() {
  echo "${build_script_name:-build.sh}: $*" >&2
  exit 2
}

# Sets `mode` from the script's arguments: none = build, --check = check.
parse_build_mode() {
  mode=build
  case "${1:-}" in
    "") ;;
    --check) mode=check ;;
    *) die "unknown argument '$1' (usage: build.sh [--check])" ;;
  esac
}

require_debian_wasm_toolchain() {
  [[ -x $rustc_bin ]] || die "$rustc_bin not found; install Debian's toolchain: $install_hint"
  [[ -x $cargo_bin ]] || die "$cargo_bin not found; install Debian's toolchain: $install_hint"
  local sysroot
  sysroot="$("$rustc_bin" --print sysroot)"
  [[ -d "$sysroot/lib/rustlib/$wasm_target/lib" ]] ||
    die "the $wasm_target standard library is missing from $sysroot; install: $install_hint"
  # rustc links wasm with rust-lld (Debian: a symlink to lld's binary, from the lld package).
  PATH="/usr/bin:$PATH" command -v rust-lld >/dev/null || die "rust-lld not found; install: $install_hint"
}

wasm_crate_build() {
  local crate_dir="$1" wasm_name="$2" build_mode="$3" extra_check="${4:-}" extra_write="${5:-}"
  local committed="$crate_dir/$wasm_name" target_dir
  require_debian_wasm_toolchain
  if [[ $build_mode == check ]]; then
    target_dir="$(mktemp -d)"
    # shellcheck disable=SC2064 # expand now: the local is gone when the trap fires
    trap "rm -rf '$target_dir'" EXIT
  else
    target_dir="$crate_dir/target"
  fi
  # Flags come only from Cargo.toml and .cargo/config.toml: inherited RUSTFLAGS would change bytes.
  unset RUSTFLAGS CARGO_ENCODED_RUSTFLAGS CARGO_BUILD_RUSTFLAGS RUSTC_WRAPPER RUSTC_WORKSPACE_WRAPPER \
    CARGO_BUILD_TARGET CARGO_PROFILE_RELEASE_DEBUG CARGO_PROFILE_RELEASE_OPT_LEVEL
  (
    cd "$crate_dir"
    PATH="/usr/bin:$PATH" CARGO_HOME="$crate_dir/.cargo-home" RUSTC="$rustc_bin" CARGO_TARGET_DIR="$target_dir" \
      "$cargo_bin" build --release --target "$wasm_target" --locked --offline --quiet
  )
  local built="$target_dir/$wasm_target/release/$wasm_name"
  [[ -f $built ]] || die "cargo finished but $built is missing"
  rustc_version="$("$rustc_bin" --version)"

  if [[ $build_mode == check ]]; then
    [[ -f $committed ]] || { echo "no committed $committed to compare with" >&2; exit 1; }
    if cmp -s "$built" "$committed" && { [[ -z $extra_check ]] || "$extra_check" "$built"; }; then
      echo "ok: $wasm_name matches a rebuild from source ($rustc_version, $(wc -c <"$built") bytes)"
      exit 0
    fi
    echo "MISMATCH: $committed (or what is generated from it) differs from a rebuild with $rustc_version" >&2
    echo "  committed: $(sha256sum "$committed" | cut -d' ' -f1) ($(wc -c <"$committed") bytes)" >&2
    echo "  rebuilt:   $(sha256sum "$built" | cut -d' ' -f1) ($(wc -c <"$built") bytes)" >&2
    echo "  run 'bash $(basename "$crate_dir")/build.sh' with Debian's rustc 1.63 and commit the result" >&2
    exit 1
  fi

  cp "$built" "$committed"
  [[ -z $extra_write ]] || "$extra_write" "$built"
  echo "built $committed ($rustc_version, $(wc -c <"$committed") bytes, sha256 $(sha256sum "$committed" | cut -d' ' -f1))"
}
