// Browser and bundler entry: instantiates the module once, at import, so every export is usable
// as soon as the import resolves. The .wasm is located next to this file through import.meta.url,
// which bundlers (Vite, webpack 5, esbuild with a loader) rewrite into an emitted asset.
import init from "./infra_events.js";

await init({ module_or_path: new URL("./infra_events_bg.wasm", import.meta.url) });

export * from "./infra_events.js";
export * from "./decoders.js";
