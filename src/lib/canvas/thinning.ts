// Point capture keeps a stroke light: a pointer that barely moved adds nothing new to the curve.

import type { XY } from './smoothing';

/** Points closer than this (in drawing pixels) to the last kept point are skipped. */
export const MIN_POINT_DISTANCE = 2;

export function isFarEnough(previous: XY, next: XY, minDistance = MIN_POINT_DISTANCE): boolean {
  const dx = next.x - previous.x;
  const dy = next.y - previous.y;
  return dx * dx + dy * dy >= minDistance * minDistance;
}

/** Keeps the first point and every point at least `minDistance` from the last one kept. */
export function thinPoints<T extends XY>(points: readonly T[], minDistance = MIN_POINT_DISTANCE): T[] {
  const kept: T[] = [];
  for (const point of points) {
    const last = kept[kept.length - 1];
    if (!last || isFarEnough(last, point, minDistance)) kept.push(point);
  }
  return kept;
}
