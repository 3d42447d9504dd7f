// The decoders in headless Chromium, as a page loads the package (pkg/index.js, the browser
// entry): one frame of each source and two DecodeErrors give what they give in Node. The other
// files here test the decoders in depth in Node; this one is there because the browser entry
// loads other files than node.js and Chromium's JSON.parse is not Node's.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { extname, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import * as sdk from "../../pkg/node.js";
import { fixture, frames } from "./fixtures.mjs";

const PKG = fileURLToPath(new URL("../../pkg/", import.meta.url));
const TYPES = { ".js": "text/javascript", ".wasm": "application/wasm", ".json": "application/json", ".html": "text/html" };
const INDEX = '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>decode</title><script type="module">import * as sdk from "./index.js"; window.sdk = sdk;</script>';

const VM_ADDED = frames(fixture("events_hub/protocol_notes.jsonl")).find((l) => l.includes('"VM_ADDED"'));
const CASES = [
  ["decodeHubEvent", VM_ADDED],
  ["decodeLxdEvent", frames(fixture("lxd/lxd-5.0.2.jsonl"))[0]],
  ["decodeCloudEvent", frames(fixture("cloudevents/metalsoft-examples.jsonl")).find((l) => l.includes('"monitoringAgentResult"'))],
  ["decodeMwsEventList", fixture("mws/list.json")],
];
const SHAPE_ERROR = ["decodeHubEvent", VM_ADDED.replace('"State":"stopped"', '"State":"hibernated"')];
// Placed by the package's own scan, not by the engine's message: must agree across engines.
const SYNTAX_ERROR = ["decodeLxdEvent", '{"type": "lifecycle", "metadata": nope}'];

/**
 * Runs the cases against an SDK module and returns plain data. Serialised into the page by its
 * source text, so both sides run the very same code; it must not close over anything.
 */
function outcomes(sdk, cases) {
  return cases.map(([name, text]) => {
    try {
      return { json: JSON.stringify(sdk[name](text)) };
    } catch (e) {
      const { name: errorName, source, kind, reason, path, line, column, inputHead } = e;
      return { error: { isError: e instanceof Error, isDecodeError: sdk.isDecodeError(e), name: errorName, source, kind, reason, path, line, column, inputHead } };
    }
  });
}

let server;
let browser;
let origin;

before(async () => {
  server = createServer(async (req, res) => {
    const { pathname } = new URL(req.url, "http://localhost");
    if (pathname === "/") {
      res.writeHead(200, { "content-type": TYPES[".html"] }).end(INDEX);
      return;
    }
    const file = resolve(PKG, `.${decodeURIComponent(pathname)}`);
    if (!file.startsWith(PKG.endsWith(sep) ? PKG : PKG + sep)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  origin = `http://127.0.0.1:${server.address().port}`;
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", headless: true, args: ["--no-sandbox"] });
});

after(async () => {
  await browser?.close();
  server?.closeAllConnections();
  await new Promise((ok) => (server ? server.close(ok) : ok()));
});

test("chromium_decodes_one_frame_of_each_source_and_throws_decode_errors_as_node_does", async () => {
  const page = await browser.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => m.type() === "error" && problems.push(`console error: ${m.text()}`));
  page.on("response", (r) => r.status() >= 400 && problems.push(`${r.status()} ${r.url()}`));
  try {
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => window.sdk !== undefined, null, { timeout: 15_000 }).catch((e) => {
      throw new Error(`the package did not load: ${problems.join("; ") || e.message}`);
    });
    const cases = [...CASES, SHAPE_ERROR, SYNTAX_ERROR];
    const inChromium = await page.evaluate(`(${outcomes.toString()})(window.sdk, ${JSON.stringify(cases)})`);
    const inNode = outcomes(sdk, cases);

    // Against fixed expectations first, so a decoder wrong in both places still fails.
    CASES.forEach(([name, text], i) => {
      assert.deepEqual(inChromium[i], { json: JSON.stringify(JSON.parse(text)) }, name);
    });
    const [shape, syntax] = inChromium.slice(CASES.length).map((o) => o.error);
    assert.ok(shape, "the shape case threw");
    assert.deepEqual(
      [shape.isError, shape.isDecodeError, shape.name, shape.source, shape.kind, shape.path, shape.line, shape.column],
      [true, true, "DecodeError", "events-hub", "shape", "body.new_vm.State", 0, 0],
    );
    assert.equal(shape.inputHead, VM_ADDED.slice(0, 64));
    assert.ok(syntax, "the syntax case threw");
    assert.deepEqual(
      [syntax.isDecodeError, syntax.source, syntax.kind, syntax.path, syntax.line],
      [true, "lxd", "syntax", "", 1],
    );
    // `nope` spans columns 35 to 38.
    assert.ok(syntax.column >= 35 && syntax.column <= 39, `column ${syntax.column}`);

    assert.deepEqual(inChromium, inNode);
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});
