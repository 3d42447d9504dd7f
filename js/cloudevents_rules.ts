// The CloudEvents 1.0 rules that are about the spec rather than about a type (the schema names
// them with `x-rules`; the types of MetalSoft's `data` are generated): required attributes set
// and non-empty, `specversion` "1.0", the String type's characters, `time` in RFC 3339,
// `dataschema` an absolute URI, `datacontenttype` a media type, `data_base64` valid and never
// beside `data`, extension names of a-z0-9 with scalar values, one `specversion` per batch.
// `null` means unset for every attribute. Checked in the order the native decoder checks them.
import { fail, invalidType, isRfc3339, up } from "./runtime.js";


// Any character that may break the String type; most strings have none and skip the walk.
const SUSPECT = /[\u0000-\u001f\u007f-\u009f\ufdd0-\ufdef\ufffe\uffff\ud800-\udfff]/;

/** The CloudEvents String type: no control characters, no noncharacters. */
function badChar(s: string): number {
  if (!SUSPECT.test(s)) return -1;
  for (const ch of s) {
    const u = ch.codePointAt(0) as number;
    // A lone surrogate, which JSON.parse keeps (serde_json refuses the text), is no character either.
    if ((u >= 0xd800 && u <= 0xdfff) || u <= 0x1f || (u >= 0x7f && u <= 0x9f) || (u >= 0xfdd0 && u <= 0xfdef) || (u & 0xfffe) === 0xfffe) return u;
  }
  return -1;
}

function stringAttribute(name: string, value: unknown): number {
  if (typeof value !== "string") return invalidType(value, "a string", name);
  if (value === "") return fail("spec", `${name} must not be an empty string`, name);
  const c = badChar(value);
  if (c >= 0) {
    const hex = c.toString(16).toUpperCase().padStart(4, "0");
    return fail("spec", `${name} holds U+${hex}, which the CloudEvents String type excludes`, name);
  }
  return 0;
}

