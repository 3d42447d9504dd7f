// Emits one TypeScript module of type guards per schema in schema/ (the JSON Schemas that
// schemars derives from the Rust model). Usage: node codegen/validators.mjs [--check]
//
// The emitted code is what runs on every frame, so it is shaped for speed: a function per
// definition, one `switch` on the wire's own tag for a tagged union (never trying members in
// turn), members read once into locals, and nothing built on the success path. Which member of a
// union keeps what this SDK does not know is marked in the schema (`x-unknown`); what a source
// does with a frame that already carries the `unknown` marker is `x-unknown-key` on the root.
//
// --check compares the emitted files with those on disk and fails when they differ (a stale
// generated file fails `npm test`).
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const schemaDir = join(root, "schema");
const outDir = join(root, "js", "generated");

// Runtime functions for `format`; a violation is a broken rule of the source, so kind "spec".
const FORMATS = {
  "date-time": ["isRfc3339", "is not an RFC 3339 date-time"],
  "mws-date": ["isMwsDate", "is not in MWS's form yyyy-MM-dd HH:mm:ss UTC"],
  uuid: ["isUuid", "is not a UUID"],
};

// Integer ranges of schemars' integer formats (u64/i64 limited by what a double holds exactly
// is not attempted: the engine has already rounded the number).
const INT_RANGES = {
  uint8: [0, 255], uint16: [0, 65535], uint32: [0, 4294967295], uint64: [0, 18446744073709551615],
  int8: [-128, 127], int16: [-32768, 32767], int32: [-2147483648, 2147483647],
  int64: [-9223372036854775808, 9223372036854775807],
  uint: [0, 18446744073709551615], int: [-9223372036854775808, 9223372036854775807],
};

const RUST_TYPE_NAMES = {
  uint8: "u8", uint16: "u16", uint32: "u32", uint64: "u64", int8: "i8", int16: "i16", int32: "i32",
  int64: "i64", uint: "usize", int: "isize",
};

class Emitter {
  constructor(name, schema, entries = new Set()) {
    this.name = name;
    this.entries = entries;
    this.schema = schema;
    this.defs = schema.$defs ?? {};
    this.functions = new Map(); // key -> { name, code }
    this.counter = 0;
    this.constants = [];
    this.usedRuntime = new Set(["fail", "up", "invalidType"]);
    this.imports = new Set();
    // Members a rule of the enclosing union has already checked (its `covers`).
    this.covered = new Set();
    // Tables that refer to functions, filled once they are all declared.
    this.lateConstants = [];
  }

  resolve(s) {
    let seen = 0;
    while (s && typeof s === "object" && typeof s.$ref === "string" && Object.keys(s).every((k) => k === "$ref" || k === "description" || k === "x-deferred")) {
      s = this.def(s.$ref);
      if (++seen > 64) throw new Error(`${this.name}: $ref cycle`);
    }
    return s;
  }

  def(ref) {
    const m = /^#\/\$defs\/(.+)$/.exec(ref);
    if (!m || !(m[1] in this.defs)) throw new Error(`${this.name}: unresolved ${ref}`);
    return this.defs[m[1]];
  }

  /** The properties a schema (with its `$ref` sibling) declares, for tag and key dispatch. */
  properties(s) {
    s = this.resolve(s);
    let props = { ...(s.properties ?? {}) };
    if (typeof s.$ref === "string") props = { ...this.properties(this.def(s.$ref)), ...props };
    return props;
  }

  required(s) {
    s = this.resolve(s);
    const req = new Set(s.required ?? []);
    if (typeof s.$ref === "string") for (const r of this.required(this.def(s.$ref))) req.add(r);
    return req;
  }

  /** The constant values a property of a union member is fixed to, or null. */
  constValues(prop) {
    const p = this.resolve(prop);
    if (p === undefined) return null;
    if ("const" in p) return [p.const];
    if (Array.isArray(p.enum) && p.enum.length === 1) return p.enum;
    return null;
  }

