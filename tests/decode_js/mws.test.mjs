// `decodeMwsEvent` and `decodeMwsEventList` as an app calls them: MWS's own JSON, never marked
// unknown, and bad bodies throw a `DecodeError`.
import test from "node:test";
import assert from "node:assert/strict";
import { decodeMwsEvent, decodeMwsEventList, isDecodeError } from "../../pkg/node.js";
import { fixture, thrown } from "./fixtures.mjs";

const EVENT = '{"arguments":[],"associatedObjects":[{"type":"VM","id":"vm1"}],"code":234881023,"eventDate":"2024-06-10 17:13:31 UTC","eventType":"VM Provision","message":null,"origin":"CSA Plugin","severity":"INFO","id":"51b6093bc4aa708a5bebb6ae"}';
const LIST = fixture("mws/list.json");

test("mws_event_becomes_the_wire_object", () => {
  const event = decodeMwsEvent(EVENT);
  assert.equal(event.eventType, "VM Provision");
  assert.equal(event.message, null, "null stays null");
  assert.equal(event.code, 234881023);
  assert.equal(event.unknown, undefined, "MWS events are never marked unknown");
  assert.equal(event.associatedObjects[0].type, "VM");
});

test("mws_list_keeps_fields_we_do_not_model", () => {
  const text = LIST.replace('"totalCount":2', '"totalCount":2,"extra":"kept"');
  assert.notEqual(text, LIST);
  const list = decodeMwsEventList(text);
  assert.equal(list.extra, "kept");
  assert.equal(list.results.length, 2);
});

test("mws_bad_frames_throw_decode_errors", () => {
  const bad = EVENT.replaceAll('"origin":"CSA Plugin"', '"origin":1');
  const error = thrown(decodeMwsEvent, bad);
  assert.ok(error instanceof Error);
  assert.equal(error.name, "DecodeError");
  assert.equal(error.source, "mws");
  assert.equal(error.kind, "shape");
  assert.equal(error.path, "origin");
  assert.ok(isDecodeError(error));

  const truncated = thrown(decodeMwsEventList, LIST.slice(0, 40));
  assert.equal(truncated.kind, "truncated");

  const notText = thrown(decodeMwsEvent, 42);
  assert.equal(notText.kind, "syntax");
  assert.ok(!isDecodeError("DecodeError"));
});
