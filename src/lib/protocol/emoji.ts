// The reactions a message may get. A module of its own, without zod, so the feed can show them
// without bringing the payload schemas along (docs/architecture.md#delivery).

export const EMOJI = ['heart', 'laugh', 'fire', 'sad', 'thumbsup', 'thumbsdown', 'star', 'question'] as const;
export type Emoji = (typeof EMOJI)[number];

/** How each emoji id looks on screen. */
export const EMOJI_GLYPHS: Record<Emoji, string> = {
  heart: '❤️',
  laugh: '😂',
  fire: '🔥',
  sad: '😢',
  thumbsup: '👍',
  thumbsdown: '👎',
  star: '⭐',
  question: '❓'
};
