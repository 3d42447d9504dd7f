#!/usr/bin/env bash
# Type-checks one source's TypeScript consumer file against a build with only that source's
# feature, without touching pkg/ (so it can run beside other work).
#   scripts/check-source-types.sh events-hub   -> checks tests/consumer/src/events_hub.ts
set -euo pipefail
cd "$(dirname "$0")/.."
feature=$1
file=${feature//-/_}
out=target/dts-$feature
mkdir -p target
# The cdylib (target/…/infra_events.wasm) has one path whatever the features: hold a lock from the
# build until wasm-bindgen has read it, so concurrent checks of other features cannot swap it.
(
  flock 9
  cargo build -q --target wasm32-unknown-unknown --no-default-features --features "$feature" --lib
  rm -rf "$out" && mkdir -p "$out"
  wasm-bindgen --target web --out-dir "$out/pkg" target/wasm32-unknown-unknown/debug/infra_events.wasm
) 9> target/.dts.lock
cat > "$out/tsconfig.json" <<JSON
{
  "extends": "../../tests/consumer/tsconfig.json",
  "compilerOptions": { "baseUrl": ".", "paths": { "infra-events": ["./pkg/infra_events.d.ts"] } },
  "include": ["../../tests/consumer/src/$file.ts"]
}
JSON
node_modules/.bin/tsc -p "$out/tsconfig.json"
echo "types ok: tests/consumer/src/$file.ts against $out/pkg/infra_events.d.ts"
