// MWS types as an app uses them. Each @ts-expect-error must stay an error.
import { decodeMwsEvent, decodeMwsEventList, isDecodeError, type MwsEvent } from "infra-events";

export function describe(event: MwsEvent): string {
  const primary = event.associatedObjects[0];
  const where = primary ? `${primary.type}/${primary.id}` : "-";
  const message: string = event.message ?? "(no message)";
  const tenant: string | undefined = event.tenant?.id;
  return `${event.eventDate} ${event.severity} ${event.eventType} ${where} ${message} ${tenant ?? ""} 0x${event.code.toString(16)}`;
}

export function page(text: string): string[] {
  try {
    const list = decodeMwsEventList(text);
    const more: boolean = list.totalCount > list.resultCount;
    return [...list.results.map(describe), more ? "…" : ""];
  } catch (e) {
    if (isDecodeError(e)) return [`${e.source} ${e.kind} at ${e.path} (${e.line}:${e.column}): ${e.reason}`];
    throw e;
  }
}

const one = decodeMwsEvent("{}");
// @ts-expect-error message may be null
export const length: number = one.message.length;
// @ts-expect-error code is a number
export const code: string = one.code;
// @ts-expect-error tenant is optional
export const tenantId: string = one.tenant.id;
// @ts-expect-error severity autocompletes the known values but is not a number
export const severity: number = one.severity;
