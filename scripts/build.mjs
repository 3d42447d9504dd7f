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
