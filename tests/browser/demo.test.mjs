// The demo page (www/) in headless Chromium against its own simulator: every source connects and
// shows its events, a drop is survived with a resync banner, hostile HTML in an event stays text,
// filters and pause work, a burst keeps the page bounded, and it fits 360 px. Screenshots of
// each state go to test-output/demo/; look at them.
import { mkdirSync, readdirSync, readFileSync } from "node:fs";

const SOURCES = ["hub", "lxd", "cloudevents", "mws"];
const LABELS = { hub: "Events Hub", lxd: "LXD", cloudevents: "CloudEvents", mws: "MWS" };

/**
 * What Chromium itself logs while the simulator refuses tokens: the socket that cannot open, and
 * the 401 of the SDK checking its token before reusing it. Expected only where a test causes it.
 */
const REFUSED_TOKEN = /^console error: (WebSocket connection to 'ws:\/\/127\.0\.0\.1:\d+\/[^']*' failed|Failed to load resource: the server responded with a status of 401 \(Unauthorized\))/;

/**
 * Registers the demo tests with the runner.
 * @param {object} o
 * @param {(name: string, fn: (browser: any) => Promise<void>) => void} o.test
 * @param {(binary: string, args: string[]) => Promise<{origin: string, stop: () => Promise<void>}>} o.startSim
 * @param {string} o.simBinary
 * @param {string} o.pkgDir     the built package the simulator serves at /pkg/
 * @param {string} o.outDir     test-output/
 * @param {string} o.root       the repository
 */
