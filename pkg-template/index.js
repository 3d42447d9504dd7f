// Browser and bundler entry: instantiates the module once, at import, so every export is usable
// as soon as the import resolves. The .wasm is located next to this file through import.meta.url,
// which bundlers (Vite, webpack 5, esbuild with a loader) rewrite into an emitted asset.
import init, { installFrameDecoders } from "./infra_events.js";
import { frameDecoders } from "./engine.js";

await init({ module_or_path: new URL("./infra_events_bg.wasm", import.meta.url) });
// Subscriptions check their frames, and the MWS client its answers, with the same decoders the
// app can call.
installFrameDecoders(frameDecoders);

export * from "./infra_events.js";
export * from "./decoders.js";
