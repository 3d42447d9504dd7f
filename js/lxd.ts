// The decode exports of one source (built into the package when the source is).
import type { LxdEvent } from "./infra_events.js";
import { decoder } from "./decode.js";
import { checkLxdEvent } from "./generated/LxdEvent.js";

/**
 * Decodes one frame of LXD / Incus `/1.0/events`. A frame of a `type` this SDK does not know, or
 * a lifecycle frame of an unknown `action`, comes back with `unknown: true`.
 */
export const decodeLxdEvent: (text: string) => LxdEvent = decoder("lxd", checkLxdEvent);