export function registerDemoTests({ test, startSim, simBinary, pkgDir, outDir, root }) {
  const shots = `${outDir}/demo`;
  mkdirSync(shots, { recursive: true });

  /** Starts a simulator for one test, opens the demo page, and always cleans up. */
  function demoTest(name, fn, { viewport = { width: 1440, height: 900 }, query = "" } = {}) {
    test(`demo: ${name}`, async (browser) => {
      const sim = await startSim(simBinary, ["--www", "www", "--pkg", pkgDir]);
      const context = await browser.newContext({ viewport });
      try {
        const page = await context.newPage();
        const problems = [];
        page.on("console", (m) => { if (m.type() === "error") problems.push(`console error: ${m.text()}`); });
        page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
        page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ""}`));
        await page.goto(`${sim.origin}/${query}`);
        const control = async (path, body) => {
          const r = await fetch(`${sim.origin}/_sim/${path}`, { method: "POST", body });
          const json = await r.json();
          if (!r.ok) throw new Error(`/_sim/${path}: ${r.status} ${JSON.stringify(json)}`);
          return json;
        };
        await fn({ page, problems, control, shot: (file, opts = {}) => page.screenshot({ path: `${shots}/${file}`, ...opts }) });
        const allowed = fn.allowed ?? null;
        const left = allowed ? problems.filter((p) => !allowed.test(p)) : problems;
        if (left.length) throw new Error(left.join("\n"));
      } finally {
        await context.close();
        await sim.stop();
      }
    });
  }

  test("demo: no script of the page can put markup into the DOM", async () => {
    // The runtime check is the hostile-HTML test below; this one keeps the sinks out of the code.
    const sinks = /\b(innerHTML|outerHTML|insertAdjacentHTML|createContextualFragment|DOMParser|document\.write(ln)?)\b|\beval\(|new Function\(/;
    const scripts = readdirSync(`${root}/www`, { recursive: true }).filter((f) => String(f).endsWith(".js"));
    if (scripts.length < 2) throw new Error(`found only ${scripts.join(", ")} under www/`);
    const found = [];
    for (const file of scripts) {
      readFileSync(`${root}/www/${file}`, "utf8").split("\n").forEach((line, i) => {
        if (sinks.test(line)) found.push(`www/${file}:${i + 1}: ${line.trim()}`);
      });
    }
    const html = readFileSync(`${root}/www/index.html`, "utf8");
    if (/\son[a-z]+\s*=/i.test(html)) found.push("www/index.html: an inline event handler attribute");
    if (found.length) throw new Error(found.join("\n"));
  });

  const pill = (page, source) => page.locator(`#card-${source} .pill`);
  const waitOpen = (page, sources = SOURCES, timeout = 15_000) =>
    Promise.all(sources.map((s) => pill(page, s).and(page.locator('[data-state="open"]')).waitFor({ timeout })));
  const rowsOf = (page, source) => page.locator(`#event-rows tr.src-${source}`);

  demoTest("loads with no console error, connects to each source and shows typed events of each", async ({ page, shot }) => {
    await page.locator("#sdk-status", { hasText: /^infra-events \d+\.\d+\.\d+/ }).waitFor();
    await waitOpen(page);
    for (const source of SOURCES) await rowsOf(page, source).first().waitFor({ timeout: 15_000 });
    // Each row's type column is the event's own discriminant, read from the decoded object.
    const mismatches = await page.evaluate(() => {
      const expected = {
        hub: (e) => [e.message],
        lxd: (e) => (e.type === "lifecycle" ? [e.metadata.action] : [e.type]),
        cloudevents: (e) => [e.type],
        mws: (e) => [e.eventType],
      };
      const bad = [];
      for (const tr of document.querySelectorAll("#event-rows tr")) {
        const shown = tr.querySelector(".type-name").textContent;
        const want = expected[tr.record.source](tr.record.event);
        if (!shown || !want.includes(shown)) bad.push(`${tr.record.source}: shown ${shown}, event says ${want}`);
      }
      return bad;
    });
    if (mismatches.length) throw new Error(mismatches.slice(0, 5).join("\n"));
    // Some kinds every source's stream produces within seconds, shown by name.
    await page.locator("#event-rows tr.src-hub .type-name", { hasText: /^(System Stats|JOB_CREATED|JOB_UPDATED|VM_[A-Z_]+|HOST_[A-Z_]+|DISK_SPACE_CHANGED|System Log)$/ }).first().waitFor();
    await page.locator("#event-rows tr.src-lxd .type-name", { hasText: /^(logging|operation|[a-z-]+-[a-z]+)$/ }).first().waitFor();
    await page.locator("#event-rows tr.src-cloudevents .type-name", { hasText: /^(server|user|network|instance)\.[a-z.]+$/ }).first().waitFor();
    await page.locator("#event-rows tr.src-mws .type-name").first().waitFor();
    await page.waitForTimeout(6000); // a ping round trip and a fuller chart for the picture
    const rtt = await page.locator('#card-hub [data-stat="lastPingRttMs"]').textContent();
    if (!/^\d+ ms$/.test(rtt)) throw new Error(`the Events Hub ping RTT reads ${JSON.stringify(rtt)}`);
    await shot("desktop.png", { fullPage: true });
    for (const source of SOURCES) {
      await page.locator(`#tab-${source}`).click();
      await page.locator(`#panel-${source}`).waitFor();
      await shot(`connected-${source}.png`);
    }
  });

  demoTest("a simulator drop shows reconnecting, then connected again, and the resync banner", async ({ page, shot }) => {
    await waitOpen(page);
    // Record every state the Events Hub card goes through: the reconnect may take only ms.
    await page.evaluate(() => {
      window.hubStates = [];
      const pill = document.querySelector("#card-hub .pill");
      new MutationObserver(() => window.hubStates.push(pill.dataset.state)).observe(pill, { attributes: true, childList: true });
    });
    if (await page.locator("#resync-banner").isVisible()) throw new Error("a resync banner before any gap");
    await page.locator("#sim-target").selectOption("all");
    await page.getByRole("button", { name: "Drop connections" }).click();
    await page.locator("#sim-result", { hasText: /dropped [1-9]\d* connection/ }).waitFor();
    await page.locator("#resync-banner").waitFor({ state: "visible", timeout: 15_000 });
    await waitOpen(page, ["hub", "lxd", "cloudevents"]);
    const states = await page.evaluate(() => window.hubStates);
    const r = states.indexOf("reconnecting");
    if (r < 0 || !states.slice(r).includes("open")) throw new Error(`Events Hub states: ${states.join(" → ")}`);
    await page.locator("#log li", { hasText: /reconnecting in .*connection lost \(code 1006/ }).first().waitFor();
    await page.locator("#log li", { hasText: /connected again/ }).first().waitFor();
    const banner = await page.locator("#resync-text").textContent();
    for (const label of ["Events Hub", "LXD", "CloudEvents"]) {
      if (!banner.includes(`${label}:`)) throw new Error(`the banner does not name ${label}: ${banner}`);
    }
    await page.locator('#card-hub [data-stat="reconnects"]', { hasText: /^1$/ }).waitFor({ timeout: 5000 });
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot("resync-banner.png");
    await page.getByRole("button", { name: "Dismiss" }).click();
    await page.locator("#resync-banner").waitFor({ state: "hidden" });
  });

  const reconnecting = async ({ page, control, shot }) => {
    await waitOpen(page);
    await control("tokens/reject?on=true");
    await control("drop?source=hub");
    // Every new attempt is refused now: the card counts down and the attempts grow.
    await page.locator("#card-hub .card-detail", { hasText: /attempt [2-9]/ }).waitFor({ timeout: 20_000 });
    await page.locator("#card-hub .pill", { hasText: /^reconnecting in \d+\.\d s$/ }).waitFor({ timeout: 20_000 });
    await shot("reconnecting.png");
    await control("tokens/reject?on=false");
    await waitOpen(page, ["hub"], 40_000);
    await page.locator("#resync-banner").waitFor({ state: "visible" });
  };
  reconnecting.allowed = REFUSED_TOKEN;
  demoTest("refused reconnects count down, with the attempt number, until the server takes them again", reconnecting);

  demoTest("an event carrying hostile HTML is shown as text, never run", async ({ page, control, shot }) => {
    await waitOpen(page, ["cloudevents"]);
    const serverId = String(700000 + Math.floor(Math.random() * 99999));
    const payload = '<img src=x onerror="window.__xss=1">';
    const event = {
      id: `xss-${serverId}`, time: new Date().toISOString(), type: "server.health.state.degraded",
      source: "https://metalsoft.io/monitoring", specversion: "1.0", datacontenttype: "application/json",
      data: {
        serverId, siteId: "3", datacenterName: "dc1", previousState: "healthy", newState: "warnings_present",
        healthDetails: ["Fan failure detected on CPU 0"], monitoringAgentPrompted: true, monitoringAgentResult: payload,
      },
    };
    const sent = await control("inject?source=cloudevents", JSON.stringify(event));
    if (sent.sockets < 1) throw new Error(`no CloudEvents socket open: ${JSON.stringify(sent)}`);
    const row = page.locator("#event-rows tr.src-cloudevents", { hasText: serverId });
    await row.waitFor({ timeout: 10_000 });
    const summary = await row.locator(".summary").textContent();
    if (!summary.includes(payload)) throw new Error(`the summary does not show the HTML as text: ${summary}`);
    // Keyboard: focus the row, Enter opens the detail, Escape closes it and gives the focus back.
    await row.focus();
    await page.keyboard.press("Enter");
    const dialog = page.locator("dialog#detail");
    await dialog.waitFor({ state: "visible" });
    await page.waitForTimeout(500); // time for an injected image's error handler to have fired
    const agent = await dialog.locator(".agent-result").textContent();
    if (agent !== payload) throw new Error(`agent result shown as ${JSON.stringify(agent)}`);
    const json = await dialog.locator("pre.json").textContent();
    if (!json.includes(JSON.stringify(payload))) throw new Error("the full JSON does not show the payload");
    const found = await page.evaluate(() => ({ xss: window.__xss, images: document.querySelectorAll("img").length }));
    if (found.xss !== undefined) throw new Error("window.__xss was set: event HTML ran");
    if (found.images !== 0) throw new Error(`${found.images} <img> element(s) on the page`);
    await shot("detail-open.png");
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    const focusBack = await page.evaluate(() => document.activeElement?.tagName === "TR" && document.activeElement.textContent);
    if (!focusBack || !focusBack.includes(serverId)) throw new Error("the focus did not return to the row");
  });

  demoTest("filters by source and type, and pause holds the table while events keep counting", async ({ page }) => {
    await waitOpen(page);
    for (const source of SOURCES) await rowsOf(page, source).first().waitFor({ timeout: 15_000 });
    await page.locator("#source-filter label", { hasText: "Events Hub" }).locator("input").uncheck();
    const visibleHub = await page.locator("#event-rows tr.src-hub:visible").count();
    if (visibleHub !== 0) throw new Error(`${visibleHub} Events Hub rows still shown`);
    await page.locator("#type-filter").fill("lifecycle");
    await page.waitForTimeout(3000);
    const shown = await page.evaluate(() => [...document.querySelectorAll("#event-rows tr")].filter((tr) => !tr.hidden).map((tr) => `${tr.record.source}/${tr.record.group}`));
    if (!shown.length || shown.some((s) => s !== "lxd/lifecycle")) throw new Error(`shown with "lifecycle": ${shown.join(", ")}`);
    await page.locator("#type-filter").fill("");
    await page.locator("#source-filter label", { hasText: "Events Hub" }).locator("input").check();
    await page.getByRole("button", { name: "Pause" }).click();
    const before = await page.locator("#event-rows tr").count();
    await page.waitForTimeout(2500);
    const during = await page.locator("#event-rows tr").count();
    if (during !== before) throw new Error(`rows changed while paused: ${before} → ${during}`);
    await page.locator("#event-count", { hasText: /waiting \(paused\)/ }).waitFor();
    await page.getByRole("button", { name: "Resume" }).click();
    await page.waitForFunction((n) => document.querySelectorAll("#event-rows tr").length > n, before);
  });

  demoTest("the forms connect with what they say: an API-key login, one LXD project and type", async ({ page }) => {
    for (const source of SOURCES) {
      const state = await pill(page, source).getAttribute("data-state");
      if (state !== "idle") throw new Error(`${source} is ${state} with ?connect=none`);
    }
    await page.locator("#tab-lxd").click();
    const lxd = page.locator("#panel-lxd form");
    for (const type of ["operation", "logging"]) await lxd.getByLabel(type, { exact: true }).uncheck();
    await lxd.getByLabel("All projects", { exact: true }).uncheck();
    await lxd.getByLabel("Project", { exact: true }).fill("staging");
    await lxd.getByRole("button", { name: "Connect LXD" }).click();
    await waitOpen(page, ["lxd"]);
    await page.locator("#tab-hub").click();
    const hub = page.locator("#panel-hub form");
    await hub.getByLabel("Sign in with").selectOption("apikey");
    if (!(await hub.getByLabel("API key", { exact: true }).isVisible()) || (await hub.getByLabel("Username", { exact: true }).isVisible())) {
      throw new Error("the API key form does not show the API key field alone");
    }
    await hub.getByRole("button", { name: "Connect Events Hub" }).click();
    await waitOpen(page, ["hub"]);
    await rowsOf(page, "hub").first().waitFor();
    await page.waitForFunction(() => document.querySelectorAll("#event-rows tr.src-lxd").length >= 3, null, { timeout: 20_000 });
    const lxdRows = await page.evaluate(() => [...document.querySelectorAll("#event-rows tr.src-lxd")].map((tr) => `${tr.record.event.type}/${tr.record.event.project}`));
    const wrong = lxdRows.filter((r) => r !== "lifecycle/staging");
    if (wrong.length) throw new Error(`LXD rows outside lifecycle/staging: ${wrong.join(", ")}`);
    const others = await page.locator("#event-rows tr.src-cloudevents, #event-rows tr.src-mws").count();
    if (others) throw new Error(`${others} rows of sources never connected`);
    // Disconnect is final: the card says so and no event of that source arrives after it.
    await page.locator("#card-hub").getByRole("button", { name: "Disconnect" }).click();
    await pill(page, "hub").filter({ hasText: /^disconnected$/ }).waitFor();
    await page.waitForTimeout(200); // rows received before it are drawn on the next frame
    const hubRows = await rowsOf(page, "hub").count();
    await page.waitForTimeout(3000);
    const later = await rowsOf(page, "hub").count();
    if (later !== hubRows) throw new Error(`Events Hub rows went on after Disconnect: ${hubRows} → ${later}`);
    await page.locator("#card-hub").getByRole("button", { name: "Connect" }).click();
    await waitOpen(page, ["hub"]);
  }, { query: "?connect=none" });

  const refusedLogin = async ({ page, problems }) => {
    const password = `wrong-${Math.random().toString(36).slice(2)}`;
    const form = page.locator("#panel-hub form");
    await form.getByLabel("Password", { exact: true }).fill(password);
    await form.getByRole("button", { name: "Connect Events Hub" }).click();
    await pill(page, "hub").and(page.locator('[data-state="closed"]')).waitFor({ timeout: 15_000 });
    const detail = await page.locator("#card-hub .card-detail").textContent();
    if (!/failed/.test(detail)) throw new Error(`the card does not say the login failed: ${detail}`);
    await page.locator("#log li", { hasText: "Events Hub" }).filter({ hasText: /closed \(failed/ }).waitFor();
    const text = await page.evaluate(() => document.body.innerText);
    if (text.includes(password)) throw new Error("the password is shown on the page");
    if (problems.some((p) => p.includes(password))) throw new Error("the password is in a console message");
  };
  refusedLogin.allowed = /^console error: Failed to load resource: the server responded with a status of 401 \(Unauthorized\)$/;
  demoTest("a refused login closes the subscription with the reason, never showing the password", refusedLogin, { query: "?connect=none" });

  demoTest("a silent server is found out: by the Events Hub ping, by the idle timeout elsewhere", async ({ page }) => {
    await waitOpen(page, ["hub", "lxd", "cloudevents"]);
    await page.getByRole("button", { name: "Go silent 15 s" }).click();
    await page.locator("#sim-result", { hasText: /3 connection\(s\) silent/ }).waitFor();
    await page.locator("#log li", { hasText: "Events Hub" }).filter({ hasText: /no answer to the ping for/ }).first().waitFor({ timeout: 20_000 });
    for (const label of ["LXD", "CloudEvents"]) {
      await page.locator("#log li", { hasText: label }).filter({ hasText: /silent for \d/ }).first().waitFor({ timeout: 20_000 });
    }
    // New sockets are not silenced: every source is back long before the 15 s are over.
    await waitOpen(page, ["hub", "lxd", "cloudevents"], 20_000);
    await page.locator("#resync-banner").waitFor({ state: "visible" });
  });

  demoTest("everything is reachable from the keyboard", async ({ page }) => {
    await waitOpen(page, ["hub"]);
    await rowsOf(page, "hub").first().waitFor();
    const reached = new Set();
    for (let i = 0; i < 120; i += 1) {
      await page.keyboard.press("Tab");
      const what = await page.evaluate(() => {
        const el = document.activeElement;
        if (!el || el === document.body) return "";
        if (el.getAttribute("role") === "tab") return "tab";
        if (el.tagName === "TR") return "row";
        if (el.matches("[data-sim]")) return "sim";
        if (el.id === "pause") return "pause";
        if (el.matches('button[type="submit"]')) return "connect";
        if (el.matches("#source-filter input")) return "filter";
        return el.tagName.toLowerCase();
      });
      reached.add(what);
      if (what === "row") break;
    }
    for (const want of ["a", "tab", "input", "connect", "sim", "filter", "pause", "row"]) {
      if (!reached.has(want)) throw new Error(`Tab never reached a ${want}; reached ${[...reached].join(", ")}`);
    }
    // Arrow keys move between the source tabs and show each one's form.
    await page.locator("#tab-hub").focus();
    await page.keyboard.press("ArrowRight");
    if (!(await page.locator("#panel-lxd").isVisible()) || (await page.locator("#panel-hub").isVisible())) {
      throw new Error("ArrowRight did not move from the Events Hub tab to LXD");
    }
    const focused = await page.evaluate(() => document.activeElement.id);
    if (focused !== "tab-lxd") throw new Error(`the focus is on ${focused}`);
    // Focus is visible: a focused row has an outline.
    await rowsOf(page, "hub").first().focus();
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    if (outline === "none") throw new Error("a focused row shows no outline");
  });

  demoTest("MWS polls with the query from the builder", async ({ page }) => {
    await waitOpen(page, ["mws"]);
    await page.locator("#tab-mws").click();
    const preview = await page.locator("#panel-mws .query-preview").textContent();
    if (preview !== '{"severity":{"$in":["WARN","ERROR","FATAL"]}}') throw new Error(`query preview ${preview}`);
    await rowsOf(page, "mws").first().waitFor();
    const severities = await page.evaluate(() => [...document.querySelectorAll("#event-rows tr.src-mws")].map((tr) => tr.record.event.severity));
    const wrong = severities.filter((s) => !["WARN", "ERROR", "FATAL"].includes(s));
    if (wrong.length) throw new Error(`MWS rows outside the query: ${wrong.join(", ")}`);
  });

  demoTest("garbage frames are rejected and counted while the stream goes on", async ({ page }) => {
    await waitOpen(page, ["hub", "lxd", "cloudevents"]);
    await page.getByRole("button", { name: "Send garbage" }).click();
    await page.locator("#sim-result", { hasText: /malformed/ }).waitFor();
    for (const source of ["hub", "lxd", "cloudevents"]) {
      await page.locator(`#card-${source} [data-stat="decodeErrors"]`, { hasText: /^3$/ }).waitFor({ timeout: 10_000 });
      await page.locator("#log li", { hasText: LABELS[source] }).filter({ hasText: /frame rejected \(syntax|binary frame of \d+ bytes rejected|frame rejected \(truncated/ }).first().waitFor();
    }
    const states = await Promise.all(["hub", "lxd", "cloudevents"].map((s) => pill(page, s).getAttribute("data-state")));
    if (states.some((s) => s !== "open")) throw new Error(`states after garbage: ${states.join(", ")}`);
  });

  demoTest("a burst keeps the table bounded and shows on the chart", async ({ page, shot }) => {
    await waitOpen(page, ["hub"]);
    await page.locator("#sim-target").selectOption("hub");
    await page.getByRole("button", { name: /Burst/ }).click();
    await page.locator("#sim-result", { hasText: /burst started on 1 connection/ }).waitFor();
    await page.waitForFunction(() => Number(document.querySelector('#card-hub [data-stat="delivered"]').textContent.replace(/\D/g, "")) > 5_000, null, { timeout: 20_000 });
    const rows = await page.locator("#event-rows tr").count();
    if (rows > 500) throw new Error(`${rows} rows kept, the cap is 500`);
    // The page still answers at once.
    const t0 = Date.now();
    await page.evaluate(() => 1);
    if (Date.now() - t0 > 1000) throw new Error("the page is stalled by the burst");
    await page.locator("#rate-figures", { hasText: /peak (\d{1,3},)?\d{3,}\/s/ }).waitFor({ timeout: 5000 });
    await page.locator("#rate-chart").scrollIntoViewIfNeeded();
    await page.waitForTimeout(1100); // the chart redraws once a second
    await shot("burst.png");
  });

  demoTest("fits a 360 px wide screen", async ({ page, shot }) => {
    await waitOpen(page);
    for (const source of SOURCES) await rowsOf(page, source).first().waitFor({ timeout: 15_000 });
    await page.waitForTimeout(1500);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    if (width > 360) throw new Error(`the page is ${width} px wide at a 360 px viewport`);
    await shot("mobile-360.png");
    await page.locator("#events").scrollIntoViewIfNeeded();
    await shot("mobile-360-events.png");
    await page.locator("#connect-heading").scrollIntoViewIfNeeded();
    await shot("mobile-360-sources.png");
  }, { viewport: { width: 360, height: 780 } });
}
