// Holds the package's JavaScript decoders against the native oracle: reads the frames that
// `cargo test --features schema --test differential` wrote (target/differential/<source>.jsonl,
// one frame and the oracle's verdict per line), runs the named JS decoder on each text and reports
// every frame on which the two disagree.
//
//   node tests/differential/compare.mjs [--pkg pkg/node.js] [--dir target/differential]
//                                       [--examples 10] [--tolerate-caveats]
//
// Agreement means the same verdict (known / unknown / error); for the Events Hub also whether
// `body.event` carries `unknown: true` (a known frame forwarding an unknown host frame); for a
// batch, which elements are marked unknown; for an error, the same `kind` and `path`, and the
// `source` the file is for. `reason`, `line` and `column` are not compared: they are words and
// positions a validator may legitimately put differently.
//
// Frames whose text holds numbers `JSON.parse` cannot tell apart (`1.0` and `1`, integers beyond
// 2^53, 1e400) carry `caveats`. Disagreements on them are listed by caveat; they still fail the run
// unless --tolerate-caveats is given.
import { createReadStream, existsSync } from "node:fs";
import { resolve } from "node:path";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const SOURCES = ["events-hub", "lxd", "cloudevents", "mws"];
const DECODERS = [
  "decodeHubEvent",
  "decodeLxdEvent",
  "decodeCloudEvent",
  "decodeCloudEventBatch",
  "decodeMwsEvent",
  "decodeMwsEventList",
];

const { values: options } = parseArgs({
  options: {
    pkg: { type: "string", default: "pkg/node.js" },
    dir: { type: "string", default: "target/differential" },
    examples: { type: "string", default: "10" },
    "tolerate-caveats": { type: "boolean", default: false },
  },
});
const maxExamples = Number(options.examples);
const pkgPath = resolve(options.pkg);
if (!existsSync(pkgPath)) {
  console.error(`differential: ${options.pkg} not found (build the package first: node scripts/build.mjs)`);
  process.exit(2);
}
const pkg = await import(pathToFileURL(pkgPath).href);
const missing = DECODERS.filter((name) => typeof pkg[name] !== "function");
if (missing.length) {
  console.error(`differential: ${options.pkg} does not export ${missing.join(", ")}`);
  process.exit(2);
}

/** What the JS decoder said, in the oracle's terms. */
function jsVerdict(decoder, text) {
  let value;
  try {
    value = pkg[decoder](text);
  } catch (error) {
    if (error instanceof Error && error.name === "DecodeError") {
      return { verdict: "error", kind: error.kind, path: error.path, source: error.source };
    }
    // Anything else thrown is a crash: the contract is a DecodeError or a value.
    return { verdict: "crash", thrown: `${error?.name}: ${error?.message}` };
  }
  if (decoder === "decodeCloudEventBatch") {
    if (!Array.isArray(value)) return { verdict: "not an array" };
    return { verdict: "known", elements: value.map((e) => (e?.unknown === true ? "unknown" : "known")) };
  }
  const result = { verdict: value?.unknown === true ? "unknown" : "known" };
  if (decoder === "decodeHubEvent") result.forwardsUnknown = value?.body?.event?.unknown === true;
  return result;
}

/** The ways `js` differs from the oracle's line; empty when they agree. */
function differences(source, oracle, js) {
  const out = [];
  if (js.verdict !== oracle.verdict) {
    out.push("verdict");
    return out;
  }
  if (oracle.verdict === "error") {
    if (js.kind !== oracle.kind) out.push("kind");
    if (js.path !== oracle.path) out.push("path");
    if (js.source !== source) out.push("source");
  } else if (oracle.decoder === "decodeHubEvent" && js.forwardsUnknown !== oracle.forwardsUnknown) {
    out.push("forwardsUnknown");
  } else if (oracle.elements && JSON.stringify(js.elements) !== JSON.stringify(oracle.elements)) {
    out.push("elements");
  }
  return out;
}

function describeOracle(o) {
  if (o.verdict === "error") return `error ${o.kind} at ${JSON.stringify(o.path)}`;
  if (o.elements) return `batch [${o.elements.join(", ")}]`;
  return o.forwardsUnknown ? `${o.verdict} (forwards unknown)` : o.verdict;
}

