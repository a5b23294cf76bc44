// Keeps the feed where the reader expects it (the message-scroller idea of shadcn-svelte):
// glued to the bottom while they read the newest messages; otherwise the first message they can
// see stays put when older pages are prepended, images load or messages vanish above it.

/** Within this many pixels of the end counts as "at the bottom". */
const BOTTOM_SLACK = 48;
/** Older messages are fetched once the reader is this close to the top. */
const TOP_SLACK = 240;

interface Anchor {
  element: Element;
  offset: number;
}

export class FeedScroller {
  /** The reader is at the newest message. */
  atBottom = $state(true);
  /** Messages from others that arrived while the reader was scrolled up. */
  unseen = $state(0);

  #viewport: HTMLElement | null = null;
  #content: HTMLElement | null = null;
  #follow = true;
  #lastTop = 0;
  #anchor: Anchor | null = null;
  #nearTop: () => void;

  constructor(nearTop: () => void) {
    this.#nearTop = nearTop;
  }

  /** Starts watching; returns the function that stops. */
  attach(viewport: HTMLElement, content: HTMLElement): () => void {
    this.#viewport = viewport;
    this.#content = content;
    // Layout changes are settled before paint, so the reader never sees a jump.
    const observer = new ResizeObserver(() => this.#settle());
    observer.observe(content);
    observer.observe(viewport);
    const onScroll = () => this.#onScroll();
    viewport.addEventListener('scroll', onScroll, { passive: true });
    return () => {
      observer.disconnect();
      viewport.removeEventListener('scroll', onScroll);
      this.#viewport = this.#content = null;
    };
  }

  /** Jumps to the newest message and follows it again. */
  toBottom(smooth = false) {
    const viewport = this.#viewport;
    if (!viewport) return;
    this.#follow = true;
    this.unseen = 0;
    viewport.scrollTo({ top: viewport.scrollHeight, behavior: smooth ? 'smooth' : 'auto' });
  }

  /** A message from someone else arrived. */
  noteArrival() {
    if (!this.#follow) this.unseen += 1;
  }

  /** Call after the content changed in a way that does not resize it (rare); cheap otherwise. */
  settle() {
    this.#settle();
  }

  #settle() {
    const viewport = this.#viewport;
    if (!viewport) return;
    if (this.#follow) {
      viewport.scrollTop = viewport.scrollHeight;
    } else if (this.#anchor?.element.isConnected) {
      const delta = this.#offsetOf(this.#anchor.element) - this.#anchor.offset;
      if (Math.abs(delta) > 0.5) viewport.scrollTop += delta;
    }
    this.#capture();
    this.#checkTop();
  }

  #onScroll() {
    const viewport = this.#viewport;
    if (!viewport) return;
    const distance = viewport.scrollHeight - viewport.scrollTop - viewport.clientHeight;
    this.atBottom = distance <= BOTTOM_SLACK;
    // Only the reader moving up lets go of the bottom. The scroll event is dispatched a frame
    // after the scroll, when new content may already have made the distance large.
    if (this.atBottom) this.#follow = true;
    else if (viewport.scrollTop < this.#lastTop - 1) this.#follow = false;
    this.#lastTop = viewport.scrollTop;
    if (this.atBottom) this.unseen = 0;
    this.#capture();
    this.#checkTop();
  }

  #checkTop() {
    const viewport = this.#viewport;
    if (!viewport) return;
    // Also when everything fits and there is nothing to scroll: the reader cannot ask by scrolling.
    if (viewport.scrollTop <= TOP_SLACK || viewport.scrollHeight <= viewport.clientHeight) this.#nearTop();
  }

  /** Remembers the first item the reader can see and where it is. */
  #capture() {
    const viewport = this.#viewport;
    const content = this.#content;
    if (!viewport || !content) return;
    const top = viewport.getBoundingClientRect().top;
    // Only feed items anchor: the "load older" row stays first and would never move.
    for (const element of content.querySelectorAll(':scope > [data-feed-item]')) {
      if (element.getBoundingClientRect().bottom > top) {
        this.#anchor = { element, offset: this.#offsetOf(element) };
        return;
      }
    }
    this.#anchor = null;
  }

  #offsetOf(element: Element): number {
    return element.getBoundingClientRect().top - (this.#viewport?.getBoundingClientRect().top ?? 0);
  }
}
