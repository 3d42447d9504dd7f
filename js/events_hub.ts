// The decode exports of one source (built into the package when the source is).
import type { HubEvent } from "./infra_events.js";
import { decoder } from "./decode.js";
import { checkHubEvent } from "./generated/HubEvent.js";

/**
 * Decodes one Events Hub text frame (what `MessageEvent.data` holds). A frame of a channel or
 * message this SDK does not know comes back with `unknown: true` and its body as sent; so does a
 * host frame it does not know inside `HOST_CATALOG_CACHE_EVENT` or `HOST_REVERSE_PROXY_UPDATED`
 * (at `body.event`). Throws a DecodeError for anything else.
 */
export const decodeHubEvent: (text: string) => HubEvent = decoder("events-hub", checkHubEvent);