  /** Every tag value a member answers to, looking through its own tagged `oneOf` too. */
  memberTags(member, tag) {
    const m = this.resolve(member);
    const own = this.constValues(this.properties(m)[tag]);
    if (own) return own;
    const inner = m.oneOf ?? m.anyOf;
    if (Array.isArray(inner)) {
      const all = inner.map((x) => this.constValues(this.properties(x)[tag]));
      if (all.every(Boolean)) return all.flat();
    }
    return null;
  }

  isUnknownMember(member) {
    return this.resolve(member)["x-unknown"] === true;
  }

  /** The function validating `s`; definitions are shared, inline schemas get their own. */
  fn(s, hint) {
    if (typeof s.$ref === "string" && Object.keys(s).every((k) => k === "$ref" || k === "description" || k === "x-deferred")) {
      const ref = s.$ref;
      // A definition that is another entry point's root (a batch's event): that module's check.
      const entry = ref.slice("#/$defs/".length);
      if (this.entries.has(entry) && entry !== this.name) {
        this.imports.add(`check${entry}@generated/${entry}`);
        return `check${entry}`;
      }
      if (!this.functions.has(ref)) {
        const name = `v_${ref.slice("#/$defs/".length).replace(/[^A-Za-z0-9_]/g, "_")}`;
        this.functions.set(ref, { name, code: null });
        this.functions.get(ref).code = this.body(name, this.def(ref), ref.slice("#/$defs/".length));
      }
      return this.functions.get(ref).name;
    }
    const key = `#inline${this.counter++}`;
    const name = `v${this.counter}_${hint.replace(/[^A-Za-z0-9_]/g, "_").slice(0, 24)}`;
    this.functions.set(key, { name, code: null });
    this.functions.get(key).code = this.body(name, s, hint);
    return name;
  }

  /**
   * A check of `v` that needs no function of its own (scalars, enums, nullable scalars): the
   * statement that fails with `seg`, or null when the schema needs a function.
   */
  inline(s, v, seg, withFormat = true) {
    if (s === true || (typeof s === "object" && Object.keys(s).every((k) => k === "description"))) return "";
    s = this.resolve(s);
    if (s === true) return "";
    const segArg = seg === undefined ? "" : `, ${seg}`;
    if (typeof s.$ref === "string" || s.properties || s.oneOf || s.anyOf || s.items || s.additionalProperties || s.type === "object" || s.type === "array") {
      const nullable = this.nullableOf(s);
      if (nullable) {
        const inner = this.inline(nullable, v, seg);
        if (inner !== null) return inner === "" ? "" : `if (${v} !== null) { ${inner} }`;
        const f = this.fn(nullable, "value");
        return `if (${v} !== null && (r = ${f}(${v})) !== 0) return ${seg === undefined ? "r" : `up(${seg}, r)`};`;
      }
      return null;
    }
    const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
    const conds = [];
    const names = [];
    let scalar = null;
    for (const t of types) {
      switch (t) {
        case "string": conds.push(`typeof ${v} === "string"`); names.push("a string"); scalar = t; break;
        case "boolean": conds.push(`typeof ${v} === "boolean"`); names.push("a boolean"); break;
        case "null": conds.push(`${v} === null`); names.push("null"); break;
        case "number": conds.push(`typeof ${v} === "number"`); names.push("f64"); break;
        case "integer": {
          const [min, max] = INT_RANGES[s.format] ?? [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER];
          this.usedRuntime.add("inRange");
          conds.push(`inRange(${v}, ${min}, ${max})`);
          names.push(RUST_TYPE_NAMES[s.format] ?? "an integer");
          scalar = t;
          break;
        }
        default: return null;
      }
    }
    let code = "";
    if (conds.length > 0) {
      code += `if (!(${conds.join(" || ")})) return invalidType(${v}, ${JSON.stringify(names.join(" or "))}${segArg});`;
    }
    const values = "const" in s ? [s.const] : Array.isArray(s.enum) ? s.enum : null;
    if (values) {
      const test = values.map((x) => `${v} === ${JSON.stringify(x)}`).join(" || ");
      const expected = values.map((x) => `\`${x}\``).join(", ");
      const guard = types.includes("null") ? `${v} !== null && ` : "";
      code += ` if (${guard}!(${test})) return fail("shape", "unknown variant " + JSON.stringify(${v}) + ", expected one of ${expected.replace(/"/g, '\\"')}"${segArg});`;
    }
    if (withFormat) code += this.formatCheck(s, v, seg);
    if (s.contains) {
      const c = this.resolve(s.contains);
      if (!("const" in c)) throw new Error(`${this.name}: only contains {const} is supported`);
      code += ` if (!${v}.includes(${JSON.stringify(c.const)})) return fail("spec", ${JSON.stringify(s["x-reason"] ?? `must contain ${JSON.stringify(c.const)}`)}${segArg});`;
    }
    return code;
  }

