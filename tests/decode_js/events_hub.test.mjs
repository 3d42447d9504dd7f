// `decodeHubEvent` as an app calls it: the object is the wire's, unknowns are marked, errors are
// `DecodeError`s.
import test from "node:test";
import assert from "node:assert/strict";
import { decodeHubEvent, isDecodeError } from "../../pkg/node.js";
import { fixture, frames, thrown } from "./fixtures.mjs";

const PROTOCOL_NOTES = frames(fixture("events_hub/protocol_notes.jsonl"));
const SEEDS = frames(fixture("events_hub/seeds.jsonl"));
const EVERY_MESSAGE = frames(fixture("events_hub/every_message.jsonl"));
const UNKNOWN = frames(fixture("events_hub/unknown.jsonl"));
const FORWARDED_UNKNOWN = frames(fixture("events_hub/forwarded_unknown.jsonl"));

const VM_ADDED = PROTOCOL_NOTES.find((l) => l.includes('"VM_ADDED"'));

function decode(text) {
  try {
    return decodeHubEvent(text);
  } catch (e) {
    throw new Error(`${e.message}: ${text}`, { cause: e });
  }
}

function assertDecodeError(e, kind, path) {
  assert.ok(e instanceof Error, "an Error");
  assert.ok(isDecodeError(e));
  assert.equal(e.name, "DecodeError");
  assert.equal(e.source, "events-hub");
  assert.equal(e.kind, kind, e.message);
  assert.equal(e.path, path, e.message);
  assert.equal(typeof e.line, "number");
  assert.equal(typeof e.column, "number");
}

/** A syntax error is placed by line and column: on the offending text or just past it. */
function assertLocated(e, line, firstColumn, lastColumn) {
  assert.equal(e.line, line, e.message);
  assert.ok(e.column >= firstColumn && e.column <= lastColumn, `column ${e.column} not in ${firstColumn}..${lastColumn}: ${e.message}`);
}

test("events_hub_welcome_is_the_wire_object", () => {
  const e = decode(PROTOCOL_NOTES[0]);
  assert.equal(e.event_type, "global");
  assert.equal(e.message, "WebSocket connection established subscribed to global by default");
  assert.equal(e.body.client_id, "1a2ac654-564c-4e9e-abab-ad4e390b74f9");
  assert.ok(Array.isArray(e.body.subscriptions), "an array");
  assert.equal(e.body.subscriptions.length, 3);
  assert.ok(!("unknown" in e), "known frames carry no marker");
  assert.ok(!("ref_id" in e) && !("client_id" in e));
});

test("events_hub_vm_added_keeps_the_prlctl_keys", () => {
  const vm = decode(VM_ADDED).body.new_vm;
  assert.equal(vm["Home path"], "/Users/builder/Parallels/runner.macvm/config.pvs");
  assert.equal(vm.State, "stopped");
  assert.equal(vm.Hardware.cpu.cpus, 4);
  assert.equal(vm["Host Shared Folders"], null);
  assert.equal(vm["Startup and Shutdown"].Autostop, "suspend");
});

test("events_hub_every_known_fixture_becomes_its_json_parse_object", () => {
  let count = 0;
  for (const text of [...PROTOCOL_NOTES, ...SEEDS, ...EVERY_MESSAGE]) {
    const decoded = decode(text);
    assert.ok(!("unknown" in decoded), text);
    assert.equal(JSON.stringify(decoded), JSON.stringify(JSON.parse(text)), text);
    count += 1;
  }
  assert.ok(count > 80, `${count}`);
});

test("events_hub_unknown_frames_carry_unknown_true_and_their_body", () => {
  for (const text of UNKNOWN) {
    const e = decode(text);
    assert.equal(e.unknown, true, text);
    const parsed = JSON.parse(text);
    assert.equal(JSON.stringify(e.body), JSON.stringify(parsed.body), text);
    assert.equal(e.message, parsed.message);
  }
});

test("events_hub_an_unknown_forwarded_frame_is_marked_where_it_sits", () => {
  for (const text of FORWARDED_UNKNOWN) {
    const e = decode(text);
    assert.ok(!("unknown" in e), `the orchestrator frame itself is known: ${text}`);
    assert.match(e.message, /^HOST_/);
    assert.equal(e.body?.event?.unknown, true, text);
  }
  const known = PROTOCOL_NOTES.find((l) => l.includes("HOST_REVERSE_PROXY_UPDATED"));
  assert.ok(!("unknown" in decode(known).body.event));
});

test("events_hub_bad_frames_throw_decode_errors", () => {
  // `nope` starts at column 8; the scan may stop on any of its letters or just after it.
  const syntax = thrown(decodeHubEvent, '{"id": nope}');
  assertDecodeError(syntax, "syntax", "");
  assertLocated(syntax, 1, 8, 12);

  const half = VM_ADDED.slice(0, Math.floor(VM_ADDED.length / 2));
  const truncated = thrown(decodeHubEvent, half);
  assertDecodeError(truncated, "truncated", "");
  assertLocated(truncated, 1, half.length, half.length + 1);

  const hibernated = VM_ADDED.replace('"State":"stopped"', '"State":"hibernated"');
  assert.notEqual(hibernated, VM_ADDED);
  const e = thrown(decodeHubEvent, hibernated);
  assertDecodeError(e, "shape", "body.new_vm.State");
  // Shape errors are placed by path alone: the decoder reports no position for them.
  assert.equal(e.line, 0);
  assert.equal(e.column, 0);

  const pong = '{"id":"a","event_type":"health","timestamp":"2026-08-18T09:14:32.5Z","message":"pong","client_id":"c"}';
  assertDecodeError(thrown(decodeHubEvent, pong), "spec", "ref_id");
  // By code point, as Rust's chars().take(64) counted.
  assert.equal(thrown(decodeHubEvent, pong).inputHead, [...pong].slice(0, 64).join(""));
});

test("events_hub_a_value_that_is_not_a_string_is_a_decode_error", () => {
  assertDecodeError(thrown(decodeHubEvent, 5), "syntax", "");
  const object = JSON.parse(PROTOCOL_NOTES[0]);
  assertDecodeError(thrown(decodeHubEvent, object), "syntax", "");
});
