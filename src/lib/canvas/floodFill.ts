// Scanline flood fill on an RGBA pixel buffer (ImageData or anything shaped like it). Exact colour
// match, four-connected: the fill stops at any pixel that differs from the seed in any channel.

export interface PixelBuffer {
  width: number;
  height: number;
  data: Uint8ClampedArray | Uint8Array;
}

export type Rgba = readonly [number, number, number, number];

/** '#RRGGBB' to opaque RGBA. */
export function hexToRgba(hex: string): Rgba {
  const value = Number.parseInt(hex.slice(1, 7), 16);
  return [(value >> 16) & 255, (value >> 8) & 255, value & 255, 255];
}

/** Fills the region containing (x, y) with `color`; returns how many pixels changed. */
export function floodFill(buffer: PixelBuffer, x: number, y: number, color: Rgba): number {
  const { width, height, data } = buffer;
  if (!Number.isInteger(x) || !Number.isInteger(y) || x < 0 || y < 0 || x >= width || y >= height) return 0;

  const seed = (y * width + x) * 4;
  const t0 = data[seed], t1 = data[seed + 1], t2 = data[seed + 2], t3 = data[seed + 3];
  if (t0 === color[0] && t1 === color[1] && t2 === color[2] && t3 === color[3]) return 0;

  const matches = (px: number, py: number) => {
    const i = (py * width + px) * 4;
    return data[i] === t0 && data[i + 1] === t1 && data[i + 2] === t2 && data[i + 3] === t3;
  };

  let filled = 0;
  const stack: number[] = [x, y];
  while (stack.length > 0) {
    const sy = stack.pop() as number;
    const sx = stack.pop() as number;
    if (!matches(sx, sy)) continue;

    let left = sx;
    while (left > 0 && matches(left - 1, sy)) left--;

    // Walk the span left to right, painting it and seeding each new run above and below once.
    let runAbove = false;
    let runBelow = false;
    for (let px = left; px < width && matches(px, sy); px++) {
      const i = (sy * width + px) * 4;
      data[i] = color[0];
      data[i + 1] = color[1];
      data[i + 2] = color[2];
      data[i + 3] = color[3];
      filled++;
      if (sy > 0) {
        const above = matches(px, sy - 1);
        if (above && !runAbove) stack.push(px, sy - 1);
        runAbove = above;
      }
      if (sy < height - 1) {
        const below = matches(px, sy + 1);
        if (below && !runBelow) stack.push(px, sy + 1);
        runBelow = below;
      }
    }
  }
  return filled;
}