  /** The `format` check of a scalar (a broken rule of the source: kind "spec"), or "". */
  formatCheck(s, v, seg) {
    s = this.resolve(s);
    if (s === true || typeof s.format !== "string" || !FORMATS[s.format]) return "";
    const segArg = seg === undefined ? "" : `, ${seg}`;
    const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
    const [check, words] = FORMATS[s.format];
    this.usedRuntime.add(check);
    const guard = types.length !== 1 ? `typeof ${v} === "string" && ` : "";
    return ` if (${guard}!${check}(${v})) return fail("spec", JSON.stringify(${v}) + ${JSON.stringify(` ${words}`)}${segArg});`;
  }

  /** `X | null` written as anyOf/oneOf of X and null: X, else null. */
  nullableOf(s) {
    const members = s.anyOf ?? s.oneOf;
    if (!Array.isArray(members) || members.length !== 2) return null;
    const isNull = (m) => m && typeof m === "object" && m.type === "null";
    if (isNull(members[1])) return members[0];
    if (isNull(members[0])) return members[1];
    return null;
  }

  /** A statement checking `v` (a local) against `s`; `seg` is the JS expression of its segment. */
  check(s, v, seg, hint, withFormat = true) {
    const inline = this.inline(s, v, seg, withFormat);
    if (inline !== null) return inline;
    const f = this.fn(s, hint ?? "value");
    return `if ((r = ${f}(${v})) !== 0) return ${seg === undefined ? "r" : `up(${seg}, r)`};`;
  }

  /** A boolean expression for a plain scalar schema (type and enum, no format), or null. */
  cond(s, v) {
    s = this.resolve(s);
    if (s === true) return "true";
    if (s.format && FORMATS[s.format]) return null;
    if (s.properties || s.oneOf || s.anyOf || s.items || s.$ref) return null;
    const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
    const parts = [];
    for (const t of types) {
      if (t === "string") parts.push(`typeof ${v} === "string"`);
      else if (t === "boolean") parts.push(`typeof ${v} === "boolean"`);
      else if (t === "null") parts.push(`${v} === null`);
      else if (t === "number") parts.push(`typeof ${v} === "number"`);
      else if (t === "integer") {
        const [min, max] = INT_RANGES[s.format] ?? [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER];
        this.usedRuntime.add("inRange");
        parts.push(`inRange(${v}, ${min}, ${max})`);
      } else return null;
    }
    if (parts.length === 0) return null;
    return `(${parts.join(" || ")})`;
  }

