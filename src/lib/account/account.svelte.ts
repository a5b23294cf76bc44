import { api } from '$lib/api';
import { sounds } from '$lib/canvas/sounds.svelte';
import type { Settings } from '$lib/protocol';
import { chatSocket, type ChatSocket } from '$lib/socket.svelte';

// The signed-in user's own profile as every page of the app sees it (docs/architecture.md#profiles):
// my picture, and my sound settings, which live on the server so they follow me from browser to
// browser. Loaded at sign-in; a change made here is saved shortly after (a volume slider sends one
// request, not fifty), and a change saved in another tab or browser arrives over the socket.

/** A dragged slider settles before it is saved. */
const SAVE_AFTER_MS = 400;
/**
 * Set in this browser while a change made here has not reached the server: a page reloaded (or
 * closed) before its save finished then saves what is here rather than taking the older settings
 * the server still has.
 */
const UNSAVED_KEY = 'bbb:settings-unsaved';

function markUnsaved(unsaved: boolean): void {
  try {
    if (unsaved) globalThis.localStorage?.setItem(UNSAVED_KEY, '1');
    else globalThis.localStorage?.removeItem(UNSAVED_KEY);
  } catch {
    // No storage: only this page's own changes are known to be newer.
  }
}

function hasUnsaved(): boolean {
  try {
    return globalThis.localStorage?.getItem(UNSAVED_KEY) === '1';
  } catch {
    return false;
  }
}

class AccountState {
  /** My picture's URL, or null for the initial-and-colour look. */
  avatar = $state<string | null>(null);
  /** Why the last save of my settings failed, for the settings page. */
  saveError = $state('');
  #userId: number | null = null;
  #socket: ChatSocket | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #saving = 0;
  /** Counts changes made here, so a save knows whether a newer one followed it. */
  #changes = 0;
  /** Changed here before the server's settings arrived: mine win, and are saved. */
  #changedBeforeLoad = false;
  #loaded = false;
  #unsubscribe: (() => void) | null = null;

  /** Loads my profile and applies my settings; idempotent per user. */
  start(userId: number): void {
    if (this.#userId === userId) return;
    this.#forget();
    this.#userId = userId;
    this.#unsubscribe = sounds.onChange(() => this.#changed());
    void this.#load(userId);
    this.#follow();
  }

  /**
   * Signed out: nothing of the last user stays (the sound choices stay in this browser, but the
   * next person to sign in here gets their own from the server).
   */
  reset(): void {
    this.#forget();
    markUnsaved(false);
  }

  #forget(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#userId = null;
    this.#socket = null;
    this.#loaded = false;
    this.#changedBeforeLoad = false;
    this.avatar = null;
    this.saveError = '';
  }

  async setAvatar(file: Blob): Promise<void> {
    this.avatar = (await api.account.setAvatar(file)).avatar;
  }

  async removeAvatar(): Promise<void> {
    this.avatar = (await api.account.removeAvatar()).avatar;
  }

  async #load(userId: number): Promise<void> {
    const [profile, settings] = await Promise.all([api.account.profile().catch(() => null), api.account.settings().catch(() => null)]);
    if (this.#userId !== userId) return;
    if (profile) this.avatar = profile.avatar;
    this.#loaded = true;
    if (this.#changedBeforeLoad || hasUnsaved()) this.#changed();
    else if (settings) sounds.apply(settings);
  }

  /** Hears my other tabs and browsers: a new picture, saved settings. */
  #follow(): void {
    const socket = chatSocket.socket;
    if (socket === this.#socket) return;
    this.#socket = socket;
    socket.on('profile:updated', ({ userId, avatar }) => {
      if (userId === this.#userId) this.avatar = avatar;
    });
    socket.on('settings:updated', (settings: Settings) => {
      // My own save echoing back, or one overtaken by a change not saved yet: what is here wins.
      if (this.#timer || this.#saving > 0) return;
      sounds.apply(settings);
    });
  }

  #changed(): void {
    this.#changes += 1;
    markUnsaved(true);
    if (!this.#loaded) {
      this.#changedBeforeLoad = true;
      return;
    }
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.#save();
    }, SAVE_AFTER_MS);
  }

  async #save(): Promise<void> {
    if (this.#userId === null) return;
    this.#saving += 1;
    const version = this.#changes;
    try {
      await api.account.saveSettings(sounds.settings);
      this.saveError = '';
      if (version === this.#changes && !this.#timer) markUnsaved(false);
    } catch (err) {
      this.saveError = err instanceof Error ? err.message : 'Your settings could not be saved';
    } finally {
      this.#saving -= 1;
    }
  }
}

export const account = new AccountState();
