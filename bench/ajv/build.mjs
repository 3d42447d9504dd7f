// Builds the ajv comparison point for the decode benchmark: each JSON Schema of the Rust model
// compiled by ajv's standalone code generation into target/bench/ajv/<Name>.js, an entry whose
// decodeX(text) is JSON.parse then the validator (the same names as the package's decoders, so the
// benchmark can swap one for the other), and a minified Vite library build of that entry, which is
// both what the benchmark loads and what the size below measures: a fair stand-in for what an app
// would ship. Prints `validator_gzip_bytes_ajv: N` and `validator_gzip_bytes_ajv_one_source: N`.
//
// Schemas come from schema/ when the repository has it, else from the schema probe's /tmp output;
// when neither exists the probe is run.
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import Ajv2020 from "ajv/dist/2020.js";
import standaloneCode from "ajv/dist/standalone/index.js";
import ajvCore from "ajv";
import { build as viteBuild } from "vite";
import { root, run } from "../../scripts/lib.mjs";
import formats from "./formats.mjs";

const { Name } = ajvCore;
const out = `${root}/target/bench/ajv`;
const NAMES = ["HubEvent", "LxdEvent", "CloudEvent", "CloudEventBatch", "MwsEvent", "MwsEventList"];
// The one-source package is the Events Hub alone, so its ajv counterpart is too.
const ONE_SOURCE = ["HubEvent"];
// An unusual name, so it cannot meet one of ajv's own (which are always a prefix and a number).
const FORMATS_BINDING = "__benchFormats";

function schemaPath(name) {
  const candidates = [`${root}/schema/${name}.json`, `${root}/schema/schema-${name}.json`, `/tmp/schema-${name}.json`];
  const repoHasDir = existsSync(`${root}/schema`);
  // A committed schema/ wins over a stale /tmp copy, and must be complete on its own.
  const usable = repoHasDir ? candidates.slice(0, 2) : candidates.slice(2);
  return usable.find((p) => existsSync(p));
}

if (!existsSync(`${root}/schema`) && NAMES.some((n) => schemaPath(n) === undefined)) {
  console.log("ajv: no schemas in schema/: running the schema export");
  const { code } = await run("cargo", ["run", "-q", "--manifest-path", "codegen/Cargo.toml"]);
  if (code !== 0) throw new Error("schema export failed");
}
const schemas = NAMES.map((name) => {
  const path = schemaPath(name);
  if (!path) throw new Error(`ajv: no schema for ${name} (looked in schema/ and /tmp/schema-${name}.json)`);
  return { name, path, schema: withoutMarker(JSON.parse(readFileSync(path, "utf8"))) };
});

// The `unknown: true` the SDK adds is required by the schema of the decoded value, but a frame on
// the wire never carries it: ajv checks the wire's object, so the marker is not required here.
function withoutMarker(node) {
  if (Array.isArray(node)) return node.map(withoutMarker);
  if (node === null || typeof node !== "object") return node;
  const out = {};
  for (const [key, value] of Object.entries(node)) out[key] = withoutMarker(value);
  if (out["x-unknown"] === true && Array.isArray(out.required)) out.required = out.required.filter((r) => r !== "unknown");
  return out;
}

function formatsUsed(node, found = new Set()) {
  if (Array.isArray(node)) for (const item of node) formatsUsed(item, found);
  else if (node && typeof node === "object") {
    for (const [key, value] of Object.entries(node)) {
      if (key === "format" && typeof value === "string") found.add(value);
      // A field named "format" under `properties` maps to a schema object, so only strings count.
      formatsUsed(value, found);
    }
  }
  return found;
}

// ajv leaves `require("ajv/dist/runtime/…")` in standalone code even with esm (for keywords such
// as minLength or uniqueItems); an ES module cannot call require, so hoist each into an import.
function requiresToImports(code) {
  const imports = new Map();
  const body = code.replace(/require\("([^"]+)"\)/g, (_m, spec) => {
    if (!imports.has(spec)) imports.set(spec, `__benchRuntime${imports.size}`);
    return imports.get(spec);
  });
  const lines = [...imports].map(([spec, id]) => `import ${id} from ${JSON.stringify(spec.endsWith(".js") ? spec : `${spec}.js`)};`);
  return { body, lines };
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
copyFileSync(new URL("./formats.mjs", import.meta.url), `${out}/formats.js`);

const unknownFormats = new Set();
for (const { name, path, schema } of schemas) {
  const ajv = new Ajv2020({
    code: { source: true, esm: true, optimize: true, formats: new Name(FORMATS_BINDING) },
    allErrors: false,
    strict: false,
    logger: false,
  });
  for (const [format, check] of Object.entries(formats)) ajv.addFormat(format, check);
  for (const format of formatsUsed(schema)) {
    if (format in formats) continue;
    unknownFormats.add(format);
    ajv.addFormat(format, true);
  }
  let validate;
  try {
    validate = ajv.compile(schema);
  } catch (error) {
    throw new Error(`ajv rejected ${path}: ${error.message}`);
  }
  const { body, lines } = requiresToImports(standaloneCode(ajv, validate));
  const usesFormats = body.includes(FORMATS_BINDING);
  const header = [...(usesFormats ? [`import ${FORMATS_BINDING} from "./formats.js";`] : []), ...lines].join("\n");
  writeFileSync(`${out}/${name}.js`, `${header}\n${body}\n`);
}
if (unknownFormats.size) console.log(`ajv: formats accepted without a check: ${[...unknownFormats].sort().join(", ")}`);

function entry(names) {
  const imports = names.map((n) => `import validate${n} from "./${n}.js";`).join("\n");
  const exports = names.map((n) => `export const decode${n} = (text) => check(validate${n}, text);`).join("\n");
  return `// Generated by bench/ajv/build.mjs: JSON.parse, then the ajv validator of the schema.
${imports}

function check(validate, text) {
  const value = JSON.parse(text);
  if (!validate(value)) {
    const e = validate.errors[0];
    throw new Error(\`\${e.instancePath || "/"} \${e.message}\`);
  }
  return value;
}

${exports}
`;
}
writeFileSync(`${out}/index.js`, entry(NAMES));
writeFileSync(`${out}/one-source.js`, entry(ONE_SOURCE));

async function bundle(file) {
  await viteBuild({
    configFile: false,
    logLevel: "warn",
    root: out,
    build: {
      outDir: `${out}/dist`,
      emptyOutDir: false,
      minify: true,
      sourcemap: false,
      reportCompressedSize: false,
      lib: { entry: `${out}/${file}`, formats: ["es"], fileName: () => file },
      // Vite keeps whitespace in an ES library (for a later bundler's sake); an app's own build
      // would not, and that is the size being estimated.
      rolldownOptions: { output: { minify: true } },
    },
  });
  const bytes = readFileSync(`${out}/dist/${file}`);
  return { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
}

const all = await bundle("index.js");
const one = await bundle("one-source.js");
writeFileSync(`${out}/sizes.json`, JSON.stringify({ all, one }, null, 2));
console.log(`ajv: ${schemas.length} schemas from ${[...new Set(schemas.map((s) => s.path.replace(/\/[^/]*$/, "")))].join(", ")}; bundle (vite, minified) ${all.raw} B raw, Events Hub alone ${one.raw} B raw`);
console.log(`validator_gzip_bytes_ajv: ${all.gzip}`);
console.log(`validator_gzip_bytes_ajv_one_source: ${one.gzip}`);
