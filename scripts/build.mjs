// Builds the publishable npm package into pkg/: wasm-pack (web target, no downloads), the npm
// binaryen wasm-opt (by path: never a wasm-opt found on PATH), then the pkg-template/ files merged
// in. Prints the package size so it is visible on every build.
//
// Variants for measurements (never published): `--out DIR` builds elsewhere, `--features LIST`
// builds only those cargo features (for example one source, or a benchmark strategy).
import { copyFileSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { packageSize, root, run } from "./lib.mjs";

const { values: options } = parseArgs({
  options: { out: { type: "string", default: "pkg" }, features: { type: "string" } },
});
const pkg = options.out.startsWith("/") ? options.out : `${root}/${options.out}`;
const variant = pkg !== `${root}/pkg`;
const cargoFeatures = options.features ? ["--", "--no-default-features", "--features", options.features] : [];
const template = `${root}/pkg-template`;
const wasmOpt = `${root}/node_modules/.bin/wasm-opt`;

async function step(label, cmd, args, options) {
  console.log(`build: ${label}`);
  const { code } = await run(cmd, args, options);
  if (code !== 0) {
    console.error(`build: ${label} failed (exit ${code})`);
    process.exit(1);
  }
}

rmSync(pkg, { recursive: true, force: true });
await step("wasm-pack", "wasm-pack", [
  "--log-level", "warn", "build", "--mode", "no-install", "--release", "--target", "web",
  "--out-dir", pkg, "--out-name", "infra_events", "--no-pack", ...cargoFeatures,
]);
if (!existsSync(wasmOpt)) {
  console.error("build: node_modules/.bin/wasm-opt is missing: run `npm run setup`");
  process.exit(1);
}
const wasm = `${pkg}/infra_events_bg.wasm`;
await step("wasm-opt -Oz (npm binaryen)", wasmOpt, ["-Oz", wasm, "-o", `${wasm}.opt`]);
copyFileSync(`${wasm}.opt`, wasm);
rmSync(`${wasm}.opt`);

// The decoders: the TypeScript in js/ with the validators generated from the model
// (js/generated/), for the sources this build has, compiled next to the wasm glue whose
// declarations they import their types from.
const SOURCES = {
  "events-hub": { module: "events_hub", schemas: ["HubEvent"], engine: { "events-hub": "decodeHubEvent" } },
  lxd: { module: "lxd", schemas: ["LxdEvent"], engine: { lxd: "decodeLxdEvent" } },
  cloudevents: {
    module: "cloudevents", schemas: ["CloudEvent", "CloudEventBatch"], rules: ["cloudevents_rules"],
    engine: { cloudevents: "decodeCloudEvent" },
  },
  mws: {
    module: "mws", schemas: ["MwsEvent", "MwsEventList", "MwsErrorBody"],
    engine: { mws: "decodeMwsEventList", "mws-event": "decodeMwsEvent", "mws-error": "decodeMwsError" },
  },
};
const built = (options.features ?? Object.keys(SOURCES).join(",")).split(",").filter((f) => f in SOURCES);
const stage = `${root}/target/js-build/${options.out.replace(/[^A-Za-z0-9_-]/g, "_")}`;
rmSync(stage, { recursive: true, force: true });
mkdirSync(`${stage}/generated`, { recursive: true });
for (const file of ["runtime.ts", "decode.ts", "json_syntax.ts"]) copyFileSync(`${root}/js/${file}`, `${stage}/${file}`);
copyFileSync(`${pkg}/infra_events.d.ts`, `${stage}/infra_events.d.ts`);
const entry = ['export { isDecodeError } from "./decode.js";'];
// engine.js: the decode exports the wasm engine checks frames and answers with, by the key it asks
// for; the package entries hand it over (`installFrameDecoders`).
const engineImports = [];
const engineKeys = [];
for (const feature of built) {
  const { module, schemas, rules = [], engine } = SOURCES[feature];
  for (const file of [module, ...rules]) copyFileSync(`${root}/js/${file}.ts`, `${stage}/${file}.ts`);
  for (const name of schemas) copyFileSync(`${root}/js/generated/${name}.ts`, `${stage}/generated/${name}.ts`);
  entry.push(`export * from "./${module}.js";`);
  engineImports.push(`import { ${Object.values(engine).join(", ")} } from "./${module}.js";`);
  engineKeys.push(...Object.entries(engine).map(([key, fn]) => `  ${JSON.stringify(key)}: ${fn},`));
}
writeFileSync(`${stage}/decoders.ts`, entry.join("\n") + "\n");
writeFileSync(`${stage}/engine.ts`, `${engineImports.join("\n")}\n\nexport const frameDecoders = {\n${engineKeys.join("\n")}\n};\n`);
await step("decoders (tsc)", `${root}/node_modules/.bin/tsc`, [
  "--strict", "--target", "es2022", "--module", "es2022", "--moduleResolution", "bundler",
  "--lib", "es2022,esnext.disposable,dom", "--skipLibCheck", "--declaration", "--removeComments",
  "--rootDir", stage, "--outDir", pkg, `${stage}/decoders.ts`, `${stage}/engine.ts`,
]);
// The schemas the validators come from, for other languages and servers.
mkdirSync(`${pkg}/schema`, { recursive: true });
for (const feature of built) {
  for (const name of SOURCES[feature].schemas) copyFileSync(`${root}/schema/${name}.json`, `${pkg}/schema/${name}.json`);
}

// The manifest: identity from Cargo.toml, everything else from the template.
const cargo = readFileSync(`${root}/Cargo.toml`, "utf8");
const field = (name) => new RegExp(`^${name} = "(.*)"$`, "m").exec(cargo)?.[1];
const manifest = {
  name: undefined,
  version: field("version"),
  description: field("description"),
  license: field("license"),
  ...JSON.parse(readFileSync(`${template}/package.json`, "utf8")),
};
writeFileSync(`${pkg}/package.json`, JSON.stringify(manifest, null, 2) + "\n");
for (const file of readdirSync(template)) {
  if (file !== "package.json") copyFileSync(`${template}/${file}`, `${pkg}/${file}`);
}
copyFileSync(`${root}/LICENSE`, `${pkg}/LICENSE`);
rmSync(`${pkg}/.gitignore`, { force: true });

for (const file of manifest.files.filter((f) => !/[*]|\/$/.test(f))) {
  if (!existsSync(`${pkg}/${file}`)) {
    console.error(`build: pkg/${file} is listed in "files" but was not produced`);
    process.exit(1);
  }
}

// The consumer tests import the package by name, as an app would.
if (!variant) linkConsumer();

function linkConsumer() {
  const link = `${root}/tests/consumer/node_modules/infra-events`;
  mkdirSync(`${root}/tests/consumer/node_modules`, { recursive: true });
  let linked = false;
  try {
    linked = lstatSync(link).isSymbolicLink();
  } catch {}
  if (!linked) {
    rmSync(link, { recursive: true, force: true });
    symlinkSync("../../../pkg", link);
  }
}

// Size: what a browser downloads (wasm + JS glue + entry), raw and gzip -9.
const size = packageSize(pkg);
console.log(`build: package size of ${variant ? options.out : "pkg"}${options.features ? ` (features ${options.features})` : ""} (raw / gzip -9 bytes)`);
for (const f of size.files) {
  console.log(`  ${f.file.padEnd(24)} ${String(f.raw).padStart(8)} / ${String(f.gzip).padStart(7)}`);
}
console.log(`  ${"total".padEnd(24)} ${String(size.raw).padStart(8)} / ${String(size.gzip).padStart(7)}`);
if (!variant) {
  console.log(`pkg_raw_bytes: ${size.raw}`);
  console.log(`pkg_gzip_bytes: ${size.gzip}`);
}
