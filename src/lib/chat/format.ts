// Small pure helpers for how the chat reads: times, typing lines, name colours.

/** "14:05" today, "12 Mar, 14:05" on another day. */
export function shortTime(timestamp: number, now = Date.now()): string {
  const date = new Date(timestamp);
  const time = date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  const sameDay = new Date(now).toDateString() === date.toDateString();
  return sameDay ? time : `${date.toLocaleDateString([], { day: 'numeric', month: 'short' })}, ${time}`;
}

export function fullTime(timestamp: number): string {
  return new Date(timestamp).toLocaleString([], { dateStyle: 'full', timeStyle: 'short' });
}

/** "alice is typing…", "alice and bob are typing…", "3 people are typing…"; or drawing. */
export function typingLine(names: string[], doing: 'typing' | 'drawing' = 'typing'): string {
  if (names.length === 0) return '';
  if (names.length === 1) return `${names[0]} is ${doing}…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are ${doing}…`;
  return `${names.length} people are ${doing}…`;
}

/** "alice, bob and carol" */
export function listNames(names: string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

// Names in PictoChat colours, each person keeps theirs. Dark enough for 4.5:1 as text on white
// and on the yellow tints of my own messages and the members panel (WCAG AA).
const NAME_COLORS = ['#b8390b', '#1864ab', '#2b7a38', '#862e9c', '#a61e4d', '#0b6575', '#a35200', '#5f3dc4'];

export function nameColor(userId: number): string {
  return NAME_COLORS[Math.abs(userId) % NAME_COLORS.length];
}
