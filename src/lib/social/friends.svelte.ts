import { api } from '$lib/api';
import type { FriendsOverview } from '$lib/protocol';
import { chatSocket, type ChatSocket } from '$lib/socket.svelte';

// My friends, requests and blocks as every page sees them (docs/architecture.md#friends-and-direct-messages):
// loaded over REST, kept live by `friends:changed` (reload, with the badge's count) and
// `friend:presence` (one dot) on my personal channel.

class FriendsState {
  overview = $state.raw<FriendsOverview | null>(null);
  loadError = $state('');
  /** Requests and answers I have not seen yet: the header's badge. */
  unseen = $state(0);
  #socket: ChatSocket | null = null;

  /** People whose messages I do not want to see. */
  readonly blockedIds = $derived(new Set((this.overview?.blocked ?? []).map((b) => b.userId)));
  readonly friendIds = $derived(new Set((this.overview?.friends ?? []).map((f) => f.userId)));

  /** Follows the socket (again after a sign-out made a fresh one); idempotent. */
  start(): void {
    const socket = chatSocket.socket;
    if (socket === this.#socket) return;
    this.#socket = socket;
    socket.on('friends:changed', ({ unseen }) => {
      this.unseen = unseen;
      void this.refresh();
    });
    socket.on('friend:presence', ({ userId, online }) => {
      const overview = this.overview;
      if (!overview) return;
      this.overview = { ...overview, friends: overview.friends.map((f) => (f.userId === userId ? { ...f, online } : f)) };
    });
    // Missed while disconnected: ask again on every (re)connect.
    socket.on('connect', () => void this.refresh());
    void this.refresh();
  }

  async refresh(): Promise<void> {
    try {
      const overview = await api.friends.overview();
      this.overview = overview;
      this.unseen = overview.unseen;
      this.loadError = '';
    } catch (err) {
      this.loadError = err instanceof Error ? err.message : 'Could not load your friends';
    }
  }

  /** Opening the friends page counts as seeing what is new. */
  async markSeen(): Promise<void> {
    if (this.unseen === 0) return;
    this.unseen = 0;
    await api.friends.seen().catch(() => undefined);
  }

  /** Signed out: nothing of the last user stays. */
  reset(): void {
    this.overview = null;
    this.unseen = 0;
    this.#socket = null;
  }
}

export const friendsState = new FriendsState();
