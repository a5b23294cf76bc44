// A stroke's points packed into one short string (docs/architecture.md#drawings-are-packed).
//
// Bytes, then unpadded base64 (A-Z a-z 0-9 + /):
//   count            varint, the number of points
//   first pressure   varint, in hundredths (0..100)
//   pressure varies  one byte, 0 or 1
//   per point        zigzag varint dx, zigzag varint dy (tenths of a pixel, from the previous point;
//                    the first from 0,0), then, when pressure varies and for every point but the
//                    first, zigzag varint dp (hundredths)
// Every varint is LEB128 of at most three bytes in its shortest spelling; nothing may follow the
// last point. The editor rounds coordinates to tenths and pressure to hundredths already, so its
// points pack and unpack to exactly the same numbers.

export interface PackedPoint {
  x: number;
  y: number;
  pressure: number;
}

/** What a packed stroke may hold, in the units of the points (pixels, pressure 0..1). */
export interface PointBounds {
  minX: number;
  maxX: number;
  minY: number;
  maxY: number;
  maxPoints: number;
}

const COORD_SCALE = 10;
const PRESSURE_SCALE = 100;
/** 3 LEB128 bytes hold 21 bits: far more than any count or step a drawing needs. */
const MAX_VARINT_BYTES = 3;

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const BASE64_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < BASE64.length; i++) BASE64_VALUE[BASE64.charCodeAt(i)] = i;

const zigzag = (n: number) => (n >= 0 ? n * 2 : -n * 2 - 1);
const unzigzag = (n: number) => (n % 2 === 0 ? n / 2 : -(n + 1) / 2);

function varintLength(n: number): number {
  let length = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 0x80);
    length++;
  }
  return length;
}

/** Base64 characters (unpadded) for this many bytes. */
export function base64Length(bytes: number): number {
  return Math.ceil((bytes * 4) / 3);
}

class ByteWriter {
  bytes: number[] = [];

  varint(n: number): void {
    while (n >= 0x80) {
      this.bytes.push((n % 0x80) | 0x80);
      n = Math.floor(n / 0x80);
    }
    this.bytes.push(n);
  }
}

function toBase64(bytes: readonly number[]): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i];
    const b = bytes[i + 1] ?? 0;
    const c = bytes[i + 2] ?? 0;
    out += BASE64[a >> 2] + BASE64[((a & 3) << 4) | (b >> 4)];
    if (i + 1 < bytes.length) out += BASE64[((b & 15) << 2) | (c >> 6)];
    if (i + 2 < bytes.length) out += BASE64[c & 63];
  }
  return out;
}

/** The bytes of unpadded base64, or null when it is not exactly that (unknown characters, bad length, stray bits). */
function fromBase64(text: string): Uint8Array | null {
  if (text.length % 4 === 1) return null;
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let bits = 0;
  let held = 0;
  let o = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const value = code < 128 ? BASE64_VALUE[code] : -1;
    if (value < 0) return null;
    bits = (bits << 6) | value;
    held += 6;
    if (held >= 8) {
      held -= 8;
      out[o++] = (bits >> held) & 0xff;
      bits &= (1 << held) - 1;
    }
  }
  // The bits left over must be zero, so every byte string has one spelling.
  return bits === 0 ? out : null;
}

const toTenths = (v: number) => Math.round(v * COORD_SCALE);
const toHundredths = (v: number) => Math.round(v * PRESSURE_SCALE);

/** Packs points into the string form; coordinates round to tenths, pressure to hundredths. */
export function packPoints(points: readonly PackedPoint[]): string {
  const writer = new ByteWriter();
  const firstPressure = points.length > 0 ? toHundredths(points[0].pressure) : 0;
  const varies = points.some((p) => toHundredths(p.pressure) !== firstPressure);
  writer.varint(points.length);
  writer.varint(firstPressure);
  writer.varint(varies ? 1 : 0);
  let x = 0;
  let y = 0;
  let pressure = firstPressure;
  points.forEach((p, i) => {
    const px = toTenths(p.x);
    const py = toTenths(p.y);
    writer.varint(zigzag(px - x));
    writer.varint(zigzag(py - y));
    x = px;
    y = py;
    if (varies && i > 0) {
      const pp = toHundredths(p.pressure);
      writer.varint(zigzag(pp - pressure));
      pressure = pp;
    }
  });
  return toBase64(writer.bytes);
}

class ByteReader {
  #bytes: Uint8Array;
  offset = 0;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  get done(): boolean {
    return this.offset >= this.#bytes.length;
  }

