// The four sources: each one's connection form (defaults point at the simulator serving this
// page) and how it connects through the SDK. A connector returns the subscription (it has
// `close()` and `stats()`) and reports through `sink.event(event)` and `sink.state(sessionEvent)`.
//
// Secrets (passwords, API keys, tokens) stay inside the closures built here: they are never put
// on the page, in a log line or in an error message.

import { subscribeCloudEvents, subscribeEventsHub, subscribeLxd } from "/pkg/index.js";
import { h } from "./dom.js";
import { describeCloudEvent, describeHub, describeLxd, describeMws } from "./describe.js";
import { connectMws, MWS_FIELDS, MWS_OPERATORS, mwsFilter } from "./mws.js";

const origin = location.origin;

// ---- form building blocks ----------------------------------------------------------------------

let fieldSeq = 0;

function field(label, input, hint) {
  input.id ||= `f${++fieldSeq}`;
  const hintEl = hint ? h("small", { class: "hint", id: `${input.id}-hint`, text: hint }) : null;
  if (hintEl) input.setAttribute("aria-describedby", hintEl.id);
  return h("div", { class: "field" }, h("label", { attrs: { for: input.id }, text: label }), input, hintEl);
}

const text = (name, value, extra = {}) => h("input", { name, value, type: "text", autocomplete: "off", spellcheck: false, ...extra });
const secret = (name, value) => h("input", { name, value, type: "password", autocomplete: "off" });

function select(name, options, value) {
  return h("select", { name }, options.map(([v, label]) => h("option", { value: v, selected: v === value, text: label })));
}

function checks(legend, name, items, checked) {
  return h("fieldset", { class: "checks" },
    h("legend", { text: legend }),
    items.map((item) => h("label", { class: "check" },
      h("input", { type: "checkbox", name, value: item, checked: checked.includes(item) }), item)));
}

/** Milliseconds from a seconds field; `fallback` seconds when it is not a number. */
function seconds(value, fallback) {
  const n = Number(value);
  return Math.round((Number.isFinite(n) && n >= 0 ? n : fallback) * 1000);
}

const values = (form, name) => [...form.querySelectorAll(`input[name="${name}"]:checked`)].map((i) => i.value);

/** Shows the elements marked `data-when="<select name>=<value>[|value…]"` only for those values. */
function conditional(form) {
  const update = () => {
    for (const el of form.querySelectorAll("[data-when]")) {
      const [name, wanted] = el.dataset.when.split("=");
      const current = form.elements[name]?.value;
      el.hidden = !wanted.split("|").includes(current);
    }
  };
  form.addEventListener("change", update);
  queueMicrotask(update);
}

function when(condition, ...children) {
  return h("div", { dataset: { when: condition } }, ...children);
}

// ---- Events Hub login ----------------------------------------------------------------------------

/** `http(s)://host/prefix` for REST calls, from an address that may be ws(s). */
function httpBase(url) {
  const u = new URL(url, origin);
  if (u.protocol === "ws:") u.protocol = "http:";
  if (u.protocol === "wss:") u.protocol = "https:";
  return u.href.replace(/\/+$/, "");
}

/**
 * For CloudEvents, whose tokens come from the Events Hub login: a token provider that logs in with
 * `POST /api/v1/auth/token` and reuses the token until a minute before it expires. Failures name
 * the status only: the server's text could echo input.
 */
