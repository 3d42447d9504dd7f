// What every generated validator shares: the failure record, the value descriptions used in
// reasons, and the formats the schemas name. Written once here; the validators themselves are
// generated from schema/*.json by codegen/validators.mjs and never edited by hand.
//
// Validators run on the success path of every frame, so nothing here allocates until something
// fails: a validator returns 0 (valid), 1 (invalid) or 2 (a tag this SDK does not know, which a
// union with an unknown member turns into that member), and the failure's path is built on the
// way back up, one segment per level, in reverse.

export type FailureKind = "shape" | "spec";

/** The one failure of the validation in progress (validators stop at the first). */
export const failure = {
  kind: "shape" as FailureKind,
  reason: "",
  /** Path segments, innermost first: `name` for a member, `[i]` for an element. */
  path: [] as string[],
};

/** Records a failure at the value being checked (`seg` names its member or element, if any). */
export function fail(kind: FailureKind, reason: string, seg?: string): number {
  failure.kind = kind;
  failure.reason = reason;
  failure.path.length = 0;
  if (seg !== undefined) failure.path.push(seg);
  return 1;
}

/** Like `fail`, but says that no member of a tagged union has this tag. */
export function noMatch(reason: string): number {
  fail("shape", reason);
  return 2;
}

/** Passes a failure of a member or element up to its container, adding its segment. */
export function up(seg: string, result: number): number {
  failure.path.push(seg);
  return result;
}

/** `body.new_vm.State`, `[3].time`, `results[2].eventDate`: the wire's own names, as serde's paths. */
export function pathText(segments: readonly string[]): string {
  let text = "";
  for (let i = segments.length - 1; i >= 0; i--) {
    const seg = segments[i] as string;
    text += text === "" || seg.startsWith("[") ? seg : `.${seg}`;
  }
  return text;
}

/** The value as a reason names it: its JSON type, and the value itself when it is short. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a sequence";
  switch (typeof value) {
    case "string":
      return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
    case "number":
      return Number.isInteger(value) ? `integer \`${value}\`` : `floating point \`${value}\``;
    case "boolean":
      return `boolean \`${value}\``;
    case "object":
      return "a map";
    default:
      return typeof value;
  }
}

export function invalidType(value: unknown, expected: string, seg?: string): number {
  return fail("shape", `invalid type: ${describe(value)}, expected ${expected}`, seg);
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Integer ranges of the model's integer types, by the schema's `format`. */
export function inRange(value: unknown, min: number, max: number): boolean {
  return typeof value === "number" && Number.isInteger(value) && value >= min && value <= max;
}

// ---- formats ----------------------------------------------------------------------------------

function digitsAt(s: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const c = s.charCodeAt(i) - 48;
    if (!(c >= 0 && c <= 9)) return -1;
    v = v * 10 + c;
  }
  return v;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

// The grammar first (compiled to native code by the engine, no allocation), then the ranges.
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;

function two(s: string, at: number): number {
  return (s.charCodeAt(at) - 48) * 10 + (s.charCodeAt(at + 1) - 48);
}

/** RFC 3339 `date-time`, with real calendar days, a leap second, and any number of fraction digits. */
export function isRfc3339(s: string): boolean {
  if (!RFC3339.test(s)) return false;
  const year = two(s, 0) * 100 + two(s, 2);
  const month = two(s, 5);
  const day = two(s, 8);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return false;
  if (two(s, 11) > 23 || two(s, 14) > 59 || two(s, 17) > 60) return false;
  const n = s.length;
  // A numeric offset ends the text as `±HH:MM`.
  return s.charCodeAt(n - 3) !== 58 || (two(s, n - 5) <= 23 && two(s, n - 2) <= 59);
}

/** MWS's `yyyy-MM-dd HH:mm:ss UTC`, with plausible field ranges. */
export function isMwsDate(s: string): boolean {
  if (s.length !== 23 || !s.endsWith(" UTC")) return false;
  if (s[4] !== "-" || s[7] !== "-" || s[10] !== " " || s[13] !== ":" || s[16] !== ":") return false;
  const year = digitsAt(s, 0, 4);
  const month = digitsAt(s, 5, 2);
  const day = digitsAt(s, 8, 2);
  const hour = digitsAt(s, 11, 2);
  const minute = digitsAt(s, 14, 2);
  const second = digitsAt(s, 17, 2);
  return (
    year >= 0 && month >= 1 && month <= 12 && day >= 1 && day <= 31 &&
    hour >= 0 && hour < 24 && minute >= 0 && minute < 60 && second >= 0 && second < 61
  );
}

/** `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, hex digits of either case. */
export function isUuid(s: string): boolean {
  if (s.length !== 36) return false;
  for (let i = 0; i < 36; i++) {
    const c = s.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 45) return false;
    } else if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102))) {
      return false;
    }
  }
  return true;
}

/** The formats a schema may name, with the words of the reason a violation gives. */
export const formats: Record<string, [(s: string) => boolean, string]> = {
  "date-time": [isRfc3339, "is not an RFC 3339 date-time"],
  "mws-date": [isMwsDate, "is not in MWS's form yyyy-MM-dd HH:mm:ss UTC"],
  uuid: [isUuid, "is not a UUID"],
};
