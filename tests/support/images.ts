import { crc32, deflateSync } from 'node:zlib';

// Tiny real images for upload tests, built here (each one decodes in Chromium).

export function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A real RGB PNG; `padTo` adds a tEXt chunk so the file has exactly that many bytes. */
export function png({ width = 1, height = 1, padTo }: { width?: number; height?: number; padTo?: number } = {}): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(width * 3, 0xc0)]);
  const parts = [
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(Buffer.concat(Array.from({ length: height }, () => row))))
  ];
  const end = pngChunk('IEND', Buffer.alloc(0));
  if (padTo !== undefined) {
    const used = parts.reduce((n, p) => n + p.length, 0) + end.length + 12;
    const text = Buffer.alloc(padTo - used, 0x61);
    Buffer.from('Comment\0', 'latin1').copy(text);
    parts.push(pngChunk('tEXt', text));
  }
  return Buffer.concat([...parts, end]);
}