function hubLogin(baseUrl, body) {
  let cached = null;
  return async () => {
    if (cached && cached.expiresAt - 60_000 > Date.now()) return cached.token;
    const response = await fetch(`${httpBase(baseUrl)}/api/v1/auth/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`login refused (HTTP ${response.status})`);
    const answer = await response.json();
    cached = { token: answer.token, expiresAt: (answer.expires_at ?? 0) * 1000 };
    return cached.token;
  };
}

/** The Events Hub form's credentials: the SDK's own `login` option, or a pasted token. */
function hubCredentials(form) {
  const f = form.elements;
  switch (f.auth.value) {
    case "username": return { login: { username: f.username.value, password: f.password.value } };
    case "email": return { login: { email: f.email.value, password: f.password.value } };
    case "apikey": return { login: { apiKey: f.apikey.value } };
    case "token": return f.token.value.trim() ? { token: f.token.value.trim() } : {};
    default: return {};
  }
}

// ---- the sources ---------------------------------------------------------------------------------

export const HUB_CHANNELS = ["pdfm", "orchestrator", "job_manager", "stats", "system_logs", "reverse_proxy", "catalog_cache", "auth"];

const hub = {
  id: "hub",
  label: "Events Hub",
  long: "Parallels DevOps Events Hub",
  describe: describeHub,
  form() {
    return h("form", { class: "source-form", attrs: { "aria-label": "Events Hub connection" } },
      field("Server URL", text("url", origin), "http(s) or ws(s); /api/v1/ws/subscribe is added"),
      checks("Channels", "channels", HUB_CHANNELS, ["pdfm", "orchestrator", "job_manager", "stats", "system_logs"]),
      field("Sign in with", select("auth", [
        ["username", "Login: username + password"],
        ["email", "Login: email + password"],
        ["apikey", "Login: API key"],
        ["token", "A token I paste (JWT)"],
      ], "username"), "The SDK logs in (POST /api/v1/auth/token), logs in again before the token expires, and checks it before reusing it on a reconnect"),
      when("auth=username", field("Username", text("username", "admin"))),
      when("auth=email", field("Email", text("email", "admin@localhost", { type: "email" }))),
      when("auth=username|email", field("Password", secret("password", "admin"))),
      when("auth=apikey", field("API key", secret("apikey", "c2ltOmluZnJhLWV2ZW50cy1zaW0="), "base64(key:secret)")),
      when("auth=token", field("Token", secret("token", ""))),
      field("Token travels in", select("tokenParam", [
        ["access_token", "query parameter access_token"],
        ["authorization", "query parameter authorization"],
      ], "access_token"), "Browsers cannot set headers on a WebSocket; the Events Hub takes no subprotocol"),
      field("Health ping every (s)", text("ping", "5", { type: "number", min: "0", step: "1" }), "the Events Hub's own health ping finds a link that died without a close; 0: off"),
    );
  },
  connect(form, sink) {
    const f = form.elements;
    const sub = subscribeEventsHub({
      url: f.url.value.trim(),
      channels: values(form, "channels"),
      ...hubCredentials(form),
      tokenParam: f.tokenParam.value,
      session: { pingIntervalMs: seconds(f.ping.value, 20), pongTimeoutMs: 4000 },
    });
    sub.onState(sink.state);
    sub.onEvent(sink.event);
    return sub;
  },
};

const lxd = {
  id: "lxd",
  label: "LXD",
  long: "LXD / Incus /1.0/events",
  describe: describeLxd,
  form() {
    return h("form", { class: "source-form", attrs: { "aria-label": "LXD connection" } },
      field("Server URL", text("url", origin), "the daemon, or a proxy to its unix socket; /1.0/events is added"),
      checks("Event types", "types", ["lifecycle", "operation", "logging"], ["lifecycle", "operation", "logging"]),
      field("Project", text("project", "default", { disabled: true, attrs: { list: "lxd-projects" } }), "the simulator knows default, staging and ci"),
      h("datalist", { id: "lxd-projects" }, ["default", "staging", "ci"].map((p) => h("option", { value: p }))),
      h("label", { class: "check" }, h("input", {
        type: "checkbox", name: "allProjects", checked: true,
        // One project or all of them: the daemon refuses both at once.
        on: { change: (e) => { e.target.form.elements.project.disabled = e.target.checked; } },
      }), "All projects"),
      field("Credentials", select("auth", [
        ["none", "None: TLS client certificate or a trusted proxy"],
        ["token", "A token in a query parameter"],
      ], "none")),
      when("auth=token", field("Token", secret("token", ""))),
      field("Reconnect when silent for (s)", text("idle", "10", { type: "number", min: "0", step: "1" }), "the simulator sends several events a second; 0: never"),
    );
  },
  connect(form, sink) {
    const f = form.elements;
    const all = f.allProjects.checked;
    const sub = subscribeLxd({
      url: f.url.value.trim(),
      types: values(form, "types"),
      project: all ? undefined : (f.project.value.trim() || undefined),
      allProjects: all,
      token: f.auth.value === "token" ? f.token.value.trim() : undefined,
      session: { idleTimeoutMs: seconds(f.idle.value, 0) },
    });
    sub.onState(sink.state);
    sub.onEvent(sink.event);
    return sub;
  },
};

const cloudevents = {
  id: "cloudevents",
  label: "CloudEvents",
  long: "CloudEvents over WebSocket (MetalSoft)",
  describe: describeCloudEvent,
  form() {
    return h("form", { class: "source-form", attrs: { "aria-label": "CloudEvents connection" } },
      field("WebSocket URL", text("url", `${origin}/cloudevents`), "used as it is; cloudevents.json is offered as the subprotocol"),
      field("Token", select("auth", [
        ["login", "From an Events Hub login"],
        ["token", "A token I paste"],
        ["none", "None"],
      ], "login")),
      when("auth=login", field("Login server", text("loginUrl", origin))),
      when("auth=login", field("Username", text("username", "admin"))),
      when("auth=login", field("Password", secret("password", "admin"))),
      when("auth=token", field("Token", secret("token", ""))),
      when("auth=login|token", field("Token travels in", select("tokenIn", [
        ["subprotocol", "subprotocol base64url.bearer.authorization.k8s.io.…"],
        ["query", "query parameter access_token"],
      ], "subprotocol"))),
      field("Reconnect when silent for (s)", text("idle", "10", { type: "number", min: "0", step: "1" }), "the simulator sends several events a second; 0: never"),
      field("Only types starting with", text("types", "", { placeholder: "server., user.  (empty: all)" }), "comma-separated, filtered in the page"),
    );
  },
  connect(form, sink) {
    const f = form.elements;
    const token = f.auth.value === "login"
      ? hubLogin(f.loginUrl.value.trim(), { username: f.username.value, password: f.password.value })
      : f.auth.value === "token" ? f.token.value.trim() : undefined;
    const prefixes = f.types.value.split(",").map((s) => s.trim()).filter(Boolean);
    const sub = subscribeCloudEvents({
      url: f.url.value.trim(),
      token,
      tokenIn: f.tokenIn.value,
      session: { idleTimeoutMs: seconds(f.idle.value, 0) },
    });
    sub.onState(sink.state);
    sub.onEvent((e) => {
      if (!prefixes.length || prefixes.some((p) => String(e.type).startsWith(p))) sink.event(e);
    });
    return sub;
  },
};

function conditionRow(fieldName = "severity", operator = "$in", value = "WARN, ERROR, FATAL") {
  const row = h("div", { class: "condition" },
    select("qfield", MWS_FIELDS.map((x) => [x, x]), fieldName),
    select("qop", MWS_OPERATORS.map(([op, label]) => [op, label]), operator),
    text("qvalue", value, { attrs: { "aria-label": "value" } }),
    h("button", { type: "button", class: "icon", attrs: { "aria-label": "remove this condition" }, text: "×", on: { click: () => { const form = row.form; row.remove(); form?.dispatchEvent(new Event("input")); } } }),
  );
  row.querySelector('[name="qfield"]').setAttribute("aria-label", "field");
  row.querySelector('[name="qop"]').setAttribute("aria-label", "operator");
  return row;
}

function readConditions(form) {
  return [...form.querySelectorAll(".condition")].map((row) => ({
    field: row.querySelector('[name="qfield"]').value,
    op: row.querySelector('[name="qop"]').value,
    value: row.querySelector('[name="qvalue"]').value,
  }));
}

const mws = {
  id: "mws",
  label: "MWS",
  long: "Moab Web Services events (polled)",
  describe: describeMws,
  form() {
    const conditions = h("div", { class: "conditions" });
    const preview = h("output", { class: "query-preview", attrs: { "aria-live": "polite" } });
    const form = h("form", { class: "source-form", attrs: { "aria-label": "MWS connection" } },
      field("MWS URL", text("url", origin), "MWS or a proxy to it; /mws/rest/events?api-version=3 is added"),
      field("Username", text("username", "admin")),
      field("Password", secret("password", "admin"), "HTTP Basic; refused over plain http:// to a host that is not loopback"),
      h("fieldset", { class: "builder" },
        h("legend", { text: "Query builder (all must match)" }),
        conditions,
        h("button", { type: "button", class: "small", text: "Add a condition", on: { click: () => { conditions.append(conditionRow("eventType", "$eq", "")); form.dispatchEvent(new Event("input")); } } }),
        h("div", { class: "preview-line" }, h("span", { text: "filter " }), preview)),
      field("Poll every (s)", text("every", "2", { type: "number", min: "0.5", step: "0.5" })),
      field("Start with events of the last (minutes)", text("since", "15", { type: "number", min: "0", step: "1" }), "then every new one, gap-free"),
    );
    conditions.append(conditionRow());
    const refresh = () => {
      try {
        preview.textContent = JSON.stringify(mwsFilter(readConditions(form))) ?? "(none: every event)";
        preview.classList.remove("bad");
      } catch (error) {
        preview.textContent = error.message;
        preview.classList.add("bad");
      }
    };
    form.addEventListener("input", refresh);
    form.addEventListener("change", refresh);
    queueMicrotask(refresh);
    return form;
  },
  connect(form, sink) {
    const f = form.elements;
    return connectMws({
      url: f.url.value.trim(),
      username: f.username.value,
      password: f.password.value,
      filter: mwsFilter(readConditions(form)),
      everyMs: Math.max(500, seconds(f.every.value, 2)),
      startMinutesAgo: Math.max(0, Number(f.since.value) || 0),
    }, sink);
  },
};

export const SOURCES = [hub, lxd, cloudevents, mws];

/** Builds a source's form, with its conditional fields wired. */
export function buildForm(source) {
  const form = source.form();
  conditional(form);
  return form;
}
