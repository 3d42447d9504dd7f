// The differential run: the native decoders (the oracle) judge generated frames, then the built
// package's JavaScript decoders must agree on every one.
//
//   node scripts/differential.mjs [--pkg pkg/node.js] [--dir target/differential]
//                                 [--examples 10] [--tolerate-caveats]
//   DIFF_FRAMES=200000 node scripts/differential.mjs      the full run
//   DIFF_SEED=0x1234 node scripts/differential.mjs         another (repeatable) set of frames
//
// It does not build the package: run `node scripts/build.mjs` first (or point --pkg elsewhere).
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { root, run } from "./lib.mjs";

const { values: options } = parseArgs({
  options: {
    pkg: { type: "string", default: "pkg/node.js" },
    dir: { type: "string", default: "target/differential" },
    examples: { type: "string", default: "10" },
    "tolerate-caveats": { type: "boolean", default: false },
  },
});

async function timed(label, cmd, args, env = {}) {
  const started = performance.now();
  const { code } = await run(cmd, args, { env });
  console.log(`differential: ${label} took ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return code;
}

const dir = resolve(root, options.dir);
const frames = process.env.DIFF_FRAMES ?? "2000";
console.log(`differential: ${frames} frames per source${process.env.DIFF_SEED ? `, seed ${process.env.DIFF_SEED}` : ""}`);
// Frames of an earlier run must not be compared if this one fails before writing its own.
mkdirSync(dir, { recursive: true });
for (const file of readdirSync(dir)) if (file.endsWith(".jsonl")) rmSync(`${dir}/${file}`);
// DIFF_FRAMES and DIFF_SEED reach the test through the inherited environment.
const generated = await timed(
  "frames and oracle verdicts (cargo test)",
  "cargo",
  ["test", "--features", "schema", "--test", "differential", "--", "--nocapture"],
  { DIFF_DIR: dir },
);
// The native test fails on its own findings (a fixture decoding otherwise than its file says, an
// oracle panic) after writing every frame; the comparison is still worth running then.
const written = readdirSync(dir).some((file) => file.endsWith(".jsonl") && !file.includes(".panics."));
if (generated !== 0) {
  console.error(`differential: the native test failed (exit ${generated})${written ? "; comparing the frames it wrote" : ""}`);
  if (!written) process.exit(generated || 1);
}
const compareArgs = [
  `${root}/tests/differential/compare.mjs`,
  "--pkg", resolve(root, options.pkg),
  "--dir", dir,
  "--examples", options.examples,
  ...(options["tolerate-caveats"] ? ["--tolerate-caveats"] : []),
];
const compared = await timed("comparison with the JS decoders", process.execPath, compareArgs);
process.exit(compared || (generated ? 1 : 0));
