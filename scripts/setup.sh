#!/usr/bin/env bash
# Installs what Shardmesh needs on a fresh machine (Node 20 + npm is all it assumes).
# Idempotent and quick when everything is already present.
#   scripts/setup.sh            Bun (from npm, pinned) and the project's packages (bun.lock)
#   scripts/setup.sh --system   also the Debian packages the full test suite needs
set -euo pipefail
cd "$(dirname "$0")/.."

BUN_VERSION=1.4.5
bun_bin=.tools/node_modules/.bin/bun
if ! [ -x "$bun_bin" ] || [ "$("$bun_bin" --version 2>/dev/null)" != "$BUN_VERSION" ]; then
  echo "setup: installing Bun $BUN_VERSION from npm into .tools/"
  npm install --prefix .tools --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
    "bun@$BUN_VERSION" 2>&1 | grep -v 'Unknown user config' || true
  [ -x "$bun_bin" ] || { echo "setup: Bun did not install (see npm output above)" >&2; exit 1; }
fi

"$bun_bin" install --frozen-lockfile --silent

if [ "${1:-}" = "--system" ]; then
  bash scripts/install-system-deps.sh
fi

# The native Groth16 prover (native-bn254/) is built on the machine that runs it, never committed;
# without Debian's cargo the headless prover uses snarkjs (slower, same proofs).
if [ -x /usr/bin/cargo ]; then
  bash native-bn254/build.sh || echo "setup: the native prover did not build; proving falls back to snarkjs" >&2
fi
