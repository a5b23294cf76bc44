// Toolbar icons: line drawings in a 20 x 20 box, stroked with the button's text colour.

export const ICONS = {
  pen: 'M4 16 L4.6 12.8 L13 4.4 Q14 3.4 15 4.4 L15.6 5 Q16.6 6 15.6 7 L7.2 15.4 Z M11.6 5.8 L14.2 8.4',
  eraser: 'M3.6 12.6 L10.6 5.6 Q11.6 4.6 12.6 5.6 L15.4 8.4 Q16.4 9.4 15.4 10.4 L9.8 16 H6.8 L3.6 12.8 Z M7.4 8.8 L12.2 13.6 M9.8 16 H17',
  line: 'M4 16 L16 4',
  rect: 'M3 5 H17 V15 H3 Z',
  ellipse: 'M2.6 10 A7.4 5.2 0 1 1 17.4 10 A7.4 5.2 0 1 1 2.6 10 Z',
  fill: 'M3.6 9.4 L9.4 3.6 L15.2 9.4 L9.4 15.2 Z M3.6 9.4 H15.2 M16.8 12.4 Q18.6 15 17.6 16.2 Q16.8 17 16 16.2 Q15 15 16.8 12.4 Z',
  text: 'M4.6 16 L10 3.8 L15.4 16 M6.8 11.4 H13.2',
  undo: 'M7.4 4.6 L3.6 8.4 L7.4 12.2 M3.6 8.4 H12 A4.2 4.2 0 0 1 12 16.8 H8.6',
  redo: 'M12.6 4.6 L16.4 8.4 L12.6 12.2 M16.4 8.4 H8 A4.2 4.2 0 0 0 8 16.8 H11.4',
  clear: 'M3.6 5.8 H16.4 M8 5.8 V3.8 H12 V5.8 M5.4 5.8 L6.4 16.6 H13.6 L14.6 5.8 M8.6 8.6 V13.8 M11.4 8.6 V13.8',
  soundOn: 'M3 7.8 H6 L10 4.4 V15.6 L6 12.2 H3 Z M13 7.4 Q14.8 10 13 12.6 M15.4 5.2 Q18.8 10 15.4 14.8',
  soundOff: 'M3 7.8 H6 L10 4.4 V15.6 L6 12.2 H3 Z M13 7.8 L17.4 12.2 M17.4 7.8 L13 12.2'
} as const;

export type IconName = keyof typeof ICONS;
