// `decodeCloudEvent` and `decodeCloudEventBatch` as an app calls them: MetalSoft's types typed,
// every other type marked unknown, the wire kept as sent, and the spec's rules enforced.
import test from "node:test";
import assert from "node:assert/strict";
import { decodeCloudEvent, decodeCloudEventBatch, isDecodeError } from "../../pkg/node.js";
import { fixture, frames, thrown } from "./fixtures.mjs";

const EXAMPLES = frames(fixture("cloudevents/metalsoft-examples.jsonl"));
const STRUCTURES = frames(fixture("cloudevents/metalsoft-structures.jsonl"));
const VARIANTS = frames(fixture("cloudevents/metalsoft-variants.jsonl"));
const CONFORMANCE = frames(fixture("cloudevents/conformance.jsonl"));
const OTHER_TYPES = frames(fixture("cloudevents/other-types.jsonl"));
const BATCHES = frames(fixture("cloudevents/batches.jsonl"));
const INVALID = fixture("cloudevents/invalid.jsonl");
const INVALID_BATCHES = fixture("cloudevents/invalid-batches.jsonl");
const INVALID_PRETTY = fixture("cloudevents/invalid-pretty.json");

/** The documents of a fixture with `#> KIND PATH` expectations, as [kind, path, document]. */
// `#js> KIND PATH` after a `#>` line overrides it for these decoders, which see the object
// JSON.parse built: `#js> accepted` for what that object cannot show (a duplicate member, the
// exponent form of a number).
function expectedErrors(text) {
  let pending = null;
  const cases = [];
  for (const line of text.split("\n").map((l) => l.trim())) {
    if (line.startsWith("#js>") || line.startsWith("#>")) {
      const [kind, path] = line.slice(line.indexOf(">") + 1).trim().split(/\s+/);
      pending = [kind, path === "-" || path === undefined ? "" : path];
    } else if (line !== "" && !line.startsWith("#")) {
      assert.ok(pending, `no expectation before ${line}`);
      cases.push([...pending, line]);
      pending = null;
    }
  }
  return cases;
}

test("cloudevents_metalsoft_event_becomes_the_wire_object", () => {
  const afterAgent = EXAMPLES.find((l) => l.includes('"monitoringAgentResult"'));
  const event = decodeCloudEvent(afterAgent);
  assert.equal(event.type, "server.health.state.degraded");
  assert.equal(event.specversion, "1.0");
  assert.equal(event.data.monitoringAgentPrompted, true);
  assert.ok(event.data.monitoringAgentResult.startsWith("<p>"));
  assert.equal(event.data.serverId, "123", "ids stay strings");
  assert.ok(!("unknown" in event), "typed events carry no marker");
});

test("cloudevents_every_metalsoft_fixture_is_typed_and_exactly_the_wire", () => {
  const all = [...EXAMPLES, ...STRUCTURES, ...VARIANTS];
  assert.equal(all.length, 42 + 41 + 11);
  for (const text of all) {
    const event = decodeCloudEvent(text);
    assert.ok(!("unknown" in event), text);
    assert.equal(JSON.stringify(event), JSON.stringify(JSON.parse(text)), text);
  }
});

test("cloudevents_other_types_are_marked_unknown_with_data_kept", () => {
  const all = [...CONFORMANCE, ...OTHER_TYPES];
  for (const text of all) {
    const event = decodeCloudEvent(text);
    assert.equal(event.unknown, true, text);
    const wire = JSON.parse(text);
    wire.unknown = true;
    assert.equal(JSON.stringify(event), JSON.stringify(wire), `the wire plus the marker: ${text}`);
  }
  const jsonString = decodeCloudEvent(CONFORMANCE[2]);
  assert.equal(jsonString.data, "Hello, 🌎!", "a JSON string payload is not parsed again");
  assert.ok(Array.isArray(decodeCloudEvent(CONFORMANCE[4]).data));
  assert.equal(decodeCloudEvent(CONFORMANCE[6]).comexampleextension1, "value");
  const binary = decodeCloudEvent(CONFORMANCE[11]);
  assert.equal(binary.data_base64, "eyJoZWxsbyI6IndvcmxkIn0=");
  assert.ok(!("data" in binary));

  // A producer's `unknown` gives way to the marker, and keeps a documented type untyped.
  const marked = all.find((l) => l.includes('"v-12"'));
  const event = decodeCloudEvent(marked);
  assert.deepEqual([event.unknown, event.type], [true, "user.2fa.enabled"]);
});

