// Browser checks with playwright-core driving Debian's Chromium (no browser download): the demo
// page, the package from a plain <script type="module"> page, and the package bundled by Vite.
// Ends with `N passed, N failed`. Screenshots go to test-output/.
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { chromium } from "playwright-core";
import { build } from "vite";
import { root, simBinary, startSim } from "../../scripts/lib.mjs";
import { registerDemoTests } from "./demo.test.mjs";

const outDir = `${root}/test-output`;
mkdirSync(outDir, { recursive: true });
// BROWSER_TEST_PKG points at another build of the package (a helper's own copy); default pkg/.
const pkgDir = process.env.BROWSER_TEST_PKG ?? "pkg";
const pkgVersion = JSON.parse(readFileSync(`${pkgDir.startsWith("/") ? "" : `${root}/`}${pkgDir}/package.json`, "utf8")).version;
// `node tests/browser/run.mjs demo` runs only the tests whose name contains "demo".
const only = process.argv[2];

const tests = [];
const test = (name, fn) => { if (!only || name.includes(only)) tests.push({ name, fn }); };

/** Opens a page, failing on any console error or uncaught exception. */
async function openPage(browser, url) {
  const page = await browser.newPage();
  const problems = [];
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console error: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("requestfailed", (request) => problems.push(`request failed: ${request.url()}`));
  await page.goto(url);
  return { page, problems };
}

async function expectText(page, selector, expected) {
  const locator = page.locator(selector);
  await locator.filter({ hasText: expected }).waitFor({ timeout: 10_000 }).catch(async () => {
    throw new Error(`${selector}: expected ${expected}, saw ${JSON.stringify(await locator.textContent())}`);
  });
}

function assertNoProblems(problems) {
  if (problems.length) throw new Error(problems.join("\n"));
}

registerDemoTests({ test, startSim, simBinary, pkgDir, outDir, root });

test("plain <script type=module> page imports the package served statically", async (browser) => {
  const sim = await startSim(simBinary, ["--www", "tests/browser/pages", "--pkg", pkgDir]);
  try {
    const { page, problems } = await openPage(browser, `${sim.origin}/`);
    await expectText(page, "#status", `plain ESM infra-events ${pkgVersion}`);
    assertNoProblems(problems);
    await page.close();
  } finally {
    await sim.stop();
  }
});

test("Vite bundles the package, emits the .wasm, and the bundle runs", async (browser) => {
  const dist = `${root}/tests/consumer/dist`;
  await build({
    root: `${root}/tests/consumer/vite-app`,
    logLevel: "warn",
    build: { outDir: dist, emptyOutDir: true },
  });
  const assets = readdirSync(`${dist}/assets`);
  if (!assets.some((f) => f.endsWith(".wasm"))) throw new Error(`no .wasm in the bundle: ${assets.join(", ")}`);
  const sim = await startSim(simBinary, ["--www", dist, "--pkg", pkgDir]);
  try {
    const { page, problems } = await openPage(browser, `${sim.origin}/`);
    await expectText(page, "#status", `bundled infra-events ${pkgVersion}`);
    assertNoProblems(problems);
    await page.close();
  } finally {
    await sim.stop();
  }
});

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
let passed = 0;
let failed = 0;
for (const { name, fn } of tests) {
  try {
    await fn(browser);
    passed += 1;
    console.log(`ok   ${name}`);
  } catch (error) {
    failed += 1;
    console.log(`FAIL ${name}\n     ${String(error?.stack ?? error).split("\n").join("\n     ")}`);
  }
}
await browser.close();
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
