// Builds the publishable npm package into pkg/: wasm-pack (web target, no downloads), the npm
// binaryen wasm-opt (by path: never a wasm-opt found on PATH), then the pkg-template/ files merged
// in. Prints the package size so it is visible on every build.
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync, lstatSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { root, run } from "./lib.mjs";

const pkg = `${root}/pkg`;
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
  "--out-dir", "pkg", "--out-name", "infra_events", "--no-pack",
]);
if (!existsSync(wasmOpt)) {
  console.error("build: node_modules/.bin/wasm-opt is missing: run `npm run setup`");
  process.exit(1);
}
const wasm = `${pkg}/infra_events_bg.wasm`;
await step("wasm-opt -Oz (npm binaryen)", wasmOpt, ["-Oz", wasm, "-o", `${wasm}.opt`]);
copyFileSync(`${wasm}.opt`, wasm);
rmSync(`${wasm}.opt`);

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

for (const file of manifest.files) {
  if (!existsSync(`${pkg}/${file}`)) {
    console.error(`build: pkg/${file} is listed in "files" but was not produced`);
    process.exit(1);
  }
}

// The consumer tests import the package by name, as an app would.
const link = `${root}/tests/consumer/node_modules/infra-events`;
mkdirSync(`${root}/tests/consumer/node_modules`, { recursive: true });
let linked = false;
try { linked = lstatSync(link).isSymbolicLink(); } catch {}
if (!linked) {
  rmSync(link, { recursive: true, force: true });
  symlinkSync("../../../pkg", link);
}

// Size: what a browser downloads (wasm + JS glue + entry), raw and gzip -9.
const shipped = ["infra_events_bg.wasm", "infra_events.js", "index.js"];
let raw = 0;
let gz = 0;
console.log("build: package size (raw / gzip -9 bytes)");
for (const file of shipped) {
  const bytes = readFileSync(`${pkg}/${file}`);
  const zipped = gzipSync(bytes, { level: 9 }).length;
  raw += statSync(`${pkg}/${file}`).size;
  gz += zipped;
  console.log(`  ${file.padEnd(24)} ${String(bytes.length).padStart(8)} / ${String(zipped).padStart(7)}`);
}
console.log(`  ${"total".padEnd(24)} ${String(raw).padStart(8)} / ${String(gz).padStart(7)}`);
console.log(`pkg_raw_bytes: ${raw}`);
console.log(`pkg_gzip_bytes: ${gz}`);
