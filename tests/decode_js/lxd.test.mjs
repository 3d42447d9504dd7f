// `decodeLxdEvent` as an app calls it: the object is the wire's, unknowns carry
// `unknown === true`, and bad frames throw a `DecodeError`.
import test from "node:test";
import assert from "node:assert/strict";
import { decodeLxdEvent, isDecodeError } from "../../pkg/node.js";
import { fixture, frames, thrown } from "./fixtures.mjs";

const LXD_502 = frames(fixture("lxd/lxd-5.0.2.jsonl"));
const INCUS_604 = frames(fixture("lxd/incus-6.0.4.jsonl"));
const SEED_ACTIONS = frames(fixture("lxd/seed-actions.jsonl"));
const DOCS = frames(fixture("lxd/docs-examples.jsonl"));

const PROFILE_RENAMED = '{"type":"lifecycle","timestamp":"2026-11-21T05:12:09.125618258Z","metadata":{"action":"profile-renamed","source":"/1.0/profiles/p2","context":{"old_name":"p1"},"requestor":{"username":"root","protocol":"unix","address":"@"}},"location":"none","project":"default"}';

function decode(text) {
  try {
    return decodeLxdEvent(text);
  } catch (e) {
    throw new Error(`${text}: ${e.message}`, { cause: e });
  }
}

function decodeError(value) {
  const e = thrown(decodeLxdEvent, value);
  assert.ok(e instanceof Error);
  assert.ok(isDecodeError(e));
  assert.equal(e.name, "DecodeError");
  assert.equal(e.source, "lxd");
  return e;
}

test("lxd_known_frame_is_the_wire_object", () => {
  const e = decode(PROFILE_RENAMED);
  assert.equal(e.type, "lifecycle");
  assert.equal(e.location, "none");
  assert.equal(e.project, "default");
  assert.equal(e.metadata.action, "profile-renamed");
  assert.equal(e.metadata.context.old_name, "p1");
  assert.equal(e.metadata.requestor.address, "@");
  assert.ok(!("unknown" in e));
});

test("lxd_every_fixture_frame_decodes_to_what_json_parse_gives", () => {
  let count = 0;
  for (const line of [...LXD_502, ...INCUS_604, ...SEED_ACTIONS, ...DOCS]) {
    const decoded = decode(line);
    assert.ok(!("unknown" in decoded), line);
    assert.equal(JSON.stringify(decoded), JSON.stringify(JSON.parse(line)), line);
    count += 1;
  }
  assert.ok(count > 1000, `${count} frames`);
});

test("lxd_logging_and_operation_frames_keep_their_fields", () => {
  const logging = LXD_502.find((l) => l.includes('"type":"logging"'));
  let e = decode(logging);
  assert.equal(e.type, "logging");
  assert.equal(typeof e.metadata.message, "string");
  assert.ok(!("project" in e));

  const op = INCUS_604.find((l) => l.includes('"class":"token"'));
  e = decode(op);
  assert.equal(e.metadata.class, "token");
  assert.equal(typeof e.metadata.status_code, "number");
});

test("lxd_unknown_type_is_marked_and_keeps_its_metadata", () => {
  const text = '{"type":"network-acl","timestamp":"2026-11-21T05:12:09Z","metadata":{"proto":"TCP"},"location":"none"}';
  const e = decode(text);
  assert.equal(e.unknown, true);
  assert.equal(e.type, "network-acl");
  assert.equal(e.metadata.proto, "TCP");
});

test("lxd_unknown_action_is_marked_and_keeps_its_metadata", () => {
  const e = decode(PROFILE_RENAMED.replaceAll("profile-renamed", "storage-bucket-created"));
  assert.equal(e.unknown, true);
  assert.equal(e.type, "lifecycle");
  assert.equal(e.metadata.action, "storage-bucket-created");
  assert.equal(e.metadata.context.old_name, "p1");
});

test("lxd_a_frame_carrying_the_marker_key_ends_up_marked_true", () => {
  const e = decode(PROFILE_RENAMED.replace("{", '{"unknown":false,'));
  assert.equal(e.unknown, true);
  assert.equal(e.metadata.action, "profile-renamed");
});

test("lxd_bad_frames_throw_decode_errors_with_kind_and_path", () => {
  let e = decodeError("not json");
  assert.equal(e.kind, "syntax");

  e = decodeError(PROFILE_RENAMED.slice(0, 80));
  assert.equal(e.kind, "truncated");

  e = decodeError(PROFILE_RENAMED.replaceAll('"old_name":"p1"', '"old_name":1'));
  assert.equal(e.kind, "shape");
  assert.equal(e.path, "metadata.context.old_name");
  // Shape errors are placed by path alone: the decoder reports no position for them.
  assert.equal(e.line, 0);
  assert.equal(e.column, 0);

  e = decodeError(PROFILE_RENAMED.replaceAll("2026-11-21T05:12:09.125618258Z", "2026-11-21 05:12:09"));
  assert.equal(e.kind, "spec");
  assert.equal(e.path, "timestamp");
  assert.ok(e.inputHead.startsWith('{"type":"lifecycle"'));
});

test("lxd_a_non_string_argument_is_a_decode_error", () => {
  assert.equal(decodeError(42).kind, "syntax");
  assert.equal(decodeError(null).kind, "syntax");
});
