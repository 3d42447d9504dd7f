// What every decode export shares: the engine's JSON.parse builds the object, a validator
// generated from the Rust model (js/generated/, from schema/) checks it in place. The object
// handed back is the wire's own (names, values, members the model does not know), with
// `unknown: true` on what this SDK does not type. Anything else throws a DecodeError.
import type { DecodeError, DecodeErrorKind, DecodeSource } from "./infra_events.js";
import { lineColumn, locateSyntaxError } from "./json_syntax.js";
import { failure, pathText } from "./runtime.js";

/** How many characters of the input an error quotes. */
const INPUT_HEAD_CHARS = 64;

const KIND_WORDS: Record<DecodeErrorKind, string> = { syntax: "Syntax", truncated: "Truncated", shape: "Shape", spec: "Spec" };

function head(text: string): string {
  // By code point, so a character outside the BMP is never cut in half.
  let out = "";
  let count = 0;
  for (const ch of text) {
    if (count++ === INPUT_HEAD_CHARS) break;
    out += ch;
  }
  return out;
}

/** A real Error (with a stack) named "DecodeError", carrying the DecodeError fields. */
export function decodeError(fields: DecodeError): Error & DecodeError {
  let message = `${fields.source} frame rejected (${KIND_WORDS[fields.kind]}): ${fields.reason}`;
  if (fields.path !== "") message += ` at ${fields.path}`;
  if (fields.line > 0) message += ` (line ${fields.line}, column ${fields.column})`;
  message += `; input starts ${JSON.stringify(fields.inputHead)}`;
  const error = new Error(message) as Error & DecodeError;
  error.name = "DecodeError";
  return Object.assign(error, fields);
}

/** True for the errors the decoders throw. */
export function isDecodeError(value: unknown): value is Error & DecodeError {
  return value instanceof Error && value.name === "DecodeError";
}

/** JSON.parse, with a rejection turned into a DecodeError of kind "syntax" or "truncated". */
export function parseFrame(source: DecodeSource, text: unknown): unknown {
  if (typeof text !== "string") {
    throw decodeError({
      source, kind: "syntax", path: "", line: 0, column: 0, inputHead: "",
      reason: `expected the frame as a string, got a value of type ${text === null ? "null" : typeof text}`,
    });
  }
  try {
    return JSON.parse(text);
  } catch {
    const fault = locateSyntaxError(text);
    const [line, column] = lineColumn(text, fault.offset);
    throw decodeError({
      source, kind: fault.truncated ? "truncated" : "syntax", reason: fault.reason,
      path: "", line, column, inputHead: head(text),
    });
  }
}

/** The DecodeError of the validation that just failed. */
export function shapeError(source: DecodeSource, text: string): Error & DecodeError {
  return decodeError({
    source, kind: failure.kind, reason: failure.reason, path: pathText(failure.path),
    line: 0, column: 0, inputHead: head(text),
  });
}

export function decoder<T>(source: DecodeSource, check: (value: unknown) => number): (text: string) => T {
  return (text: string): T => {
    const value = parseFrame(source, text);
    if (check(value) !== 0) throw shapeError(source, text);
    return value as T;
  };
}
