// Decode benchmark, run by `npm run bench` after the build and after bench/ajv/build.mjs: a
// realistic 100,000-frame mix of all sources (BENCH_FRAMES to shrink it), decoded by the package
// and by bare JSON.parse, and by JSON.parse plus ajv's standalone validators of the model's JSON
// Schemas; and the mix's CloudEvents frames alone, also through the cloudevents JS SDK. Each in
// alternating rounds, first in this Node process, then in headless Chromium. Prints tables and one
// `name: value` line per figure (Chromium's unsuffixed, as before; Node's ending in `_node`), the
// median round of each. Also prints the package sizes and the size of the package's validators.
//
// (The in-wasm decoding strategies and their probes left the crate with the serde decoders.)
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { chromium } from "playwright-core";
import { packageSize, root, run, simBinary, startSim } from "../scripts/lib.mjs";
import { acceptedSubset, buildMix } from "./frames.mjs";
import { measure } from "./rounds.js";

const FRAMES = Number(process.env.BENCH_FRAMES ?? 100_000);
const ROUNDS = 7;
const work = `${root}/target/bench`;
const www = `${work}/www`;
const ajvBundle = `${work}/ajv/dist/index.js`;

if (!existsSync(ajvBundle)) {
  console.error("bench: target/bench/ajv is missing: run `node bench/ajv/build.mjs` first (`npm run bench` does)");
  process.exit(1);
}

async function build(out, features) {
  const { code } = await run("node", ["scripts/build.mjs", "--out", out, "--features", features]);
  return code === 0;
}

console.log("bench: building the comparison variants");
if (!(await build("target/bench/pkg-one-source", "events-hub"))) throw new Error("build of the one-source package failed");
const { code: simCode } = await run("cargo", ["build", "--locked", "-q", "-p", "sim"]);
if (simCode !== 0) throw new Error("sim build failed");

const sdk = await import(`${root}/pkg/node.js`);
const ajv = await import(ajvBundle);
const { CloudEvent } = await import("cloudevents");
const cloudeventsSdk = { decodeCloudEvent: (text) => new CloudEvent(JSON.parse(text)) };

const mix = buildMix(sdk, FRAMES);
console.log(`bench: ${mix.frames.length} frames, ${(mix.bytes / 1e6).toFixed(1)} MB; per decoder ${JSON.stringify(mix.perDecoder)}; distinct templates ${JSON.stringify(mix.templates)}`);

// The CloudEvents comparison runs on the frames both sides accept, so that neither pays for
// exceptions; the SDK refusing a frame the package takes is a finding of its own, printed.
const { indexes: ceIndexes, refused: ceRefusedBySdk } = acceptedSubset(mix.frames, "decodeCloudEvent", cloudeventsSdk.decodeCloudEvent);
const ceFrames = ceIndexes.map((i) => mix.frames[i]);
const ceBytes = ceFrames.reduce((sum, f) => sum + Buffer.byteLength(f.text), 0);
console.log(`bench: ${ceFrames.length} CloudEvents frames for the SDK comparison (${ceRefusedBySdk} refused by the cloudevents SDK)`);

// Plain objects rather than module namespaces, as in the page, so the call sites look alike.
function pick(module, names) {
  return Object.fromEntries(names.map((n) => {
    if (typeof module[n] !== "function") throw new Error(`no ${n} to benchmark`);
    return [n, module[n]];
  }));
}
const mixDecoders = Object.keys(mix.perDecoder);

console.log(`bench: Node ${process.version}, ${ROUNDS} alternating rounds`);
const nodeResult = measure(
  [
    {
      name: "mix",
      frames: mix.frames,
      candidates: [
        { name: "json_parse", decoders: null },
        { name: "sdk", decoders: pick(sdk, mixDecoders) },
        { name: "ajv", decoders: pick(ajv, mixDecoders) },
      ],
    },
    {
      name: "cloudevents",
      frames: ceFrames,
      candidates: [
        { name: "json_parse", decoders: null },
        { name: "sdk", decoders: pick(sdk, ["decodeCloudEvent"]) },
        { name: "ajv", decoders: pick(ajv, ["decodeCloudEvent"]) },
        { name: "cloudevents_sdk", decoders: cloudeventsSdk },
      ],
    },
  ],
  ROUNDS,
);

