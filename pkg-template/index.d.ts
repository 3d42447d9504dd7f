// Both entries (browser and Node) expose the same API, already initialised.
export * from "./infra_events.js";
export * from "./decoders.js";