// RFC 2045 token characters: printable ASCII but the separators ()<>@,;:\"/[]?=
// Around the essence, Unicode white space as Rust's `trim` takes it (controls are refused before).
const MEDIA_TYPE = /^[ \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[!#$%&'*+\-.0-9A-Z^_`a-z{|}~]+\/[!#$%&'*+\-.0-9A-Z^_`a-z{|}~]+[ \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:;|$)/;
const JSON_MEDIA_TYPE = /^[^/;]*\/(?:[^;]*\+)?json[ \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:;|$)/i;

/** `type/subtype` with optional parameters (RFC 2045 tokens; parameters not checked). */
export function isMediaType(s: string): boolean {
  return MEDIA_TYPE.test(s);
}

/** `*\/json` or `*\/*+json`, without parameters, regardless of case. */
export function isJsonMediaType(s: string): boolean {
  return JSON_MEDIA_TYPE.test(s);
}

/** An absolute URI (RFC 3986 §4.3): a scheme, `:`, then URI characters, `%` always encoding an octet. */
export function isAbsoluteUri(s: string): boolean {
  const colon = s.indexOf(":");
  if (colon < 1 || !/^[A-Za-z][A-Za-z0-9+.-]*$/.test(s.slice(0, colon))) return false;
  return /^(?:[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*$/.test(s.slice(colon + 1));
}

/** Why `s` is not base64 (RFC 4648 standard alphabet, padded), or null. */
export function base64Error(s: string): string | null {
  if (s.length % 4 !== 0) return "its length is not a multiple of 4";
  let padding = 0;
  while (padding < s.length && s[s.length - 1 - padding] === "=") padding++;
  if (padding > 2) return "it ends in more than two '='";
  const body = s.slice(0, s.length - padding);
  if (body.includes("=")) return "'=' appears before the end";
  if (!/^[A-Za-z0-9+/]*$/.test(body)) return "it holds a character outside the base64 alphabet";
  return null;
}

/** The context attributes and extensions of one event (the object itself is checked here too). */
export function checkCloudEventContext(v: any): number {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return invalidType(v, "a CloudEvent object");
  // Named reads, one per attribute: the engine keeps a fast path for each.
  let r = 0;
  if ((r = required("id", v.id)) !== 0) return r;
  if ((r = required("source", v.source)) !== 0) return r;
  // A specversion other than "1.0" is refused at the same place whatever else is wrong with it.
  const specversion = v.specversion;
  if (specversion !== "1.0") {
    if ((r = required("specversion", specversion)) !== 0) return r;
    return fail("spec", `specversion must be "1.0", got ${JSON.stringify(specversion)}`, "specversion");
  }
  if ((r = required("type", v.type)) !== 0) return r;
  const media = v.datacontenttype;
  if (media !== undefined && media !== null) {
    if ((r = stringAttribute("datacontenttype", media)) !== 0) return r;
    if (!isMediaType(media)) {
      return fail("spec", `datacontenttype ${JSON.stringify(media)} is not a media type (RFC 2046) such as application/json`, "datacontenttype");
    }
  }
  // The grammars of these two admit only ASCII printable characters, and an empty value fails
  // them: one test says all that the String type's checks would.
  const schema = v.dataschema;
  if (schema !== undefined && schema !== null) {
    if (typeof schema !== "string") return invalidType(schema, "a string", "dataschema");
    if (!isAbsoluteUri(schema)) return fail("spec", `dataschema ${JSON.stringify(schema)} is not an absolute URI`, "dataschema");
  }
  const subject = v.subject;
  if (subject !== undefined && subject !== null && (r = stringAttribute("subject", subject)) !== 0) return r;
  const time = v.time;
  if (time !== undefined && time !== null) {
    if (typeof time !== "string") return invalidType(time, "a string", "time");
    if (!isRfc3339(time)) return fail("spec", `time ${JSON.stringify(time)} is not an RFC 3339 timestamp`, "time");
  }
  const encoded = v.data_base64;
  if (encoded !== undefined && encoded !== null) {
    if (typeof encoded !== "string") return invalidType(encoded, "a string", "data_base64");
    if (v.data !== undefined && v.data !== null) {
      return fail("spec", "data and data_base64 are mutually exclusive; the event has both", "data_base64");
    }
    const why = base64Error(encoded);
    if (why !== null) return fail("spec", `data_base64 is not valid base64 (RFC 4648): ${why}`, "data_base64");
  }
  for (const name in v) {
    // Member names are interned by the engine: comparing them with literals is cheap.
    switch (name) {
      case "id": case "source": case "specversion": case "type": case "datacontenttype":
      case "dataschema": case "subject": case "time": case "data": case "data_base64":
        continue;
    }
    if ((r = extension(name, v[name])) !== 0) return r;
  }
  return 0;
}

function required(name: string, value: unknown): number {
  if (value === undefined || value === null) {
    return fail("shape", `missing required attribute ${name} (a null value counts as missing)`, name);
  }
  return stringAttribute(name, value);
}

function extension(name: string, value: unknown): number {
  const seg = name === "" ? '""' : name;
  if (!EXTENSION_NAME.test(name)) {
    return fail("spec", `extension attribute name ${JSON.stringify(name)} must consist of lowercase letters a-z and digits 0-9`, seg);
  }
  if (value === null || typeof value === "boolean") return 0;
  if (typeof value === "string") {
    const c = badChar(value);
    if (c < 0) return 0;
    const hex = c.toString(16).toUpperCase().padStart(4, "0");
    return fail("spec", `${name} holds U+${hex}, which the CloudEvents String type excludes`, seg);
  }
  if (typeof value === "number") {
    if (Number.isInteger(value) && value >= -2147483648 && value <= 2147483647) return 0;
    return fail("spec", `extension ${name} is the number ${value}, but a CloudEvents Integer is a signed 32-bit integer`, seg);
  }
  return fail("spec", `extension ${name} must be a string, number or boolean, not an array or object`, seg);
}

const EXTENSION_NAME = /^[a-z0-9]+$/;

/** MetalSoft's events carry JSON data: a `datacontenttype`, if set, must say JSON. */
export function checkJsonData(v: any): number {
  const media = v.datacontenttype;
  if (typeof media === "string" && !isJsonMediaType(media)) {
    return fail("spec", `MetalSoft ${v.type} events carry JSON data, but datacontenttype is ${JSON.stringify(media)}`, "datacontenttype");
  }
  return 0;
}

/** The batch rule: all events of a batch share one `specversion`. */
export function checkOneSpecversion(v: any[]): number {
  // A batch is read as a list of objects before any event in it is looked at.
  for (let i = 0; i < v.length; i++) {
    const e = v[i];
    if (e === null || typeof e !== "object" || Array.isArray(e)) return up(`[${i}]`, invalidType(e, "a CloudEvent object"));
  }
  let first: string | undefined;
  let at = 0;
  for (let i = 0; i < v.length; i++) {
    const e = v[i];
    const version = e !== null && typeof e === "object" ? e.specversion : undefined;
    if (typeof version !== "string") continue;
    if (first === undefined) {
      first = version;
      at = i;
    } else if (version !== first) {
      const reason = `all events of a batch must share one specversion: [${at}] has ${JSON.stringify(first)}, [${i}] has ${JSON.stringify(version)}`;
      return up(`[${i}]`, fail("spec", reason, "specversion"));
    }
  }
  return 0;
}