  /** The next varint, or null when it is cut short, longer than three bytes or not in its shortest spelling. */
  varint(): number | null {
    let value = 0;
    let scale = 1;
    for (let n = 0; n < MAX_VARINT_BYTES; n++) {
      if (this.offset >= this.#bytes.length) return null;
      const byte = this.#bytes[this.offset++];
      value += (byte & 0x7f) * scale;
      scale *= 0x80;
      if ((byte & 0x80) === 0) return n > 0 && byte === 0 ? null : value;
    }
    return null;
  }
}

export type UnpackResult = { ok: true; points: PackedPoint[] } | { ok: false; problem: string };

/**
 * Unpacks and checks a packed stroke. Bounded work: it refuses before allocating more than
 * `bounds.maxPoints` points, and reads each byte once.
 */
export function unpackPoints(text: string, bounds: PointBounds): UnpackResult {
  const fail = (problem: string): UnpackResult => ({ ok: false, problem });
  const bytes = fromBase64(text);
  if (!bytes) return fail('Stroke points are not valid base64');
  const reader = new ByteReader(bytes);
  const count = reader.varint();
  const firstPressure = reader.varint();
  const varies = reader.varint();
  if (count === null || firstPressure === null || varies === null) return fail('Stroke points are cut short');
  if (count < 2) return fail('A stroke needs at least two points');
  if (count > bounds.maxPoints) return fail(`A stroke may hold at most ${bounds.maxPoints} points`);
  // Each point takes at least two bytes: a count the bytes cannot hold is refused before allocating.
  if (count * 2 > bytes.length) return fail('Stroke points are cut short');
  if (firstPressure > PRESSURE_SCALE) return fail('Pressure must be between 0 and 1');
  if (varies > 1) return fail('Stroke points have an unknown pressure flag');
  const minX = Math.round(bounds.minX * COORD_SCALE);
  const maxX = Math.round(bounds.maxX * COORD_SCALE);
  const minY = Math.round(bounds.minY * COORD_SCALE);
  const maxY = Math.round(bounds.maxY * COORD_SCALE);
  const points: PackedPoint[] = new Array(count);
  let x = 0;
  let y = 0;
  let pressure = firstPressure;
  for (let i = 0; i < count; i++) {
    const dx = reader.varint();
    const dy = reader.varint();
    if (dx === null || dy === null) return fail('Stroke points are cut short or malformed');
    x += unzigzag(dx);
    y += unzigzag(dy);
    if (x < minX || x > maxX || y < minY || y > maxY) return fail('A stroke point is too far off the canvas');
    if (varies === 1 && i > 0) {
      const dp = reader.varint();
      if (dp === null) return fail('Stroke points are cut short or malformed');
      pressure += unzigzag(dp);
      if (pressure < 0 || pressure > PRESSURE_SCALE) return fail('Pressure must be between 0 and 1');
    }
    points[i] = { x: x / COORD_SCALE, y: y / COORD_SCALE, pressure: pressure / PRESSURE_SCALE };
  }
  if (!reader.done) return fail('Stroke points have bytes after the last point');
  return { ok: true, points };
}

/** The point count a packed stroke announces (0 when it cannot be read): cheap, for totals. */
export function packedPointCount(text: string): number {
  const bytes = fromBase64(text.slice(0, 4));
  if (!bytes) return 0;
  return new ByteReader(bytes).varint() ?? 0;
}

/**
 * The packed size of a stroke as it grows, point by point, without packing it again: the editor
 * stops a stroke before the drawing passes its byte budget.
 */
export class PackedSize {
  #count = 0;
  #firstPressure = 0;
  #last = { x: 0, y: 0, pressure: 0 };
  #coordBytes = 0;
  #pressureBytes = 0;
  #varies = false;

  /** Base64 characters of the packed points so far (0 before the first point). */
  get chars(): number {
    return this.#count === 0 ? 0 : base64Length(this.#bytes(this.#count, this.#coordBytes, this.#pressureBytes, this.#varies));
  }

  /** Base64 characters the packed points would take with one more point. */
  charsWith(point: PackedPoint): number {
    const step = this.#step(point);
    return base64Length(this.#bytes(this.#count + 1, this.#coordBytes + step.coordBytes, this.#pressureBytes + step.pressureBytes, step.varies));
  }

  add(point: PackedPoint): void {
    const step = this.#step(point);
    if (this.#count === 0) this.#firstPressure = toHundredths(point.pressure);
    this.#count++;
    this.#coordBytes += step.coordBytes;
    this.#pressureBytes += step.pressureBytes;
    this.#varies = step.varies;
    this.#last = { x: toTenths(point.x), y: toTenths(point.y), pressure: toHundredths(point.pressure) };
  }

  #step(point: PackedPoint) {
    const x = toTenths(point.x);
    const y = toTenths(point.y);
    const pressure = toHundredths(point.pressure);
    const first = this.#count === 0;
    return {
      coordBytes: varintLength(zigzag(x - this.#last.x)) + varintLength(zigzag(y - this.#last.y)),
      pressureBytes: first ? 0 : varintLength(zigzag(pressure - this.#last.pressure)),
      varies: this.#varies || (!first && pressure !== this.#firstPressure)
    };
  }

  #bytes(count: number, coordBytes: number, pressureBytes: number, varies: boolean): number {
    // The first pressure (0..100) and the flag take one byte each.
    return varintLength(count) + 2 + coordBytes + (varies ? pressureBytes : 0);
  }
}
