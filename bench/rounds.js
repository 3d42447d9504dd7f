// The measuring loop of the decode benchmark, shared by the Chromium page and the Node run so
// that both environments time exactly the same code. No Node or DOM APIs here.
//
// groups: [{ name, frames: [{ decoder, text }], candidates: [{ name, decoders }] }], where
// `decoders` maps a frame's decoder name to a function of the text, or is null for bare
// JSON.parse (inlined, so the baseline pays no indirect call).
//
// Every candidate of every group runs once per round, in the same order each round, so all of
// them see the same machine state; the median round is what counts, which is what makes a 2-core
// machine shared with other work usable at all.

function once(frames, decoders) {
  let kept = 0;
  let failed = 0;
  const start = performance.now();
  if (decoders === null) {
    for (let i = 0; i < frames.length; i++) if (JSON.parse(frames[i].text) !== null) kept++;
  } else {
    // Frames a candidate rejects are counted, not fatal: a schema still being written may refuse
    // frames the package accepts, and a throw in the middle would lose the whole measure. The
    // try is in every non-baseline candidate's loop, so they pay for it alike.
    for (let i = 0; i < frames.length; i++) {
      const frame = frames[i];
      try {
        if (decoders[frame.decoder](frame.text) !== null) kept++;
      } catch {
        failed++;
      }
    }
  }
  const ms = performance.now() - start;
  if (kept + failed !== frames.length) throw new Error(`${frames.length - kept - failed} frames decoded to null`);
  return { ms, failed };
}

export function measure(groups, rounds) {
  const key = (g, c) => `${g.name}.${c.name}`;
  const times = {};
  const rejected = {};
  for (const g of groups) {
    for (const c of g.candidates) {
      times[key(g, c)] = [];
      // Warm-up: JIT and wasm tiering, outside the figures.
      rejected[key(g, c)] = once(g.frames, c.decoders).failed;
    }
  }
  for (let r = 0; r < rounds; r++) {
    for (const g of groups) for (const c of g.candidates) times[key(g, c)].push(once(g.frames, c.decoders).ms);
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return {
    medianMs: Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)])),
    times,
    rejected,
  };
}