  body(name, s, label) {
    const lines = [];
    s = s === true ? {} : s;
    const nullable = this.nullableOf(s);
    if (nullable) {
      lines.push(`if (v === null) return 0;`);
      lines.push(this.check(nullable, "v", undefined, label));
      lines.push(`return 0;`);
      return this.wrap(name, lines);
    }
    if (Array.isArray(s.type) && s.type.includes("null") && s.type.some((t) => t === "array" || t === "object")) {
      const rest = s.type.filter((t) => t !== "null");
      if (rest.length !== 1) throw new Error(`${this.name}: ${label}: mixed types ${s.type}`);
      lines.push(`if (v === null) return 0;`);
      s = { ...s, type: rest[0] };
    }
    const isObjectSchema = s.type === "object" || s.properties || s.additionalProperties !== undefined;
    const union = s.oneOf ?? s.anyOf;
    if (!isObjectSchema && Array.isArray(union)) {
      lines.push(...this.union(union, label, s));
      return this.wrap(name, lines);
    }
    if (s.type === "array") {
      lines.push(`if (!Array.isArray(v)) return invalidType(v, "a sequence");`);
      for (const rule of s["x-rules"] ?? []) lines.push(this.rule(rule));
      if (s.items !== undefined && s.items !== true) {
        lines.push(`for (let i = 0; i < v.length; i++) { const e = v[i]; ${this.check(s.items, "e", '"[" + i + "]"', `${label}_item`)} }`);
      }
      if (s.contains) {
        const c = this.resolve(s.contains);
        if (!("const" in c)) throw new Error(`${this.name}: only contains {const} is supported`);
        lines.push(`if (!v.includes(${JSON.stringify(c.const)})) return fail("spec", ${JSON.stringify(s["x-reason"] ?? `must contain ${JSON.stringify(c.const)}`)});`);
      }
      lines.push(`return 0;`);
      return this.wrap(name, lines);
    }
    if (isObjectSchema) {
      lines.push(...this.object(s, label));
      return this.wrap(name, lines);
    }
    // A scalar definition (an enum, a string with a format).
    const inline = this.inline(s, "v", undefined);
    if (inline === null) throw new Error(`${this.name}: cannot compile ${label}: ${JSON.stringify(s).slice(0, 200)}`);
    lines.push(inline, "return 0;");
    return this.wrap(name, lines);
  }

  wrap(name, lines) {
    return `function ${name}(v: any): number {\n  let r = 0;\n  ${lines.filter(Boolean).join("\n  ")}\n}`;
  }

