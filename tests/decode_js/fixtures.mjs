// Shared by the decode tests. Not named *.test.mjs, so `node --test tests/decode_js/` does not
// run it as a test file of its own.
import { readFileSync } from "node:fs";

/** The text of a file under tests/fixtures/. */
export function fixture(path) {
  return readFileSync(new URL(`../fixtures/${path}`, import.meta.url), "utf8");
}

/** The documents of a JSON-lines fixture: `#` lines are commentary, blank lines spacing. */
export function frames(text) {
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
}

/** What a decoder threw; fails the test, quoting the value, if it returned instead. */
export function thrown(decode, input) {
  let value;
  try {
    value = decode(input);
  } catch (e) {
    return e;
  }
  throw new Error(`decoded, expected an error: ${JSON.stringify(value)}`);
}
