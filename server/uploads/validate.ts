import { crc32 } from 'node:zlib';
import { IMAGE_MAX_BYTES, IMAGE_MAX_PIXELS, IMAGE_MAX_SIDE, IMAGE_TOO_LARGE, type ImageExtension } from '../../src/lib/protocol/index.ts';

// What an uploaded file must be: one of four image formats, named so by the browser AND by its
// own bytes, and well-formed from its first byte to its end marker. Walking the structure (not
// just the first bytes) refuses polyglots such as a JPEG header followed by an HTML page.

// A 2 MB PNG of one colour can claim 30000 x 30000 pixels: the pixel bound keeps any phone photo
// and refuses such bombs.

export const IMAGE_MIME_TYPES: Record<ImageExtension, readonly string[]> = {
  png: ['image/png'],
  jpg: ['image/jpeg', 'image/jpg', 'image/pjpeg'],
  gif: ['image/gif'],
  webp: ['image/webp']
};

export type ImageCheck =
  | { ok: true; ext: ImageExtension; width: number; height: number }
  | { ok: false; status: 413 | 415 | 422; error: string };

const notAnImage = { ok: false, status: 415, error: 'Only PNG, JPEG, GIF and WebP images can be uploaded' } as const;
const damaged = { ok: false, status: 415, error: 'This image is damaged or not really an image' } as const;

/** The format the file's first bytes announce, or null. */
export function detectImageType(bytes: Uint8Array): ImageExtension | null {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length >= 8 && b.subarray(0, 8).equals(PNG_SIGNATURE)) return 'png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpg';
  if (b.length >= 6 && (b.toString('latin1', 0, 6) === 'GIF87a' || b.toString('latin1', 0, 6) === 'GIF89a')) return 'gif';
  if (b.length >= 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP') return 'webp';
  return null;
}

/** Checks an upload's bytes against its declared MIME type; answers the extension to store it under. */
export function checkImage(bytes: Buffer, declaredMime: string): ImageCheck {
  if (bytes.length > IMAGE_MAX_BYTES) return { ok: false, status: 413, error: IMAGE_TOO_LARGE };
  const ext = detectImageType(bytes);
  if (!ext) return notAnImage;
  const declared = declaredMime.toLowerCase().split(';')[0].trim();
  if (!IMAGE_MIME_TYPES[ext].includes(declared)) {
    return { ok: false, status: 415, error: `The file is a ${ext.toUpperCase()} image but was sent as ${declared || 'no type'}` };
  }
  const size = readStructure[ext](bytes);
  if (!size) return damaged;
  const { width, height } = size;
  if (width < 1 || height < 1) return damaged;
  if (width > IMAGE_MAX_SIDE || height > IMAGE_MAX_SIDE || width * height > IMAGE_MAX_PIXELS) {
    return { ok: false, status: 422, error: `Image is too large to show: at most ${IMAGE_MAX_PIXELS / 1_000_000} megapixels` };
  }
  return { ok: true, ext, width, height };
}

interface Size {
  width: number;
  height: number;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Chunk by chunk with CRCs: IHDR first, at least one IDAT, and nothing after IEND. */
function readPng(b: Buffer): Size | null {
  let pos = 8;
  let size: Size | null = null;
  let sawData = false;
  while (pos + 12 <= b.length) {
    const length = b.readUInt32BE(pos);
    const type = b.toString('latin1', pos + 4, pos + 8);
    const end = pos + 12 + length;
    if (!/^[A-Za-z]{4}$/.test(type) || end > b.length) return null;
    if (crc32(b.subarray(pos + 4, pos + 8 + length)) !== b.readUInt32BE(pos + 8 + length)) return null;
    if (size === null) {
      if (type !== 'IHDR' || length !== 13) return null;
      size = { width: b.readUInt32BE(pos + 8), height: b.readUInt32BE(pos + 12) };
    } else if (type === 'IDAT') {
      sawData = true;
    } else if (type === 'IEND') {
      return end === b.length && sawData ? size : null;
    }
    pos = end;
  }
  return null;
}

const SOF_MARKERS = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

/**
 * Segment by segment from SOI to EOI, through the entropy-coded data of every scan. Bytes after
 * EOI are allowed: phone cameras append metadata or a motion clip there, and no browser renders
 * them (the file is served as image/jpeg with nosniff).
 */
function readJpeg(b: Buffer): Size | null {
  let pos = 2;
  let size: Size | null = null;
  let sawScan = false;
  while (pos < b.length) {
    if (b[pos] !== 0xff) return null;
    while (pos < b.length && b[pos] === 0xff) pos++; // fill bytes
    if (pos >= b.length) return null;
    const marker = b[pos++];
    if (marker === 0xd9) return sawScan ? size : null;
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) continue; // no payload
    if (marker === 0xd8 || marker === 0x00) return null;
    if (pos + 2 > b.length) return null;
    const length = b.readUInt16BE(pos);
    if (length < 2 || pos + length > b.length) return null;
    if (SOF_MARKERS.has(marker)) {
      if (length < 8 || size) return null;
      size = { height: b.readUInt16BE(pos + 3), width: b.readUInt16BE(pos + 5) };
    }
    pos += length;
    if (marker === 0xda) {
      if (!size) return null;
      sawScan = true;
      // Entropy-coded data runs to the next marker; FF00 is an escaped byte, FFD0-FFD7 restarts.
      for (;;) {
        const ff = b.indexOf(0xff, pos);
        if (ff < 0 || ff + 1 >= b.length) return null;
        const next = b[ff + 1];
        if (next === 0x00 || (next >= 0xd0 && next <= 0xd7)) {
          pos = ff + 2;
          continue;
        }
        pos = ff;
        break;
      }
    }
  }
  return null;
}

