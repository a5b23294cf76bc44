import type { PaletteColor } from '../protocol/drawing';

/** Spoken names for the palette swatches (screen readers, tooltips). */
export const COLOR_NAMES: Record<PaletteColor, string> = {
  '#000000': 'Black',
  '#808080': 'Grey',
  '#800000': 'Maroon',
  '#808000': 'Olive',
  '#008000': 'Green',
  '#008080': 'Teal',
  '#000080': 'Navy',
  '#800080': 'Purple',
  '#808040': 'Khaki',
  '#004040': 'Dark teal',
  '#0080FF': 'Azure',
  '#004080': 'Denim',
  '#4000FF': 'Indigo',
  '#804000': 'Brown',
  '#FFFFFF': 'White',
  '#C0C0C0': 'Silver',
  '#FF0000': 'Red',
  '#FFFF00': 'Yellow',
  '#00FF00': 'Lime',
  '#00FFFF': 'Cyan',
  '#0000FF': 'Blue',
  '#FF00FF': 'Magenta',
  '#FFFF80': 'Cream',
  '#00FF80': 'Spring green',
  '#80FFFF': 'Sky',
  '#8080FF': 'Periwinkle',
  '#FF0080': 'Rose',
  '#FF8000': 'Orange'
};