rmSync(www, { recursive: true, force: true });
mkdirSync(`${www}/ajv`, { recursive: true });
mkdirSync(`${www}/ce`, { recursive: true });
cpSync(`${root}/bench/page.html`, `${www}/index.html`);
cpSync(`${root}/bench/page.js`, `${www}/page.js`);
cpSync(`${root}/bench/rounds.js`, `${www}/rounds.js`);
cpSync(ajvBundle, `${www}/ajv/index.js`);
cpSync(`${root}/bench/cloudevents-page.js`, `${www}/ce/decode.js`);
cpSync(`${root}/node_modules/cloudevents/bundles/cloudevents.js`, `${www}/ce/cloudevents.js`);
writeFileSync(`${www}/frames.json`, JSON.stringify(mix.frames));
writeFileSync(
  `${www}/candidates.json`,
  JSON.stringify({
    rounds: ROUNDS,
    groups: [
      {
        name: "mix",
        candidates: { json_parse: null, sdk: { path: "/pkg/index.js" }, ajv: { path: "/ajv/index.js" } },
      },
      {
        name: "cloudevents",
        indexes: ceIndexes,
        candidates: {
          json_parse: null,
          sdk: { path: "/pkg/index.js" },
          ajv: { path: "/ajv/index.js" },
          cloudevents_sdk: { path: "/ce/decode.js" },
        },
      },
    ],
  }),
);

console.log(`bench: headless Chromium, ${ROUNDS} alternating rounds`);
const sim = await startSim(simBinary, ["--www", www, "--pkg", "pkg"]);
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
let chromeResult;
let chromeVersion;
try {
  chromeVersion = browser.version();
  const page = await browser.newPage();
  page.on("pageerror", (e) => console.error(`bench page error: ${e.message}`));
  await page.goto(`${sim.origin}/`);
  await page.waitForFunction(() => window.__bench !== undefined, null, { timeout: 600_000, polling: 500 });
  chromeResult = await page.evaluate(() => window.__bench);
} finally {
  await browser.close();
  await sim.stop();
}
if (!chromeResult.ok) {
  console.error(chromeResult.error);
  process.exit(1);
}
for (const [name, why] of Object.entries(chromeResult.skipped)) console.log(`bench: Chromium skipped ${name} (${why})`);

const groupSize = { mix: { frames: mix.frames.length, bytes: mix.bytes }, cloudevents: { frames: ceFrames.length, bytes: ceBytes } };
const figures = {};
const ratio = (result, group, name, base) => {
  const a = result.medianMs[`${group}.${name}`];
  const b = result.medianMs[`${group}.${base}`];
  return a === undefined || b === undefined ? undefined : Number((b / a).toFixed(3));
};

function report(label, result, suffix) {
  console.log(`\ndecode in ${label}, median of ${ROUNDS} alternating rounds`);
  for (const group of ["mix", "cloudevents"]) {
    const { frames, bytes } = groupSize[group];
    const prefix = group === "mix" ? "decode_" : "decode_ce_";
    console.log(group === "mix"
      ? `the mix: ${frames} frames (${(bytes / 1e6).toFixed(1)} MB)`
      : `its CloudEvents frames: ${frames} frames (${(bytes / 1e6).toFixed(1)} MB)`);
    console.log(`  ${"strategy".padEnd(22)} ${"ms".padStart(8)} ${"frames/s".padStart(12)} ${"MB/s".padStart(8)}  vs JSON.parse  refused`);
    for (const [key, ms] of Object.entries(result.medianMs)) {
      const [g, name] = key.split(".");
      if (g !== group) continue;
      const fps = Math.round(frames / (ms / 1000));
      const mbps = Number((bytes / 1e6 / (ms / 1000)).toFixed(1));
      figures[`${prefix}${name}_frames_per_s${suffix}`] = fps;
      figures[`${prefix}${name}_mb_per_s${suffix}`] = mbps;
      const refused = result.rejected[key];
      console.log(`  ${name.padEnd(22)} ${ms.toFixed(ms < 100 ? 1 : 0).padStart(8)} ${String(fps).padStart(12)} ${String(mbps).padStart(8)}  ${ratio(result, g, name, "json_parse").toFixed(3).padStart(12)}x  ${refused}`);
    }
  }
  const put = (name, value) => {
    if (value !== undefined) figures[`${name}${suffix}`] = value;
  };
  put("decode_ratio_vs_json_parse", ratio(result, "mix", "sdk", "json_parse"));
  put("decode_ratio_vs_json_parse_ajv", ratio(result, "mix", "ajv", "json_parse"));
  put("decode_ratio_serde_wasm_bindgen_vs_json_parse", ratio(result, "mix", "serde_wasm_bindgen", "json_parse"));
  put("decode_ratio_vs_cloudevents_sdk", ratio(result, "cloudevents", "sdk", "cloudevents_sdk"));
  put("cloudevents_sdk_ratio_vs_json_parse", ratio(result, "cloudevents", "cloudevents_sdk", "json_parse"));
  // The ajv validators come from schemas still being written: how many frames of the mix they
  // refuse says how far those schemas are from what the package accepts (0 is the aim).
  put("decode_ajv_refused_frames", result.rejected["mix.ajv"]);
  for (const [key, n] of Object.entries(result.rejected)) {
    if (n > 0 && key !== "mix.ajv") console.log(`bench: ${label}: ${key} refused ${n} frames`);
  }
}
report(`headless Chromium ${chromeVersion}`, chromeResult, "");
report(`Node ${process.version}`, nodeResult, "_node");