  object(s, label) {
    const lines = [];
    // A member reached through its union's switch is the object the union already checked.
    if (s["x-tag-matched"] === undefined) {
      lines.push(`if (v === null || typeof v !== "object" || Array.isArray(v)) return invalidType(v, ${JSON.stringify(`struct ${label}`)});`);
    }
    const unknownMember = s["x-unknown"] === true;
    if (typeof s.$ref === "string") {
      const f = this.fn({ $ref: s.$ref }, label);
      lines.push(`if ((r = ${f}(v)) !== 0) return r;`);
    }
    // The order serde's decoders report in: wrong types in the members first, a missing member
    // after them, then the rules of this level (formats, then x-rules), then what is read after
    // those (`x-deferred` members, the flattened union, the extension map).
    const required = new Set(s.required ?? []);
    const props = Object.entries(s.properties ?? {}).filter(
      ([key]) => !(unknownMember && key === "unknown") && !this.covered.has(key) && key !== s["x-tag-matched"],
    );
    const later = [];
    const formats = [];
    let anyRequired = false;
    props.forEach(([key, prop], i) => {
      const local = `p${i}`;
      const seg = JSON.stringify(key);
      const deferred = this.resolve(prop)?.["x-deferred"] === true || prop?.["x-deferred"] === true;
      const missing = required.has(key);
      if (deferred) {
        // Only its presence (and, for a list, that it is one) is read with the other members.
        const check = this.check(prop, local, seg, `${label}_${key}`);
        const r = this.resolve(prop);
        const isList = r?.type === "array" ? `if (!Array.isArray(${local})) return invalidType(${local}, "a sequence", ${seg});` : "";
        lines.push(`const ${local} = v[${seg}];`);
        if (missing) {
          if (!anyRequired) lines.push(`let missing = "";`);
          anyRequired = true;
          lines.push(`if (${local} === undefined) { if (missing === "") missing = ${seg}; }${isList ? ` else { ${isList} }` : ""}`);
        } else if (isList) {
          lines.push(`if (${local} !== undefined) { ${isList} }`);
        }
        if (check) later.push(`if (${local} !== undefined) { ${check} }`);
        return;
      }
      // A list's `contains` is a rule of the object holding it: judged after every member's shape.
      const resolved = this.resolve(prop);
      const contains = resolved && typeof resolved === "object" && resolved.contains ? resolved : null;
      const shapeOnly = contains ? Object.fromEntries(Object.entries(contains).filter(([k]) => k !== "contains")) : prop;
      const check = this.check(shapeOnly, local, seg, `${label}_${key}`, false);
      let format = this.formatCheck(prop, local, seg);
      if (contains) {
        const c = this.resolve(contains.contains);
        const reason = contains["x-reason"] ?? `must contain ${JSON.stringify(c.const)}`;
        format += ` if (!${local}.includes(${JSON.stringify(c.const)})) return fail("spec", ${JSON.stringify(reason)}, ${seg});`;
      }
      if (check === "" && !missing && format === "") return;
      lines.push(`const ${local} = v[${seg}];`);
      if (missing) {
        if (!anyRequired) lines.push(`let missing = "";`);
        anyRequired = true;
        lines.push(`if (${local} === undefined) { if (missing === "") missing = ${seg}; }${check ? ` else { ${check} }` : ""}`);
      } else if (check) {
        lines.push(`if (${local} !== undefined) { ${check} }`);
      }
      if (format) formats.push(missing ? format : `if (${local} !== undefined) { ${format} }`);
    });
    // The tag of a flattened union is a member like the others (the decoders read it with them).
    const flat = s.oneOf ?? s.anyOf;
    const flatTag = Array.isArray(flat) && (s.type === "object" || s.properties) ? this.findTag(flat.filter((m) => !this.isUnknownMember(m))) : null;
    if (flatTag && !(flatTag in (s.properties ?? {}))) {
      const t = JSON.stringify(flatTag);
      if (!anyRequired) lines.push(`let missing = "";`);
      anyRequired = true;
      lines.push(`const tag = v[${t}];`);
      if (!this.covered.has(flatTag)) {
        lines.push(`if (tag === undefined) { if (missing === "") missing = ${t}; } else if (typeof tag !== "string") return invalidType(tag, "a string", ${t});`);
      }
      this.tagLoaded = flatTag;
    }
    if (anyRequired) lines.push(`if (missing !== "") return fail("shape", "missing field \`" + missing + "\`");`);
    lines.push(...formats);
    for (const rule of s["x-rules"] ?? []) lines.push(this.rule(rule));
    lines.push(...later);
    const union = s.oneOf ?? s.anyOf;
    const extra = s.unevaluatedProperties ?? s.additionalProperties;
    // The members no declared property takes (CloudEvents extensions), before the flattened union
    // is dispatched: a union member returns from this function.
    if (extra !== undefined && extra !== true && extra !== false && !this.covered.has("*")) {
      const known = new Set(Object.keys(s.properties ?? {}));
      for (const m of union ?? []) for (const k of Object.keys(this.properties(m))) known.add(k);
      let skip = "";
      if (known.size > 0) {
        const set = `K${this.constants.length}`;
        this.constants.push(`const ${set} = new Set<string>(${JSON.stringify([...known])});`);
        skip = `if (${set}.has(k)) continue; `;
      }
      lines.push(`for (const k in v) { ${skip}const e = v[k]; ${this.check(extra, "e", "k", `${label}_value`)} }`);
    }
    if (Array.isArray(union)) {
      lines.push(...this.union(union, label, s, true, this.tagLoaded === undefined ? null : this.tagLoaded));
      this.tagLoaded = undefined;
    }
    lines.push("return 0;");
    return lines;
  }

