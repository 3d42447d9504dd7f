// A realistic frame mix for the decode benchmark, built from the test fixtures (real daemon
// captures and documented examples). Only frames the SDK accepts are used, each copy gets its own
// id so no two strings are identical, and the mix follows what a dashboard receives: mostly
// Events Hub traffic (with large VM_UPDATED frames), LXD, then CloudEvents and MWS pages.
import { readdirSync, readFileSync } from "node:fs";
import { root } from "../scripts/lib.mjs";

const fixtureDir = `${root}/tests/fixtures`;

function fixtureTexts(source) {
  const dir = `${fixtureDir}/${source}`;
  let files = [];
  try {
    files = readdirSync(dir, { recursive: true }).filter((f) => /\.(jsonl?|json)$/.test(f));
  } catch {
    return [];
  }
  const texts = [];
  for (const file of files) {
    const content = readFileSync(`${dir}/${file}`, "utf8");
    if (file.endsWith(".jsonl")) {
      for (const line of content.split("\n")) {
        const t = line.trim();
        if (t && !t.startsWith("#")) texts.push(t);
      }
    } else {
      texts.push(content);
    }
  }
  return texts;
}

/** Weights per decoder: the share of the mix each one gets. */
export const MIX = [
  { decoder: "decodeHubEvent", source: "events_hub", weight: 0.5 },
  { decoder: "decodeLxdEvent", source: "lxd", weight: 0.25 },
  { decoder: "decodeCloudEvent", source: "cloudevents", weight: 0.15 },
  { decoder: "decodeMwsEventList", source: "mws", weight: 0.05 },
  { decoder: "decodeMwsEvent", source: "mws", weight: 0.05 },
];

/** Deterministic pseudo-random numbers, so every run benchmarks the same frames. */
function lcg(seed) {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/**
 * Returns { frames: [{decoder, text}], perDecoder, bytes } with `count` frames.
 * `sdk` is the package (Node entry) used to keep only frames its decoder accepts.
 */
export function buildMix(sdk, count, seed = 7) {
  const random = lcg(seed);
  const pools = [];
  for (const entry of MIX) {
    const decode = sdk[entry.decoder];
    if (typeof decode !== "function") continue;
    const accepted = fixtureTexts(entry.source).filter((text) => {
      try {
        decode(text);
        return true;
      } catch {
        return false;
      }
    });
    if (accepted.length) pools.push({ ...entry, texts: accepted });
  }
  const totalWeight = pools.reduce((sum, p) => sum + p.weight, 0);
  const frames = [];
  const perDecoder = {};
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    let pick = random() * totalWeight;
    const pool = pools.find((p) => (pick -= p.weight) < 0) ?? pools[pools.length - 1];
    const template = pool.texts[Math.floor(random() * pool.texts.length)];
    const text = uniquify(template, i);
    frames.push({ decoder: pool.decoder, text });
    perDecoder[pool.decoder] = (perDecoder[pool.decoder] ?? 0) + 1;
    bytes += Buffer.byteLength(text);
  }
  return { frames, perDecoder, bytes, templates: Object.fromEntries(pools.map((p) => [p.decoder, p.texts.length])) };
}

/** Rewrites the first hex digits of the frame's first id-like value with the frame number. */
function uniquify(text, n) {
  const tag = n.toString(16).padStart(8, "0");
  return text.replace(/("id"\s*:\s*")[0-9a-f]{8}/i, `$1${tag}`);
}

/**
 * Indexes of the frames of `decoder` that `decode` accepts, and how many it refused: a subset of
 * the mix that a third-party decoder can be timed on without paying for exceptions.
 */
export function acceptedSubset(frames, decoder, decode) {
  const indexes = [];
  let refused = 0;
  frames.forEach((frame, i) => {
    if (frame.decoder !== decoder) return;
    try {
      decode(frame.text);
      indexes.push(i);
    } catch {
      refused++;
    }
  });
  return { indexes, refused };
}