/** Header, colour tables, then extension and image blocks up to the trailer, which ends the file. */
function readGif(b: Buffer): Size | null {
  if (b.length < 13) return null;
  const size = { width: b.readUInt16LE(6), height: b.readUInt16LE(8) };
  let pos = 13;
  if (b[10] & 0x80) pos += 3 * 2 ** ((b[10] & 0x07) + 1);
  let sawImage = false;

  const skipSubBlocks = (): boolean => {
    for (;;) {
      if (pos >= b.length) return false;
      const n = b[pos++];
      if (n === 0) return true;
      pos += n;
    }
  };

  while (pos < b.length) {
    const block = b[pos++];
    if (block === 0x3b) return sawImage && pos === b.length ? size : null;
    if (block === 0x21) {
      pos += 1; // label
      if (!skipSubBlocks()) return null;
    } else if (block === 0x2c) {
      if (pos + 9 > b.length) return null;
      const frameRight = b.readUInt16LE(pos) + b.readUInt16LE(pos + 4);
      const frameBottom = b.readUInt16LE(pos + 2) + b.readUInt16LE(pos + 6);
      // Browsers grow the canvas to fit a frame that sticks out.
      size.width = Math.max(size.width, frameRight);
      size.height = Math.max(size.height, frameBottom);
      const packed = b[pos + 8];
      pos += 9;
      if (packed & 0x80) pos += 3 * 2 ** ((packed & 0x07) + 1);
      if (pos >= b.length) return null;
      const minCodeSize = b[pos++];
      if (minCodeSize < 2 || minCodeSize > 11) return null;
      if (!skipSubBlocks()) return null;
      sawImage = true;
    } else {
      return null;
    }
  }
  return null;
}

/** RIFF whose size is the file's; chunks tile it exactly; the first one says how big the image is. */
function readWebp(b: Buffer): Size | null {
  if (b.readUInt32LE(4) + 8 !== b.length) return null;
  let pos = 12;
  let size: Size | null = null;
  let sawImage = false;
  let first = true;
  while (pos < b.length) {
    if (pos + 8 > b.length) return null;
    const type = b.toString('latin1', pos, pos + 4);
    const length = b.readUInt32LE(pos + 4);
    const data = pos + 8;
    if (data + length > b.length) return null;
    const chunk = b.subarray(data, data + length);
    if (type === 'VP8 ' || type === 'VP8L' || type === 'ANMF') sawImage = true;
    if (first) {
      size = type === 'VP8 ' ? vp8Size(chunk) : type === 'VP8L' ? vp8lSize(chunk) : type === 'VP8X' ? vp8xSize(chunk) : null;
      if (!size) return null;
      first = false;
    }
    pos = data + length + (length % 2);
  }
  return pos === b.length && sawImage ? size : null;
}

function vp8Size(c: Buffer): Size | null {
  // Key frame tag, then the start code 9D 01 2A, then 14-bit width and height.
  if (c.length < 10 || (c[0] & 0x01) !== 0 || c[3] !== 0x9d || c[4] !== 0x01 || c[5] !== 0x2a) return null;
  return { width: c.readUInt16LE(6) & 0x3fff, height: c.readUInt16LE(8) & 0x3fff };
}

function vp8lSize(c: Buffer): Size | null {
  if (c.length < 5 || c[0] !== 0x2f) return null;
  const bits = c.readUInt32LE(1);
  if (bits >>> 29 !== 0) return null; // version must be 0
  return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
}

function vp8xSize(c: Buffer): Size | null {
  if (c.length < 10) return null;
  return { width: c.readUIntLE(4, 3) + 1, height: c.readUIntLE(7, 3) + 1 };
}

const readStructure: Record<ImageExtension, (b: Buffer) => Size | null> = {
  png: readPng,
  jpg: readJpeg,
  gif: readGif,
  webp: readWebp
};
