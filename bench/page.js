// Runs in headless Chromium. Decodes the same frames through each candidate and through bare
// JSON.parse, alternating rounds so all candidates see the same machine state, and reports the
// median round of each to the driver through window.__bench.
const frames = await (await fetch("frames.json")).json();
const candidates = [{ name: "json_parse", decoders: null }];
// Each candidate is a module whose exports are the decoders, named as in the frames plus a suffix.
const decoderNames = [...new Set(frames.map((f) => f.decoder))];
for (const [name, { path, suffix, alias }] of Object.entries(await (await fetch("candidates.json")).json())) {
  const module = await import(path);
  const decoders = {};
  for (const d of decoderNames) {
    // A probe (alias) stands in for every decoder: it measures a cost, not a decode.
    decoders[d] = alias ? module[alias] : module[d + suffix];
    if (typeof decoders[d] !== "function") throw new Error(`${path} has no ${alias ?? d + suffix}`);
  }
  candidates.push({ name, decoders });
}

function round(decoders) {
  let kept = 0;
  const start = performance.now();
  if (decoders === null) {
    for (const frame of frames) if (JSON.parse(frame.text) !== null) kept++;
  } else {
    for (const frame of frames) if (decoders[frame.decoder](frame.text) !== null) kept++;
  }
  const ms = performance.now() - start;
  if (kept !== frames.length) throw new Error(`only ${kept} of ${frames.length} frames decoded`);
  return ms;
}

const ROUNDS = 7;
const times = Object.fromEntries(candidates.map((c) => [c.name, []]));
try {
  for (const c of candidates) round(c.decoders); // warm-up: JIT and wasm tiering
  for (let r = 0; r < ROUNDS; r++) {
    for (const c of candidates) times[c.name].push(round(c.decoders));
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  window.__bench = { ok: true, medianMs: Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)])), times };
} catch (error) {
  window.__bench = { ok: false, error: String(error?.stack ?? error) };
}
document.getElementById("status").textContent = "done";
