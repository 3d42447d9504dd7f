// Runs in headless Chromium. Loads the frames and the candidates the driver (decode.mjs) wrote
// next to this page, times them with the same loop as the Node run (rounds.js), and reports the
// median round of each to the driver through window.__bench.
import { measure } from "./rounds.js";

// Only a module's exports are known here; a missing optional one (a benchmark-only build of the
// crate that no longer exists, say) is skipped and reported instead of failing the whole run.
async function loadDecoders(spec, decoderNames) {
  const { path, suffix = "", alias } = spec;
  let module;
  try {
    module = await import(path);
  } catch (error) {
    if (spec.optional) return { skipped: `${path}: ${error.message}` };
    throw error;
  }
  const decoders = {};
  for (const d of decoderNames) {
    // A probe (alias) stands in for every decoder: it measures a cost, not a decode.
    const name = alias ?? d + suffix;
    if (typeof module[name] !== "function") {
      if (spec.optional) return { skipped: `${path} has no ${name}` };
      throw new Error(`${path} has no ${name}`);
    }
    decoders[d] = module[name];
  }
  return { decoders };
}

try {
  const frames = await (await fetch("frames.json")).json();
  const { rounds, groups: groupSpecs } = await (await fetch("candidates.json")).json();
  const groups = [];
  const skipped = {};
  for (const spec of groupSpecs) {
    const groupFrames = spec.indexes ? spec.indexes.map((i) => frames[i]) : frames;
    const decoderNames = [...new Set(groupFrames.map((f) => f.decoder))];
    const candidates = [];
    for (const [name, candidate] of Object.entries(spec.candidates)) {
      if (candidate === null) {
        candidates.push({ name, decoders: null });
        continue;
      }
      const loaded = await loadDecoders(candidate, decoderNames);
      if (loaded.skipped) skipped[`${spec.name}.${name}`] = loaded.skipped;
      else candidates.push({ name, decoders: loaded.decoders });
    }
    groups.push({ name: spec.name, frames: groupFrames, candidates });
  }
  window.__bench = { ok: true, skipped, ...measure(groups, rounds) };
} catch (error) {
  window.__bench = { ok: false, error: String(error?.stack ?? error) };
}
document.getElementById("status").textContent = "done";
