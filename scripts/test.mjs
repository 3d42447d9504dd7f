// Runs every check in order, keeps going after a failure so one run shows everything, and ends
// with one line `N passed, N failed` (tests counted one by one; a lint or type check counts as one).
import { root, run, simBinary, startSim } from "./lib.mjs";

const nodeMajor = Number(process.versions.node.split(".")[0]);
// Node 20 has a WebSocket global only behind a flag; Node 22 has it by default.
const nodeWebSocketArgs = nodeMajor < 22 ? ["--experimental-websocket"] : [];

const counters = {
  check: (code) => ({ passed: code === 0 ? 1 : 0, failed: code === 0 ? 0 : 1 }),
  cargo: (code, output) => sumMatches(output, /test result: \w+\. (\d+) passed; (\d+) failed/g, code),
  node: (code, output) => {
    const passed = /^(?:ℹ|#) pass (\d+)/m.exec(output);
    const failed = /^(?:ℹ|#) fail (\d+)/m.exec(output);
    return sane({ passed: Number(passed?.[1] ?? 0), failed: Number(failed?.[1] ?? 0) }, code);
  },
  plain: (code, output) => sumMatches(output, /^(\d+) passed, (\d+) failed$/gm, code),
};

function sumMatches(output, pattern, code) {
  let passed = 0;
  let failed = 0;
  for (const match of output.matchAll(pattern)) {
    passed += Number(match[1]);
    failed += Number(match[2]);
  }
  return sane({ passed, failed }, code);
}

// A step that exits non-zero without reporting a failed test (a build error, a crash, no tests at
// all) still counts as a failure.
function sane(counts, code) {
  if (code !== 0 && counts.failed === 0) counts.failed = 1;
  if (code === 0 && counts.passed === 0 && counts.failed === 0) counts.failed = 1;
  return counts;
}

const results = [];
async function step(name, kind, cmd, args, env = {}) {
  console.log(`\n=== ${name} ===`);
  const { code, output } = await run(cmd, args, { env, capture: true });
  const counts = counters[kind](code, output);
  results.push({ name, ...counts });
  return code === 0;
}

await step("cargo fmt --check", "check", "cargo", ["fmt", "--all", "--", "--check"]);
await step("clippy, native", "check", "cargo", ["clippy", "--locked", "--workspace", "--all-targets", "--", "-D", "warnings"]);
await step("clippy, wasm32 (all features)", "check", "cargo", [
  "clippy", "--locked", "-p", "infra-events", "--target", "wasm32-unknown-unknown", "--all-targets", "--all-features",
  "--", "-D", "warnings",
]);
// Each source is a cargo feature so an app can ship only the one it uses: each must build alone.
for (const feature of ["events-hub", "lxd", "cloudevents", "mws"]) {
  await step(`builds with only ${feature} (wasm32)`, "check", "cargo", [
    "clippy", "--locked", "-q", "-p", "infra-events", "--target", "wasm32-unknown-unknown", "--lib",
    "--no-default-features", "--features", feature, "--", "-D", "warnings",
  ]);
}
// The schemas and the validators generated from them must be those the model gives today.
await step("schema/ matches the model", "check", "cargo", [
  "run", "--locked", "-q", "--manifest-path", "codegen/Cargo.toml", "--", "--check",
]);
await step("js/generated/ matches schema/", "check", "node", ["codegen/validators.mjs", "--check"]);
// --no-fail-fast: one failing test binary must not hide the results of the others.
await step("native tests (cargo test)", "cargo", "cargo", ["test", "--locked", "--workspace", "--no-fail-fast"]);
// The generated validators against the native decoders, frame by frame (a fast slice of
// `npm run fuzz`). Frames whose numbers JSON.parse cannot hold exactly are listed, not failed.
await step("differential: validators agree with the native decoders", "plain", "node", [
  "scripts/differential.mjs", "--tolerate-caveats",
]);
const simBuilt = await step("build sim", "check", "cargo", ["build", "--locked", "-p", "sim"]);

let sim;
if (simBuilt) {
  try {
    sim = await startSim(simBinary);
  } catch (error) {
    console.error(`sim did not start: ${error.message}`);
  }
}
if (sim) {
  const wasmEnv = {
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER: "wasm-bindgen-test-runner",
    CHROMEDRIVER: "/usr/bin/chromedriver",
    // The subscription tests run one at a time against the shared simulator: more than the
    // runner's default 20 s for the whole browser run.
    WASM_BINDGEN_TEST_TIMEOUT: "900",
    NODE_ARGS: nodeWebSocketArgs.join(","),
    TEST_SIM_WS: `ws://127.0.0.1:${sim.port}`,
  };
  const wasmTest = (file) => [
    "test", "--locked", "--no-fail-fast", "-p", "infra-events", "--target", "wasm32-unknown-unknown", "--test", file,
  ];
  await step("wasm-bindgen-test, headless Chromium", "cargo", "cargo", wasmTest("web"), wasmEnv);
  await step("wasm-bindgen-test, Node", "cargo", "cargo", wasmTest("node"), wasmEnv);
  await sim.stop();
} else {
  results.push({ name: "wasm-bindgen-test (sim did not start)", passed: 0, failed: 1 });
}

await step("decoders (node --test, and Chromium)", "node", "node", ["--test", "tests/decode_js/"]);
await step("TypeScript consumer (tsc --strict)", "check", `${root}/node_modules/.bin/tsc`, ["-p", "tests/consumer"]);
await step("Node consumer (node --test)", "node", "node", [...nodeWebSocketArgs, "--test", "tests/consumer/node/"]);
// Real LXD 5.0.2 and Incus 6.0.4 daemons (installed if missing), driven by their CLI while the
// package subscribes in Chromium; needs root, as CI has.
await step("real LXD and Incus daemons (Chromium)", "plain", "node", ["tests/real-lxd/run.mjs", "--pkg", "pkg"]);
await step("browser pages (Playwright + Chromium)", "plain", "node", ["tests/browser/run.mjs"]);

let passed = 0;
let failed = 0;
console.log("\n=== summary ===");
for (const r of results) {
  passed += r.passed;
  failed += r.failed;
  console.log(`${r.failed ? "FAIL" : "ok  "}  ${r.name.padEnd(42)} ${r.passed} passed, ${r.failed} failed`);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
