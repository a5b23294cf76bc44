import type { PublicUser } from '$lib/protocol';
import { api } from './api';

// The signed-in user, shared by every page. One instance for the app (createAuth() pattern).
export function createAuth() {
  let user = $state<PublicUser | null>(null);
  let loading = $state(true);
  let checked: Promise<void> | null = null;
  const signOutListeners = new Set<() => void>();

  async function load(): Promise<void> {
    try {
      user = (await api.auth.session()).user;
    } catch (err) {
      console.warn(err);
      user = null;
    } finally {
      loading = false;
    }
  }

  return {
    get user() {
      return user;
    },
    get loading() {
      return loading;
    },
    /** Asks the server once who is signed in; later calls wait for the same answer. */
    checkAuth(): Promise<void> {
      checked ??= load();
      return checked;
    },
    async login(username: string, password: string): Promise<void> {
      user = await api.auth.login({ username, password });
    },
    async register(username: string, password: string): Promise<void> {
      user = await api.auth.register({ username, password });
    },
    /**
     * Runs `listener` as the user signs out, before the server forgets the session. Lets a part
     * loaded only by some pages (the socket) clean up without every page loading it.
     */
    onSignOut(listener: () => void): () => void {
      signOutListeners.add(listener);
      return () => signOutListeners.delete(listener);
    },
    async logout(): Promise<void> {
      for (const listener of signOutListeners) listener();
      await api.auth.logout().catch(() => undefined);
      user = null;
    },
    /**
     * Deletes the account for good (docs/architecture.md#deleting-an-account); a wrong password
     * throws and changes nothing. Afterwards the app is signed out, as after sign-out.
     */
    async deleteAccount(password: string): Promise<void> {
      await api.account.remove({ password });
      for (const listener of signOutListeners) listener();
      user = null;
    }
  };
}

export const auth = createAuth();
