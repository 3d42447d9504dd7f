// Decode benchmark, run by `npm run bench` after the build: a realistic 100,000-frame mix of all
// sources, decoded in headless Chromium by the SDK and, in the same run, by bare JSON.parse (and by
// the alternative strategy: serde_json in wasm then serde-wasm-bindgen). Prints a table and one
// `name: value` line per figure. Also prints the package size with all sources and with one.
import { cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { chromium } from "playwright-core";
import { packageSize, root, run, simBinary, startSim } from "../scripts/lib.mjs";
import { buildMix } from "./frames.mjs";

const FRAMES = Number(process.env.BENCH_FRAMES ?? 100_000);
const work = `${root}/target/bench`;
const www = `${work}/www`;

async function build(out, features) {
  const { code } = await run("node", ["scripts/build.mjs", "--out", out, "--features", features]);
  if (code !== 0) throw new Error(`build of ${out} failed`);
}

console.log("bench: building the comparison variants");
await build("target/bench/pkg-one-source", "events-hub");
await build("target/bench/pkg-serde-wasm-bindgen", "events-hub,lxd,cloudevents,mws,strategy-serde-wasm-bindgen");
const { code: simCode } = await run("cargo", ["build", "--locked", "-q", "-p", "sim"]);
if (simCode !== 0) throw new Error("sim build failed");

const sdk = await import(`${root}/pkg/node.js`);
const mix = buildMix(sdk, FRAMES);
console.log(`bench: ${mix.frames.length} frames, ${(mix.bytes / 1e6).toFixed(1)} MB; per decoder ${JSON.stringify(mix.perDecoder)}; distinct templates ${JSON.stringify(mix.templates)}`);

rmSync(www, { recursive: true, force: true });
mkdirSync(www, { recursive: true });
cpSync(`${root}/bench/page.html`, `${www}/index.html`);
cpSync(`${root}/bench/page.js`, `${www}/page.js`);
cpSync(`${work}/pkg-serde-wasm-bindgen`, `${www}/alt`, { recursive: true });
writeFileSync(`${www}/frames.json`, JSON.stringify(mix.frames));
writeFileSync(
  `${www}/candidates.json`,
  JSON.stringify({
    sdk: { path: "/pkg/index.js", suffix: "" },
    serde_wasm_bindgen: { path: "/alt/index.js", suffix: "ViaSerde" },
    scan_probe_bound: { path: "/alt/index.js", suffix: "ScanProbe" },
    copy_only_probe: { path: "/alt/index.js", suffix: "", alias: "copyProbe" },
    encode_into_scan_probe: { path: "/alt/index.js", suffix: "", alias: "encodeIntoScanProbe" },
  }),
);

const sim = await startSim(simBinary, ["--www", www, "--pkg", "pkg"]);
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
let result;
try {
  const page = await browser.newPage();
  page.on("pageerror", (e) => console.error(`bench page error: ${e.message}`));
  await page.goto(`${sim.origin}/`);
  await page.waitForFunction(() => window.__bench !== undefined, null, { timeout: 600_000, polling: 500 });
  result = await page.evaluate(() => window.__bench);
} finally {
  await browser.close();
  await sim.stop();
}
if (!result.ok) {
  console.error(result.error);
  process.exit(1);
}

const figures = {};
const rows = [];
for (const [name, ms] of Object.entries(result.medianMs)) {
  const seconds = ms / 1000;
  figures[`decode_${name}_frames_per_s`] = Math.round(mix.frames.length / seconds);
  figures[`decode_${name}_mb_per_s`] = Number((mix.bytes / 1e6 / seconds).toFixed(1));
  rows.push([name, ms.toFixed(0), figures[`decode_${name}_frames_per_s`], figures[`decode_${name}_mb_per_s`]]);
}
const base = figures.decode_json_parse_frames_per_s;
figures.decode_ratio_vs_json_parse = Number((figures.decode_sdk_frames_per_s / base).toFixed(3));
figures.decode_ratio_serde_wasm_bindgen_vs_json_parse = Number((figures.decode_serde_wasm_bindgen_frames_per_s / base).toFixed(3));
const all = packageSize(`${root}/pkg`);
const one = packageSize(`${work}/pkg-one-source`);
figures.pkg_raw_bytes = all.raw;
figures.pkg_gzip_bytes = all.gzip;
figures.pkg_raw_bytes_one_source = one.raw;
figures.pkg_gzip_bytes_one_source = one.gzip;

console.log(`\ndecode, ${mix.frames.length} frames (${(mix.bytes / 1e6).toFixed(1)} MB), median of ${result.times.json_parse.length} alternating rounds`);
console.log(`${"strategy".padEnd(22)} ${"ms".padStart(8)} ${"frames/s".padStart(12)} ${"MB/s".padStart(8)}  vs JSON.parse`);
for (const [name, ms, fps, mbps] of rows) {
  console.log(`${name.padEnd(22)} ${ms.padStart(8)} ${String(fps).padStart(12)} ${String(mbps).padStart(8)}  ${(fps / base).toFixed(3)}x`);
}
console.log(`package (wasm + glue + entry, gzip -9): all sources ${all.gzip} B (target <= 65536), one source ${one.gzip} B (target <= 40960)\n`);

// The simulator must never be what limits the SDK's benchmarks: measure its burst rate alone.
const { code: releaseCode } = await run("cargo", ["build", "--locked", "-q", "--release", "-p", "sim"]);
if (releaseCode !== 0) throw new Error("sim release build failed");
const burst = await run(`${root}/target/release/sim`, ["--bench-burst", "--bench-secs", "3"], { capture: true });
const burstRate = /sim_burst_events_per_s: (\d+)/.exec(burst.output);
if (burst.code !== 0 || !burstRate) throw new Error("sim --bench-burst printed no figure");
figures.sim_burst_events_per_s = Number(burstRate[1]);
console.log(`sim burst to one loopback client: ${burstRate[1]} events/s (target >= 200000)`);

for (const [name, value] of Object.entries(figures)) console.log(`${name}: ${value}`);
