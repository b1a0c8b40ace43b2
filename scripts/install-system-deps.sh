#!/usr/bin/env bash
# Debian packages used by the test suite, installed only when missing:
#   rustc + libstd-rust-dev-wasm32 + lld + cargo  rebuild wasm-preproc/ and compare it with the committed .wasm
#   libssl3                                        OpenSSL's ChaCha20-Poly1305 for Noise on Bun (bun:ffi)
#   chromium                                       the browser worker page and WebGPU on SwiftShader (also
#                                                  Dawn's Vulkan ICD for headless WebGPU)
# Without root (or sudo) it only reports what is missing; those tests then skip with a reason,
# except under CI=true where a skip of a required toolchain is a failure.
set -euo pipefail

missing=()
[ -x /usr/bin/rustc ] || missing+=(rustc)
[ -d /usr/lib/rustlib/wasm32-unknown-unknown ] || missing+=(libstd-rust-dev-wasm32)
[ -x /usr/bin/cargo ] || missing+=(cargo)
command -v ld.lld >/dev/null 2>&1 || [ -x /usr/bin/lld ] || missing+=(lld)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -e /usr/lib/x86_64-linux-gnu/libcrypto.so.3 ] || [ -e /usr/lib/aarch64-linux-gnu/libcrypto.so.3 ] || missing+=(libssl3)

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then sudo=""; elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
  echo "setup: missing Debian packages (${missing[*]}); run as root to install them" >&2
  exit 0
fi
echo "setup: installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
