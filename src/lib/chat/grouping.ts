// How the feed is laid out: a day line where the calendar day changes, and consecutive messages of
// one person close in time drawn under one header, as chat apps do.

/** Messages of one author this close together share a header. */
export const GROUP_WINDOW_MS = 5 * 60 * 1000;

export interface Placed {
  /** Only the userId and timestamp matter here; notices (no author) break a group. */
  userId: number | null;
  timestamp: number;
}

export interface Placement {
  /** The label of the day line shown before this item, if a new day starts here. */
  day: string | null;
  /** Continues the previous message's group: no header of its own. */
  grouped: boolean;
}

function dayKey(timestamp: number): string {
  return new Date(timestamp).toDateString();
}

/** "Today", "Yesterday", or "Monday 12 March" (with the year when not this year). */
export function dayLabel(timestamp: number, now = Date.now()): string {
  const day = dayKey(timestamp);
  if (day === dayKey(now)) return 'Today';
  const yesterday = new Date(now);
  yesterday.setDate(yesterday.getDate() - 1);
  if (day === yesterday.toDateString()) return 'Yesterday';
  const date = new Date(timestamp);
  const sameYear = date.getFullYear() === new Date(now).getFullYear();
  return date.toLocaleDateString([], { weekday: 'long', day: 'numeric', month: 'long', ...(sameYear ? {} : { year: 'numeric' }) });
}

/** Where each item of the feed starts a day or continues a group, in feed order. */
export function placeItems(items: readonly Placed[], now = Date.now()): Placement[] {
  return items.map((item, i) => {
    const before = i > 0 ? items[i - 1] : null;
    const newDay = !before || dayKey(before.timestamp) !== dayKey(item.timestamp);
    const grouped =
      !newDay &&
      before !== null &&
      item.userId !== null &&
      before.userId === item.userId &&
      item.timestamp - before.timestamp <= GROUP_WINDOW_MS;
    return { day: newDay ? dayLabel(item.timestamp, now) : null, grouped };
  });
}
