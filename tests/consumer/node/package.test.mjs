// The package as a Node app imports it: by name, through the "node" export condition.
import test from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as sdk from "infra-events";

const manifestPath = fileURLToPath(import.meta.resolve("infra-events/package.json"));
const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));

test("the package is named infra-events and resolves to its Node entry", () => {
  assert.equal(manifest.name, "infra-events");
  assert.match(import.meta.resolve("infra-events"), /\/node\.js$/);
});

test("the module is initialised on import: exports are callable at once", () => {
  assert.equal(sdk.version(), manifest.version);
});

test("the manifest declares types and the files it ships", () => {
  assert.equal(manifest.exports["."].types, "./index.d.ts");
  const dir = new URL(".", `file://${manifestPath}`);
  for (const file of manifest.files) {
    if (file.startsWith("*.")) {
      // A pattern: the package has files it matches.
      const suffix = file.slice(1);
      assert.ok(readdirSync(dir).some((f) => f.endsWith(suffix)), file);
    } else if (file.endsWith("/")) {
      assert.ok(readdirSync(new URL(file, dir)).length > 0, file);
    } else {
      assert.doesNotThrow(() => readFileSync(new URL(file, dir)), file);
    }
  }
});

test("this Node has a WebSocket global, which the SDK's transport needs", () => {
  assert.equal(typeof globalThis.WebSocket, "function");
});
