import { describe, expect, it } from 'vitest';
import { floodFill, hexToRgba, type PixelBuffer, type Rgba } from './floodFill';

const WHITE: Rgba = [255, 255, 255, 255];
const BLACK: Rgba = [0, 0, 0, 255];
const RED: Rgba = [255, 0, 0, 255];

function buffer(rows: string[]): PixelBuffer {
  // '#' is black, '.' is white, 'r' is red.
  const height = rows.length;
  const width = rows[0].length;
  const data = new Uint8ClampedArray(width * height * 4);
  rows.forEach((row, y) =>
    [...row].forEach((ch, x) => data.set(ch === '#' ? BLACK : ch === 'r' ? RED : WHITE, (y * width + x) * 4))
  );
  return { width, height, data };
}

function picture(b: PixelBuffer): string[] {
  const rows: string[] = [];
  for (let y = 0; y < b.height; y++) {
    let row = '';
    for (let x = 0; x < b.width; x++) {
      const i = (y * b.width + x) * 4;
      const px = [b.data[i], b.data[i + 1], b.data[i + 2], b.data[i + 3]];
      row += px.join() === BLACK.join() ? '#' : px.join() === RED.join() ? 'r' : px.join() === WHITE.join() ? '.' : '?';
    }
    rows.push(row);
  }
  return rows;
}

describe('scanline flood fill', () => {
  it('fills a bounded region and nothing outside it', () => {
    const b = buffer([
      '..........',
      '.######...',
      '.#....#...',
      '.#....#...',
      '.######...',
      '..........'
    ]);
    expect(floodFill(b, 3, 2, RED)).toBe(8);
    expect(picture(b)).toEqual([
      '..........',
      '.######...',
      '.#rrrr#...',
      '.#rrrr#...',
      '.######...',
      '..........'
    ]);
  });

  it('fills around obstacles and into concave pockets', () => {
    const b = buffer([
      '.....',
      '.###.',
      '.#.#.',
      '...#.',
      '####.'
    ]);
    const filled = floodFill(b, 0, 0, RED);
    expect(picture(b)).toEqual([
      'rrrrr',
      'r###r',
      'r#r#r',
      'rrr#r',
      '####r'
    ]);
    expect(filled).toBe(15);
  });

  it('does not leak through diagonal gaps (four-connected)', () => {
    const b = buffer([
      '..#..',
      '.#.#.',
      '#...#',
      '.#.#.',
      '..#..'
    ]);
    floodFill(b, 2, 2, RED);
    expect(picture(b)).toEqual([
      '..#..',
      '.#r#.',
      '#rrr#',
      '.#r#.',
      '..#..'
    ]);
  });

  it('does nothing when the target already has the colour', () => {
    const b = buffer(['rr..', 'rr..']);
    const before = new Uint8ClampedArray(b.data);
    expect(floodFill(b, 0, 0, RED)).toBe(0);
    expect(b.data).toEqual(before);
  });

  it('fills a whole uniform canvas from a corner, reaching every edge', () => {
    const b = buffer(['......', '......', '......']);
    expect(floodFill(b, 5, 2, RED)).toBe(18);
    expect(picture(b)).toEqual(['rrrrrr', 'rrrrrr', 'rrrrrr']);
  });

  it('fills regions that touch the edges of the buffer', () => {
    const b = buffer([
      '...#..',
      '...#..',
      '####..',
      '......'
    ]);
    floodFill(b, 0, 0, RED);
    expect(picture(b)).toEqual([
      'rrr#..',
      'rrr#..',
      '####..',
      '......'
    ]);
  });

  it('matches colours exactly: a nearly-white pixel is a wall', () => {
    const b = buffer(['.....']);
    b.data.set([254, 255, 255, 255], 2 * 4);
    floodFill(b, 0, 0, RED);
    expect(picture(b)).toEqual(['rr?..']);
  });

  it('ignores seeds outside the buffer or between pixels', () => {
    const b = buffer(['...', '...']);
    expect(floodFill(b, -1, 0, RED)).toBe(0);
    expect(floodFill(b, 3, 0, RED)).toBe(0);
    expect(floodFill(b, 0, 2, RED)).toBe(0);
    expect(floodFill(b, 0.5, 0, RED)).toBe(0);
    expect(picture(b)).toEqual(['...', '...']);
  });

  it('handles a large region without recursion limits', () => {
    const width = 600;
    const height = 200;
    const b: PixelBuffer = { width, height, data: new Uint8ClampedArray(width * height * 4).fill(255) };
    expect(floodFill(b, 300, 100, BLACK)).toBe(width * height);
  });

  it('reads palette colours as opaque RGBA', () => {
    expect(hexToRgba('#FF8000')).toEqual([255, 128, 0, 255]);
    expect(hexToRgba('#004040')).toEqual([0, 64, 64, 255]);
  });
});
