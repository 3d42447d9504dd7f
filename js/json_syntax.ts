// Where and why JSON.parse rejected a text. Engines word (and place) their syntax errors each in
// their own way, so a rejected frame is scanned once more here, by the JSON grammar, to say the
// same thing in every engine: "truncated" when the text ends in the middle of a value, else
// "syntax", with the 0-based offset of the offending character. Runs only for rejected frames.

export interface SyntaxFault {
  truncated: boolean;
  offset: number;
  reason: string;
}

class Fault {
  constructor(
    readonly truncated: boolean,
    readonly offset: number,
    readonly reason: string,
  ) {}
}

export function locateSyntaxError(text: string): SyntaxFault {
  let i = 0;
  const n = text.length;
  const end = (what: string): Fault => new Fault(true, n, `EOF while parsing ${what}`);
  const bad = (reason: string): Fault => new Fault(false, i, reason);
  const ws = (): void => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) i++;
      else break;
    }
  };
  const literal = (word: string): void => {
    for (let k = 0; k < word.length; k++, i++) {
      if (i >= n) throw end("a value");
      if (text[i] !== word[k]) throw bad("expected value");
    }
  };
  const digits = (): number => {
    const start = i;
    while (i < n && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
    return i - start;
  };
  // A number cut after its sign, point or exponent is an invalid number, not a cut value (as
  // serde_json, the native decoders' parser, reports it).
  const number = (): void => {
    if (text[i] === "-") i++;
    if (text[i] === "0") i++;
    else if (digits() === 0) throw bad("invalid number");
    if (text[i] === ".") {
      i++;
      if (digits() === 0) throw bad("invalid number");
    }
    if (text[i] === "e" || text[i] === "E") {
      i++;
      if (text[i] === "+" || text[i] === "-") i++;
      if (digits() === 0) throw bad("invalid number");
    }
  };
  const string = (): void => {
    i++;
    for (;;) {
      if (i >= n) throw end("a string");
      const c = text.charCodeAt(i);
      if (c === 34) {
        i++;
        return;
      }
      if (c < 32) throw bad("control character (\\u0000-\\u001F) found while parsing a string");
      if (c === 92) {
        i++;
        if (i >= n) throw end("a string");
        const e = text[i] as string;
        if (e === "u") {
          for (let k = 0; k < 4; k++) {
            i++;
            if (i >= n) throw end("a string");
            if (!/[0-9a-fA-F]/.test(text[i] as string)) throw bad("invalid escape");
          }
        } else if (!'"\\/bfnrt'.includes(e)) {
          throw bad("invalid escape");
        }
      }
      i++;
    }
  };
  const value = (): void => {
    ws();
    if (i >= n) throw end("a value");
    const c = text[i];
    if (c === "{") {
      i++;
      ws();
      if (text[i] === "}") {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (i >= n) throw end("an object");
        if (text[i] !== '"') throw bad("key must be a string");
        string();
        ws();
        if (i >= n) throw end("an object");
        if (text[i] !== ":") throw bad("expected `:`");
        i++;
        value();
        ws();
        if (i >= n) throw end("an object");
        if (text[i] === "}") {
          i++;
          return;
        }
        if (text[i] !== ",") throw bad("expected `,` or `}`");
        i++;
      }
    }
    if (c === "[") {
      i++;
      ws();
      if (text[i] === "]") {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (i >= n) throw end("a list");
        if (text[i] === "]") {
          i++;
          return;
        }
        if (text[i] !== ",") throw bad("expected `,` or `]`");
        i++;
      }
    }
    if (c === '"') return string();
    if (c === "t") return literal("true");
    if (c === "f") return literal("false");
    if (c === "n") return literal("null");
    if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) return number();
    throw bad("expected value");
  };
  try {
    value();
    ws();
    if (i < n) return { truncated: false, offset: i, reason: "trailing characters" };
    // JSON.parse rejected what this grammar accepts: say so rather than invent a place.
    return { truncated: false, offset: 0, reason: "JSON.parse rejected the text" };
  } catch (e) {
    if (e instanceof Fault) return { truncated: e.truncated, offset: e.offset, reason: e.reason };
    // Nesting deeper than the stack allows.
    return { truncated: false, offset: i, reason: "nesting too deep" };
  }
}

/** 1-based line and column (in UTF-16 code units) of an offset. */
export function lineColumn(text: string, offset: number): [number, number] {
  let line = 1;
  let start = 0;
  for (let k = 0; k < offset && k < text.length; k++) {
    if (text.charCodeAt(k) === 10) {
      line++;
      start = k + 1;
    }
  }
  return [line, offset - start + 1];
}