  /** A rule across members that a type cannot say (`x-rules`): always a broken rule, kind "spec". */
  rule(rule) {
    const get = (path) => `v${path.map((p) => `?.[${JSON.stringify(p)}]`).join("")}`;
    switch (rule.rule) {
      case "present":
        return rule.fields
          .map((f) => `if (v[${JSON.stringify(f)}] === undefined) return fail("spec", ${JSON.stringify(rule.reason ?? `${f} is required here`)}, ${JSON.stringify(f)});`)
          .join("\n  ");
      case "absent":
        return rule.fields
          .map((f) => `if (v[${JSON.stringify(f)}] !== undefined) return fail("spec", ${JSON.stringify(rule.reason ?? `${f} may not appear`)}, ${JSON.stringify(f)});`)
          .join("\n  ");
      case "equal":
        return `if (${get(rule.field)} !== ${get(rule.to)}) return fail("spec", ${JSON.stringify(rule.reason)}, ${JSON.stringify(rule.field.join("."))});`;
      case "length":
        return `if (v[${JSON.stringify(rule.field)}] !== v[${JSON.stringify(rule.of)}].length) return fail("spec", ${JSON.stringify(rule.reason)}, ${JSON.stringify(rule.field)});`;
      case "atLeast":
        return `if (v[${JSON.stringify(rule.field)}] < v[${JSON.stringify(rule.than)}]) return fail("spec", ${JSON.stringify(rule.reason)}, ${JSON.stringify(rule.field)});`;
      case "call": {
        // A rule of the source's specification, written once in js/<from>.ts.
        this.imports.add(`${rule.fn}@${rule.from}`);
        return `if ((r = ${rule.fn}(v)) !== 0) return r;`;
      }
      case "codeOf": {
        const table = `T${this.constants.length}`;
        this.constants.push(`const ${table}: Record<string, number> = ${JSON.stringify(rule.table)};`);
        const key = JSON.stringify(rule.key);
        const field = JSON.stringify(rule.field);
        return `if (Object.hasOwn(${table}, v[${key}]) && ${table}[v[${key}]] !== v[${field}]) return fail("spec", ${JSON.stringify(rule.reason)}, ${field});`;
      }
      default:
        throw new Error(`${this.name}: unknown rule ${JSON.stringify(rule)}`);
    }
  }

  /**
   * A union. Tagged (every member but the unknown one fixes the same member to constants): one
   * `switch`. Otherwise by JSON type, or for objects by the keys only one member has.
   * `within`: the union is flattened into an object already checked as such.
   */
  union(members, label, s, within = false, loadedTag = null) {
    const outer = this.covered;
    try {
      return this.unionBody(members, label, s, within, loadedTag);
    } finally {
      this.covered = outer;
    }
  }

