// The decode exports of one source (built into the package when the source is).
import type { MwsErrorBody, MwsEvent, MwsEventList } from "./infra_events.js";
import { decoder } from "./decode.js";
import { checkMwsEvent } from "./generated/MwsEvent.js";
import { checkMwsErrorBody } from "./generated/MwsErrorBody.js";
import { checkMwsEventList } from "./generated/MwsEventList.js";

/** Decodes one MWS event (the body of `GET /rest/events/<id>?api-version=3`). */
export const decodeMwsEvent: (text: string) => MwsEvent = decoder("mws", checkMwsEvent);

/** Decodes a page of MWS events (the body of `GET /rest/events?api-version=3`). */
export const decodeMwsEventList: (text: string) => MwsEventList = decoder("mws", checkMwsEventList);

/** Decodes an MWS error body (`{"messages": […]}`, status 400 and above). */
export const decodeMwsError: (text: string) => MwsErrorBody = decoder("mws", checkMwsErrorBody);
