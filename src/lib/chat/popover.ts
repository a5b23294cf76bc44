// Where a small popover opened from a button goes: below it when there is room, above when not,
// and always clamped inside the viewport (the room header and the composer never hide it).

export interface Box {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

const MARGIN = 6;

export function placePopover(anchor: Box, size: { width: number; height: number }, viewport: { width: number; height: number }): { top: number; left: number } {
  const below = anchor.bottom + 4;
  const above = anchor.top - 4 - size.height;
  const fitsBelow = below + size.height <= viewport.height - MARGIN;
  const top = fitsBelow || above < MARGIN ? below : above;
  const clamp = (value: number, max: number) => Math.max(MARGIN, Math.min(value, max - MARGIN));
  return {
    top: clamp(top, viewport.height - size.height),
    // Right-aligned with the button, as the toolbar sits at the right of a message.
    left: clamp(anchor.right - size.width, viewport.width - size.width)
  };
}