  unionBody(members, label, s, within, loadedTag) {
    const lines = [];
    const unknown = members.find((m) => this.isUnknownMember(m));
    const known = members.filter((m) => m !== unknown);
    if (!within) for (const rule of s["x-rules"] ?? []) lines.push(this.rule(rule));
    const tag = this.findTag(known);
    const unknownKey = s["x-unknown-key"];
    if (unknownKey === "forbid") {
      lines.push(`if (v !== null && typeof v === "object" && v.unknown !== undefined) return fail("spec", "\`unknown\` is the SDK's marker for unknown frames; a frame may not carry it", "unknown");`);
    }
    const covers = (s["x-rules"] ?? []).flatMap((rule) => rule.covers ?? []);
    if (!within && covers.length > 0) this.covered = new Set([...this.covered, ...covers]);
    const fallback = unknown ? this.fn(unknown, `${label}_unknown`) : null;
    const orUnknown = fallback
      ? `{ if (r === 2) { r = ${fallback}(v); if (r === 0) v.unknown = true; } return r; }`
      : `return r;`;
    if (unknownKey === "untyped" && fallback) {
      lines.push(`if (v !== null && typeof v === "object" && !Array.isArray(v) && "unknown" in v) { r = ${fallback}(v); if (r === 0) v.unknown = true; return r; }`);
    }
    if (tag) {
      if (!within) lines.push(`if (v === null || typeof v !== "object" || Array.isArray(v)) return invalidType(v, ${JSON.stringify(`struct ${label}`)});`);
      // The object around a flattened union has read (and checked) the tag with its members.
      const read = loadedTag === tag ? "tag" : `v[${JSON.stringify(tag)}]`;
      if (!fallback && loadedTag !== tag) {
        // No member keeps an unknown tag: a missing or mistyped tag is the frame's fault.
        const t = JSON.stringify(tag);
        lines.push(`if (v[${t}] === undefined) return fail("shape", ${JSON.stringify(`missing field \`${tag}\``)});`);
        lines.push(`if (typeof v[${t}] !== "string") return invalidType(v[${t}], "a string", ${t});`);
      }
      const cases = known.map((m) => {
        const values = this.memberTags(m, tag);
        // An inline member is only reached through this switch: its tag is known to match.
        const member = typeof m.$ref === "string" ? m : { ...m, "x-tag-matched": tag };
        return { values, f: this.fn(member, `${label}_${values[0]}`) };
      });
      const tagCount = cases.reduce((n, c) => n + c.values.length, 0);
      if (tagCount > 12) {
        // Many tags: one hash lookup instead of a chain of string comparisons.
        const table = `D${this.constants.length}`;
        const entries = cases.flatMap((c) => c.values.map((x) => `[${JSON.stringify(x)}, ${c.f}]`));
        this.constants.push(`let ${table}: Map<unknown, (v: any) => number>;`);
        this.lateConstants.push(`${table} = new Map<unknown, (v: any) => number>([${entries.join(", ")}]);`);
        lines.push(`const f = ${table}.get(${read});`);
        lines.push(`if (f !== undefined) { r = f(v); ${fallback ? orUnknown : "return r;"} }`);
        lines.push(`{`);
      } else {
        lines.push(`switch (${read}) {`);
        for (const c of cases) {
          lines.push(`  ${c.values.map((x) => `case ${JSON.stringify(x)}:`).join(" ")} r = ${c.f}(v); ${fallback ? orUnknown : "return r;"}`);
        }
      }
      if (fallback && s["x-closed-tag"]) {
        // Only the listed tags may appear; the unknown member keeps what they carry that is new.
        const expected = known.map((m) => this.memberTags(m, tag)).flat().join(", ");
        // The envelope's shape is judged before the tag's value, as the decoder reads it first.
        this.usedRuntime.add("failure");
        lines.push(`  default: r = ${fallback}(v); if (r !== 0 && failure.kind === "shape") return r; return fail("spec", "expected ${tag} ${expected}, got " + JSON.stringify(v[${JSON.stringify(tag)}]), ${JSON.stringify(tag)});`);
      } else if (fallback) lines.push(`  default: r = ${fallback}(v); if (r === 0) v.unknown = true; return r;`);
      else lines.push(`  default: return noMatch("unknown variant " + JSON.stringify(${read}) + " of ${label}");`);
      this.usedRuntime.add("noMatch");
      lines.push(`}`);
      if (tagCount > 12) {
        // No switch around the table: what the default case did is the block's body.
        return lines.map((l) => (l.startsWith("  default: ") ? `  ${l.slice("  default: ".length)}` : l));
      }
      return lines;
    }
    if (fallback) throw new Error(`${this.name}: ${label}: an unknown member needs a tag`);
    // Scalars by JSON type, in the members' order.
    const conds = known.map((m) => this.cond(m, "v"));
    if (conds.every(Boolean)) {
      lines.push(`if (${conds.join(" || ")}) return 0;`);
      lines.push(`return fail("shape", ${JSON.stringify(`data did not match any variant of untagged enum ${label}`)});`);
      return lines;
    }
    // Objects: the first member one of whose own keys is present, else the last.
    const keysOf = known.map((m) => Object.keys(this.properties(m)));
    const unique = keysOf.map((keys, i) => keys.filter((k) => keysOf.every((other, j) => j === i || !other.includes(k))));
    lines.push(`if (v === null || typeof v !== "object" || Array.isArray(v)) return invalidType(v, ${JSON.stringify(`struct ${label}`)});`);
    known.forEach((m, i) => {
      const f = this.fn(m, `${label}_${i}`);
      if (i === known.length - 1) lines.push(`return ${f}(v);`);
      else if (unique[i].length > 0) lines.push(`if (${unique[i].map((k) => `v[${JSON.stringify(k)}] !== undefined`).join(" || ")}) return ${f}(v);`);
    });
    return lines;
  }

  findTag(known) {
    if (known.length === 0) return null;
    const candidates = Object.keys(this.properties(known[0]));
    const inner = this.resolve(known[0]).oneOf ?? [];
    for (const m of inner) candidates.push(...Object.keys(this.properties(m)));
    for (const tag of candidates) {
      const all = known.map((m) => this.memberTags(m, tag));
      if (all.every(Boolean) && new Set(all.flat()).size === all.flat().length) return tag;
    }
    return null;
  }

  emit(typeName) {
    const entry = this.fn(this.schema, typeName);
    const functions = [...this.functions.values()].map((f) => f.code).join("\n\n");
    const runtime = [...this.usedRuntime].sort().join(", ");
    const byModule = new Map();
    for (const item of [...this.imports].sort()) {
      const [fn, from] = item.split("@");
      byModule.set(from, [...(byModule.get(from) ?? []), fn]);
    }
    const ruleImports = [...byModule]
      .map(([from, fns]) => `import { ${fns.join(", ")} } from "${from.startsWith("generated/") ? `./${from.slice("generated/".length)}` : `../${from}`}.js";\n`)
      .join("");
    return `// Generated by codegen/validators.mjs from schema/${this.name}.json: do not edit.
/* eslint-disable */
import type { ${typeName.replace(/\[\]$/, "")} } from "../infra_events.js";
import { ${runtime} } from "../runtime.js";
${ruleImports}
${this.constants.join("\n")}

${functions}

${this.lateConstants.join("\n")}

/** Validates a value built by JSON.parse as a ${typeName}: 0 when it is one (unknown parts marked \`unknown: true\`), else the failure is in \`failure\`. */
export function check${this.name}(v: unknown): number {
  const r = ${entry}(v);
  return r === 2 ? 1 : r;
}

/** Narrows a value built by JSON.parse to ${typeName} (marking unknown parts \`unknown: true\`). */
export function is${this.name}(v: unknown): v is ${typeName} {
  return check${this.name}(v) === 0;
}
`;
  }
}

const check = process.argv.includes("--check");
let stale = 0;
mkdirSync(outDir, { recursive: true });
const schemaFiles = readdirSync(schemaDir).filter((f) => f.endsWith(".json")).sort();
const entries = new Set(schemaFiles.map((f) => f.replace(/\.json$/, "")));
for (const file of schemaFiles) {
  const name = file.replace(/\.json$/, "");
  const schema = JSON.parse(readFileSync(join(schemaDir, file), "utf8"));
  const typeName = schema["x-type"] ?? name;
  const code = new Emitter(name, schema, entries).emit(typeName);
  const out = join(outDir, `${name}.ts`);
  if (check) {
    if (!existsSync(out) || readFileSync(out, "utf8") !== code) {
      console.error(`validators: js/generated/${name}.ts is stale: run \`npm run codegen\``);
      stale++;
    }
  } else {
    writeFileSync(out, code);
  }
}
if (check && stale > 0) process.exit(1);