function describeJs(j, source) {
  if (j.verdict === "error") {
    const from = j.source === source ? "" : ` from source ${JSON.stringify(j.source)}`;
    return `error ${j.kind} at ${JSON.stringify(j.path)}${from}`;
  }
  if (j.verdict === "crash") return `threw ${j.thrown}`;
  if (j.elements) return `batch [${j.elements.join(", ")}]`;
  return j.forwardsUnknown ? `${j.verdict} (forwards unknown)` : j.verdict;
}

let passed = 0;
let failed = 0;
let tolerated = 0;
let files = 0;
for (const source of SOURCES) {
  const file = resolve(options.dir, `${source}.jsonl`);
  if (!existsSync(file)) {
    console.log(`differential ${source}: no ${file}, skipped`);
    continue;
  }
  files += 1;
  let frames = 0;
  let agree = 0;
  let disagree = 0;
  let nanoseconds = 0n;
  const examples = [];
  // Disagreements by what differs, and by caveat for frames that carry one.
  const byDifference = new Map();
  const byCaveat = new Map();
  const lines = createInterface({ input: createReadStream(file, "utf8"), crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line) continue;
    const oracle = JSON.parse(line);
    frames += 1;
    const started = process.hrtime.bigint();
    const js = jsVerdict(oracle.decoder, oracle.text);
    nanoseconds += process.hrtime.bigint() - started;
    const diff = differences(source, oracle, js);
    if (diff.length === 0) {
      agree += 1;
      continue;
    }
    disagree += 1;
    const kinds = `oracle ${oracle.kind ?? oracle.verdict}, js ${js.kind ?? js.verdict}`;
    const key = `${oracle.decoder} ${diff.join("+")} (${kinds})`;
    byDifference.set(key, (byDifference.get(key) ?? 0) + 1);
    const caveats = oracle.caveats ?? [];
    for (const caveat of caveats) byCaveat.set(caveat, (byCaveat.get(caveat) ?? 0) + 1);
    if (caveats.length && options["tolerate-caveats"]) tolerated += 1;
    else failed += 1;
    if (examples.length < maxExamples) {
      examples.push(
        [
          `  ${oracle.decoder} (${oracle.origin ?? "?"}${caveats.length ? `; caveats: ${caveats.join(", ")}` : ""})`,
          `    text:   ${JSON.stringify(oracle.text.slice(0, 200))}${oracle.text.length > 200 ? "…" : ""}`,
          `    oracle: ${describeOracle(oracle)}`,
          `    js:     ${describeJs(js, source)}`,
        ].join("\n"),
      );
    }
  }
  passed += agree;
  const seconds = Number(nanoseconds) / 1e9;
  console.log(`differential ${source}: ${frames} frames, ${agree} agree, ${disagree} disagree`);
  const rate = Math.round(frames / Math.max(seconds, 1e-9)).toLocaleString("en-US");
  console.log(`  js decoders: ${rate} frames/s (${(seconds * 1000).toFixed(0)} ms in the decode calls)`);
  if (disagree) {
    console.log("  disagreements by decoder, what differs and the two kinds:");
    const classes = [...byDifference].sort((a, b) => b[1] - a[1]);
    for (const [k, n] of classes.slice(0, 12)) console.log(`    ${n} × ${k}`);
    if (classes.length > 12) console.log(`    … ${classes.length - 12} more classes`);
    if (byCaveat.size) {
      const counts = [...byCaveat].map(([k, n]) => `${k}: ${n}`).join("; ");
      console.log(`  of which on frames with caveats: ${counts}`);
    }
    for (const example of examples) console.log(example);
    if (disagree > examples.length) console.log(`  … and ${disagree - examples.length} more disagreements`);
  }
}
if (files === 0) {
  console.error(`differential: no frames under ${options.dir}; run node scripts/differential.mjs (or the cargo test) first`);
  process.exit(2);
}
if (tolerated) console.log(`${tolerated} disagreements on frames with caveats tolerated (--tolerate-caveats)`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
