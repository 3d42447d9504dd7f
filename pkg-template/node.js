// Node entry: Node's fetch cannot read file: URLs, so the module bytes are read from disk and
// instantiated synchronously.
import { readFileSync } from "node:fs";
import { initSync, installFrameDecoders } from "./infra_events.js";
import { frameDecoders } from "./engine.js";

initSync({ module: readFileSync(new URL("./infra_events_bg.wasm", import.meta.url)) });
// Subscriptions check their frames, and the MWS client its answers, with the same decoders the
// app can call.
installFrameDecoders(frameDecoders);

export * from "./infra_events.js";
export * from "./decoders.js";
