// Format checks for the ajv comparison validators. build.mjs registers these with ajv at compile
// time and copies this file next to the generated modules, which import it: ajv cannot inline a
// function into standalone code, so both must read the same table.
//
// Each check is deliberately cheap (one regex, a few comparisons): the comparison is about the
// cost of checking the shape of a frame, and a heavyweight format library would measure itself.

const DATE_TIME = /^(\d{4})-(\d\d)-(\d\d)[Tt](\d\d):(\d\d):(\d\d)(?:\.\d+)?(?:[Zz]|[+-](\d\d):(\d\d))$/;
const DAYS = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

// RFC 3339 section 5.6, with the calendar checked (Feb 29 only in leap years) and a leap second
// allowed, as the RFC does.
function dateTime(text) {
  const m = DATE_TIME.exec(text);
  if (m === null) return false;
  const year = +m[1];
  const month = +m[2];
  const day = +m[3];
  if (month < 1 || month > 12 || day < 1 || day > DAYS[month]) return false;
  if (month === 2 && day === 29 && !(year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0))) return false;
  if (+m[4] > 23 || +m[5] > 59 || +m[6] > 60) return false;
  return m[7] === undefined || (+m[7] <= 23 && +m[8] <= 59);
}

// schemars puts these on integers and floats; they apply to numbers only (ajv skips them on any
// other type). Above 2^53 a JSON number is already rounded by JSON.parse, so a range check is all
// that can be meant for the 64-bit ones.
const integerIn = (min, max) => ({
  type: "number",
  validate: (n) => Number.isInteger(n) && n >= min && n <= max,
});

export default {
  "date-time": dateTime,
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
  // MWS's own date form: one-second resolution, always UTC.
  "mws-date": /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/,
  uri: /^[A-Za-z][A-Za-z0-9+.-]*:\S*$/,
  "uri-reference": /^\S*$/,
  "media-type": /^[\w!#$&^.+-]+\/[\w!#$&^.+-]+(?:\s*;.*)?$/,
  base64: /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/,
  uint32: integerIn(0, 0xffffffff),
  int32: integerIn(-0x80000000, 0x7fffffff),
  uint64: integerIn(0, 2 ** 64),
  int64: integerIn(-(2 ** 63), 2 ** 63),
  double: { type: "number", validate: Number.isFinite },
};
