#!/usr/bin/env bash
# Idempotent, non-interactive set-up for a fresh machine (Rust via rustup, Node >= 20, apt).
# Installs nothing prebuilt from outside the package registries, and skips whatever is present,
# so a warm machine pays almost nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive CARGO_NET_RETRY=5

say() { echo "setup: $*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi; }

# Headless Chromium and its driver, from Debian. Never Debian's binaryen (its wasm-opt breaks the module).
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -x /usr/bin/chromedriver ] || need+=(chromium-driver)
if [ ${#need[@]} -gt 0 ]; then
  say "installing ${need[*]} (apt)"
  as_root apt-get -o DPkg::Lock::Timeout=600 update -qq
  as_root apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${need[@]}" >/dev/null
fi

installed_targets=$(rustup target list --installed)
grep -qx wasm32-unknown-unknown <<<"$installed_targets" || { say "adding wasm32 target"; rustup target add wasm32-unknown-unknown; }
installed_components=$(rustup component list --installed)
for c in rustfmt clippy; do
  grep -q "^$c" <<<"$installed_components" || { say "adding $c"; rustup component add "$c"; }
done

# wasm-bindgen-cli must be exactly the wasm-bindgen in Cargo.lock, or wasm-pack refuses (no-install mode).
wbg=$(awk '$0=="name = \"wasm-bindgen\""{getline; gsub(/[^0-9.]/,""); print; exit}' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$wbg" ]; then
  say "installing wasm-bindgen-cli $wbg (compiles, a few minutes)"
  # --locked can fail when the registry index lags behind the CLI's own lockfile; then resolve afresh.
  cargo install -q --locked --force wasm-bindgen-cli --version "$wbg" \
    || cargo install -q --force wasm-bindgen-cli --version "$wbg"
fi
if ! command -v wasm-pack >/dev/null; then
  say "installing wasm-pack (compiles, a few minutes)"
  cargo install -q --locked wasm-pack || cargo install -q wasm-pack
fi

# npm packages, only when the lockfile changed since the last install.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
say "ready"