test("cloudevents_extensions_and_nulls_are_kept_as_sent", () => {
  const traced = decodeCloudEvent(VARIANTS[2]);
  assert.equal(traced.traceparent, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
  assert.equal(traced.sequence, 42);
  assert.equal(traced.replayed, false);
  const nulls = decodeCloudEvent(VARIANTS[3]);
  assert.ok(nulls.time === null && nulls.traceparent === null, "null attributes stay null");
});

test("cloudevents_batch_marks_each_element_on_its_own", () => {
  const empty = decodeCloudEventBatch(BATCHES[0]);
  assert.ok(Array.isArray(empty));
  assert.equal(empty.length, 0);
  const mixed = decodeCloudEventBatch(BATCHES[2]);
  assert.equal(mixed.length, 3);
  assert.ok(!("unknown" in mixed[0]));
  assert.equal(mixed[1].unknown, true);
  assert.ok(!("unknown" in mixed[2]));
  assert.equal(mixed[2].type, "server.health.state.degraded");
  for (const text of BATCHES) {
    const array = decodeCloudEventBatch(text);
    assert.ok(Array.isArray(array), text);
    assert.equal(array.length, JSON.parse(text).length, text);
  }

  // Every single-event fixture, as one batch: each element as it decodes alone.
  const singles = [...EXAMPLES, ...STRUCTURES, ...VARIANTS, ...CONFORMANCE, ...OTHER_TYPES];
  const batch = decodeCloudEventBatch(`[${singles.join(",")}]`);
  assert.equal(batch.length, singles.length);
  singles.forEach((text, i) => {
    assert.equal(JSON.stringify(batch[i]), JSON.stringify(decodeCloudEvent(text)), text);
  });
});

test("cloudevents_bad_frames_throw_decode_errors", () => {
  let error = thrown(decodeCloudEvent, INVALID_PRETTY);
  assert.ok(error instanceof Error);
  assert.equal(error.name, "DecodeError");
  assert.equal(error.source, "cloudevents");
  assert.equal(error.kind, "shape");
  assert.equal(error.path, "data.serverTypeId");
  // Shape errors are placed by path alone: the decoder reports no position for them.
  assert.equal(error.line, 0);
  assert.equal(error.column, 0);
  assert.ok(isDecodeError(error));

  const spec = '{"specversion": "1.0", "id": "a", "type": "t", "source": "/s", "time": "noon"}';
  error = thrown(decodeCloudEvent, spec);
  assert.deepEqual([error.kind, error.path], ["spec", "time"]);
  assert.equal(error.line, 0, "a rule, not a position");

  assert.equal(thrown(decodeCloudEvent, 1).kind, "syntax");
  assert.equal(thrown(decodeCloudEventBatch, null).kind, "syntax");

  assert.equal(thrown(decodeCloudEvent, EXAMPLES[0].slice(0, 50)).kind, "truncated");
});

test("cloudevents_every_invalid_fixture_throws_with_its_kind_and_path", () => {
  // Every document is tried before failing, so one run lists all that the decoder gets wrong.
  const wrong = [];
  for (const [decode, name, text] of [
    [decodeCloudEvent, "decodeCloudEvent", INVALID],
    [decodeCloudEventBatch, "decodeCloudEventBatch", INVALID_BATCHES],
  ]) {
    for (const [kind, fixturePath, doc] of expectedErrors(text)) {
      // Syntax errors are now placed by line and column, and carry no path.
      const located = kind === "syntax" || kind === "truncated";
      const expected = { name: "DecodeError", kind, path: located ? "" : fixturePath, ...(located && { located: true }) };
      let observed;
      if (kind === "accepted") {
        try {
          decode(doc);
        } catch (e) {
          wrong.push(`${name}: expected it accepted, observed ${e?.kind} at ${e?.path}: ${doc}`);
        }
        continue;
      }
      try {
        observed = { returned: decode(doc) };
      } catch (e) {
        observed = { name: e?.name, kind: e?.kind, path: e?.path, ...(located && { located: e?.line > 0 && e?.column > 0 }) };
      }
      try {
        assert.deepEqual(observed, expected);
      } catch {
        wrong.push(`${name}: expected ${JSON.stringify(expected)}, observed ${JSON.stringify(observed)}: ${doc}`);
      }
    }
  }
  assert.deepEqual(wrong, []);
});
