// Node entry: Node's fetch cannot read file: URLs, so the module bytes are read from disk and
// instantiated synchronously.
import { readFileSync } from "node:fs";
import { initSync } from "./infra_events.js";

initSync({ module: readFileSync(new URL("./infra_events_bg.wasm", import.meta.url)) });

export * from "./infra_events.js";
export * from "./decoders.js";
