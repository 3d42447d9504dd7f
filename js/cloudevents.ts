// The decode exports of one source (built into the package when the source is).
import type { CloudEvent } from "./infra_events.js";
import { decoder } from "./decode.js";
import { checkCloudEvent } from "./generated/CloudEvent.js";
import { checkCloudEventBatch } from "./generated/CloudEventBatch.js";

/**
 * Decodes one CloudEvent in the structured JSON format. An event whose `type` is not one of
 * MetalSoft's comes back with `unknown: true` and its `data` as sent.
 */
export const decodeCloudEvent: (text: string) => CloudEvent = decoder("cloudevents", checkCloudEvent);

/** Decodes an `application/cloudevents-batch+json` body: each event as `decodeCloudEvent` would. */
export const decodeCloudEventBatch: (text: string) => CloudEvent[] = decoder("cloudevents", checkCloudEventBatch);
