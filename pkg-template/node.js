// Node entry: Node's fetch cannot read file: URLs, so the module bytes are read from disk and
// instantiated synchronously.
import { readFileSync } from "node:fs";
import { initSync, installFrameDecoders } from "./infra_events.js";
import * as decoders from "./decoders.js";

initSync({ module: readFileSync(new URL("./infra_events_bg.wasm", import.meta.url)) });
// Subscriptions check their frames, and the MWS client its answers, with the same decoders the
// app can call.
installFrameDecoders({
  "events-hub": decoders.decodeHubEvent,
  lxd: decoders.decodeLxdEvent,
  cloudevents: decoders.decodeCloudEvent,
  mws: decoders.decodeMwsEventList,
  "mws-event": decoders.decodeMwsEvent,
  "mws-error": decoders.decodeMwsError,
});

export * from "./infra_events.js";
export * from "./decoders.js";
