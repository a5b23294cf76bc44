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

/** "alice is typing…", "alice and bob are typing…", "3 people are typing…". */
export function typingLine(names: string[]): string {
  if (names.length === 0) return '';
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  return `${names.length} people are typing…`;
}

/** "alice, bob and carol" */
export function listNames(names: string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

// Name tags in PictoChat colours, readable on white; each person keeps theirs.
const NAME_COLORS = ['#d9480f', '#1971c2', '#2b8a3e', '#9c36b5', '#c2255c', '#0b7285', '#e67700', '#5f3dc4'];

export function nameColor(userId: number): string {
  return NAME_COLORS[Math.abs(userId) % NAME_COLORS.length];
}
