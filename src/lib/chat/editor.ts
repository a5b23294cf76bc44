// The drawing editor is a chunk of its own. Its components, its state and the drawing rules it
// checks every stroke against (which bring zod) are the heaviest part of a room, and a room opens
// on the Text tab: the chunk loads when someone reaches for the Draw tab, or copies a drawing to
// the canvas (docs/architecture.md#delivery).

type Editor = typeof import('./editorParts');

let loading: Promise<Editor> | null = null;

/** The editor's chunk, fetched on the first call; a failed fetch is tried again on the next. */
export function loadEditor(): Promise<Editor> {
  loading ??= import('./editorParts').catch((err: unknown) => {
    loading = null;
    throw err;
  });
  return loading;
}