const all = packageSize(`${root}/pkg`);
const one = packageSize(`${work}/pkg-one-source`);
figures.pkg_raw_bytes = all.raw;
figures.pkg_gzip_bytes = all.gzip;
figures.pkg_raw_bytes_one_source = one.raw;
figures.pkg_gzip_bytes_one_source = one.gzip;

// The package's own generated validators, wherever a build puts them: one file or a folder of
// them. Each file is gzipped alone, as packageSize does, since each is fetched alone.
// `generated/` is where the package's build puts them today; the other two names are kept so a
// rename does not silently print "missing".
function validatorGzip(dir) {
  const gz = (file) => gzipSync(readFileSync(file), { level: 9 }).length;
  if (existsSync(`${dir}/validators.js`)) return gz(`${dir}/validators.js`);
  for (const name of ["validators", "generated"]) {
    const folder = `${dir}/${name}`;
    if (!existsSync(folder) || !statSync(folder).isDirectory()) continue;
    const files = readdirSync(folder, { recursive: true })
      .map((f) => `${folder}/${f}`)
      .filter((f) => f.endsWith(".js") && statSync(f).isFile());
    if (files.length) return files.reduce((sum, f) => sum + gz(f), 0);
  }
  return "missing";
}
figures.validator_gzip_bytes = validatorGzip(`${root}/pkg`);
figures.validator_gzip_bytes_one_source = validatorGzip(`${work}/pkg-one-source`);
const ajvSizes = JSON.parse(readFileSync(`${work}/ajv/sizes.json`, "utf8"));

console.log(`\npackage (wasm + glue + entry, gzip -9): all sources ${all.gzip} B (target <= 65536), one source ${one.gzip} B (target <= 40960)`);
console.log(`validators (gzip -9): the package's ${figures.validator_gzip_bytes} (one source ${figures.validator_gzip_bytes_one_source}); ajv's, bundled and minified, ${ajvSizes.all.gzip} B (one source ${ajvSizes.one.gzip} B)\n`);

// The simulator must never be what limits the SDK's benchmarks: measure its burst rate alone.
const { code: releaseCode } = await run("cargo", ["build", "--locked", "-q", "--release", "-p", "sim"]);
if (releaseCode !== 0) throw new Error("sim release build failed");
const burst = await run(`${root}/target/release/sim`, ["--bench-burst", "--bench-secs", "3"], { capture: true });
const burstRate = /sim_burst_events_per_s: (\d+)/.exec(burst.output);
if (burst.code !== 0 || !burstRate) throw new Error("sim --bench-burst printed no figure");
figures.sim_burst_events_per_s = Number(burstRate[1]);
console.log(`sim burst to one loopback client: ${burstRate[1]} events/s (target >= 200000)`);

for (const [name, value] of Object.entries(figures)) console.log(`${name}: ${value}`);
