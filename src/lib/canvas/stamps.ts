import type { BrushSize, StampId } from '../protocol/drawing';

// Built-in stamps: one-colour icons drawn from SVG path data in a 24 x 24 box, centred on the
// point where the stamp lands. Only absolute commands (M L H V Q C A Z) so the data stays easy to
// check. 'evenodd' stamps cut their holes (eyes, windows) with inner subpaths; 'nonzero' stamps
// are unions of overlapping parts drawn in the same direction.

export const STAMP_BOX = 24;

export interface StampShape {
  label: string;
  d: string;
  rule: CanvasFillRule;
}

const circle = (cx: number, cy: number, r: number) =>
  `M${cx - r} ${cy} A${r} ${r} 0 1 1 ${cx + r} ${cy} A${r} ${r} 0 1 1 ${cx - r} ${cy} Z`;

export const STAMPS: Record<StampId, StampShape> = {
  heart: {
    label: 'Heart',
    rule: 'nonzero',
    d: 'M12 21 C10 19.5 3 15 3 8.8 C3 5.6 5.3 3.5 8 3.5 C9.8 3.5 11.2 4.5 12 6 C12.8 4.5 14.2 3.5 16 3.5 C18.7 3.5 21 5.6 21 8.8 C21 15 14 19.5 12 21 Z'
  },
  star: {
    label: 'Star',
    rule: 'nonzero',
    d: 'M12 2.3 L14.53 9.32 L21.99 9.56 L16.09 14.13 L18.17 21.29 L12 17.1 L5.83 21.29 L7.91 14.13 L2.01 9.56 L9.47 9.32 Z'
  },
  smile: {
    label: 'Smiley',
    rule: 'evenodd',
    d: `${circle(12, 12, 10)} ${circle(8.6, 9.5, 1.6)} ${circle(15.4, 9.5, 1.6)} M6.8 13.6 Q12 19.6 17.2 13.6 Q12 16.8 6.8 13.6 Z`
  },
  frown: {
    label: 'Frowny',
    rule: 'evenodd',
    d: `${circle(12, 12, 10)} ${circle(8.6, 9.5, 1.6)} ${circle(15.4, 9.5, 1.6)} M7 17.6 Q12 12 17 17.6 Q12 15.2 7 17.6 Z`
  },
  sun: {
    label: 'Sun',
    rule: 'evenodd',
    d: `${circle(12, 12, 5.3)} M19 13.5 L23.3 12 L19 10.5 Z M15.89 18.01 L19.99 19.99 L18.01 15.89 Z M10.5 19 L12 23.3 L13.5 19 Z M5.99 15.89 L4.01 19.99 L8.11 18.01 Z M5 10.5 L0.7 12 L5 13.5 Z M8.11 5.99 L4.01 4.01 L5.99 8.11 Z M13.5 5 L12 0.7 L10.5 5 Z M18.01 8.11 L19.99 4.01 L15.89 5.99 Z`
  },
  moon: {
    label: 'Moon',
    rule: 'nonzero',
    d: 'M14.5 2.6 A9.6 9.6 0 1 0 21.4 15.8 A7.4 7.4 0 1 1 14.5 2.6 Z'
  },
  cloud: {
    label: 'Cloud',
    rule: 'nonzero',
    d: 'M6.5 19 A4.5 4.5 0 0 1 5.6 10.1 A5.6 5.6 0 0 1 15.9 8.2 A4.4 4.4 0 0 1 19.6 11.6 A3.8 3.8 0 0 1 18.5 19 Z'
  },
  flower: {
    label: 'Flower',
    rule: 'nonzero',
    d: `M8.6 4 A3.4 3.4 0 1 1 15.4 4 A3.4 3.4 0 1 1 8.6 4 Z M13.36 7.45 A3.4 3.4 0 1 1 20.16 7.45 A3.4 3.4 0 1 1 13.36 7.45 Z M11.54 13.05 A3.4 3.4 0 1 1 18.34 13.05 A3.4 3.4 0 1 1 11.54 13.05 Z M5.66 13.05 A3.4 3.4 0 1 1 12.46 13.05 A3.4 3.4 0 1 1 5.66 13.05 Z M3.84 7.45 A3.4 3.4 0 1 1 10.64 7.45 A3.4 3.4 0 1 1 3.84 7.45 Z M11.2 15.5 H12.8 V23 H11.2 Z M12.8 20.5 Q14.5 17 18 17.5 Q16.5 21 12.8 21.6 Z`
  },
  tree: {
    label: 'Tree',
    rule: 'nonzero',
    d: 'M12 1.5 L18.5 9.5 H15.5 L20.5 16.5 H3.5 L8.5 9.5 H5.5 Z M10.4 16 H13.6 V22.5 H10.4 Z'
  },
  cat: {
    label: 'Cat',
    rule: 'evenodd',
    d: `M4.2 9.3 L5 2.5 L10 6.3 Q12 5.8 14 6.3 L19 2.5 L19.8 9.3 Q21.3 11.6 21 14.6 Q20.2 21 12 21 Q3.8 21 3 14.6 Q2.7 11.6 4.2 9.3 Z ${circle(8.6, 12.3, 1.5)} ${circle(15.4, 12.3, 1.5)} M10.6 15.2 H13.4 L12 16.8 Z`
  },
  dog: {
    label: 'Dog',
    rule: 'evenodd',
    d: `M7.3 5.2 Q12 2.6 16.7 5.2 Q19.4 8.4 18.9 13.4 Q18.3 20.6 12 21 Q5.7 20.6 5.1 13.4 Q4.6 8.4 7.3 5.2 Z M6.2 5 Q1.6 4.9 1.2 10 Q1 14.6 3.8 15.2 Q4 9.5 6.2 5 Z M17.8 5 Q22.4 4.9 22.8 10 Q23 14.6 20.2 15.2 Q20 9.5 17.8 5 Z ${circle(9.2, 11, 1.4)} ${circle(14.8, 11, 1.4)} M10.2 14.8 Q12 13.6 13.8 14.8 Q13.4 16.6 12 16.8 Q10.6 16.6 10.2 14.8 Z`
  },
  fish: {
    label: 'Fish',
    rule: 'evenodd',
    d: `M2 12 Q8.6 4 17 12 Q8.6 20 2 12 Z M17 12 L22.5 6.8 Q21 12 22.5 17.2 Z ${circle(7.2, 10.8, 1.2)}`
  },
  bird: {
    label: 'Bird',
    rule: 'evenodd',
    d: `M3 13.5 Q3.6 8.4 9.6 8 Q11 4.2 15.2 4.2 Q18 4.4 19.2 6.6 L22.6 7.6 L19.3 9 Q19.6 15.6 14 18.6 Q8.4 21.2 3 13.5 Z ${circle(15.6, 7.4, 1.1)} M6.6 12.4 Q10.6 10.8 13.6 13.2 Q10 16.4 6.6 12.4 Z`
  },
  note: {
    label: 'Music note',
    rule: 'nonzero',
    d: `${circle(8.2, 18.4, 3.6)} M10.2 3 H12.2 V18.4 H10.2 Z M12.2 3 Q13 7.2 17.4 8.8 Q19.4 11 17.8 14.2 Q18.2 11 12.2 10 Z`
  },
  bolt: {
    label: 'Lightning',
    rule: 'nonzero',
    d: 'M14 1.5 L4.5 13.5 H11 L9.2 22.5 L19.5 9.8 H13 L16 1.5 Z'
  },
  drop: {
    label: 'Drop',
    rule: 'evenodd',
    d: 'M12 2 Q19 10.4 19 15 A7 7 0 0 1 5 15 Q5 10.4 12 2 Z M8 15.2 Q8 17.8 10.4 18.8 Q8.9 17.5 8.9 15 Z'
  },
  house: {
    label: 'House',
    rule: 'evenodd',
    d: 'M12 2.5 L22.5 12 H19.5 V21.5 H14.2 V15.5 H9.8 V21.5 H4.5 V12 H1.5 Z M10.4 9.4 H13.6 V12.6 H10.4 Z'
  },
  car: {
    label: 'Car',
    rule: 'evenodd',
    d: `M1.5 16.2 V12.8 Q1.5 11.2 3.2 10.8 L6.2 10.1 L8.6 5.8 H15.4 L18.4 10.1 L20.8 10.8 Q22.5 11.2 22.5 12.8 V16.2 Z M8.1 10 L9.7 7.2 H11.4 V10 Z M12.6 10 V7.2 H14.3 L15.9 10 Z ${circle(6.5, 18.9, 2.5)} ${circle(17.5, 18.9, 2.5)}`
  },
  bee: {
    label: 'Bee',
    rule: 'evenodd',
    d: `M5.5 14.2 A7.2 5.2 0 1 1 19.9 14.2 A7.2 5.2 0 1 1 5.5 14.2 Z M11 10.6 H12.8 V17.8 H11 Z M14.8 10.8 H16.6 V17.6 H14.8 Z ${circle(8.3, 13.2, 1.1)} M19.9 13.1 L23.2 14.2 L19.9 15.3 Z M6.8 6.6 A2.8 2 0 1 1 12.4 6.6 A2.8 2 0 1 1 6.8 6.6 Z M12.6 5.8 A2.8 2 0 1 1 18.2 5.8 A2.8 2 0 1 1 12.6 5.8 Z`
  },
  crown: {
    label: 'Crown',
    rule: 'evenodd',
    d: `M3 17.5 L1.8 6.8 L7.4 11.2 L12 3.5 L16.6 11.2 L22.2 6.8 L21 17.5 Z M3 19 H21 V21.5 H3 Z ${circle(12, 13.4, 1.6)} ${circle(7, 14.6, 1.2)} ${circle(17, 14.6, 1.2)}`
  },
  ghost: {
    label: 'Ghost',
    rule: 'evenodd',
    d: `M4 21.5 V10.5 A8 8 0 0 1 20 10.5 V21.5 L17.3 19 L14.7 21.5 L12 19 L9.3 21.5 L6.7 19 Z ${circle(9, 10.5, 1.7)} ${circle(15, 10.5, 1.7)} M10 15 A2 1.6 0 1 1 14 15 A2 1.6 0 1 1 10 15 Z`
  },
  skull: {
    label: 'Skull',
    rule: 'evenodd',
    d: `M12 2.2 A8.6 8.2 0 0 1 20.6 10.4 Q20.6 14.2 17.4 15.6 V20.5 H6.6 V15.6 Q3.4 14.2 3.4 10.4 A8.6 8.2 0 0 1 12 2.2 Z ${circle(8.4, 10.6, 2.3)} ${circle(15.6, 10.6, 2.3)} M12 12.8 L13.4 15.2 H10.6 Z M9.3 17 H10.3 V19.6 H9.3 Z M11.5 17 H12.5 V19.6 H11.5 Z M13.7 17 H14.7 V19.6 H13.7 Z`
  },
  check: {
    label: 'Check mark',
    rule: 'nonzero',
    d: 'M2.5 12.6 L5.6 9.5 L9.8 13.7 L18.4 5 L21.5 8.1 L9.8 19.8 Z'
  },
  cross: {
    label: 'Cross',
    rule: 'nonzero',
    d: 'M5 2.8 L12 9.8 L19 2.8 L21.2 5 L14.2 12 L21.2 19 L19 21.2 L12 14.2 L5 21.2 L2.8 19 L9.8 12 L2.8 5 Z'
  }
};

/** On-canvas width of a stamp for each brush size, in drawing pixels. */
const STAMP_PIXELS: Record<BrushSize, number> = { 2: 16, 4: 24, 8: 36, 14: 52, 22: 72 };

export function stampPixelSize(size: BrushSize): number {
  return STAMP_PIXELS[size];
}
