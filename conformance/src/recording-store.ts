import { MemoryTokenStore, type ManagedTokenSet, type PendingSignIn } from '@ropkit/core';
import type { SharedSessionStore } from './test-app.js';

/**
 * The token store the kit gives an app when a scenario must look inside it: a `MemoryTokenStore`
 * that remembers every key it was asked to keep something under.
 */
export class RecordingStore extends MemoryTokenStore {
  /** Every key a token set or a pending sign-in was stored under, in order. */
  readonly keys: string[] = [];

  override set(key: string, tokens: ManagedTokenSet): Promise<void> {
    this.#remember(key);
    return super.set(key, tokens);
  }

  override setPendingSignIn(key: string, pending: PendingSignIn): Promise<void> {
    this.#remember(key);
    return super.setPendingSignIn(key, pending);
  }

  /** Keys that still hold a token set or a pending sign-in. */
  async keysInUse(): Promise<string[]> {
    const inUse: string[] = [];
    for (const key of this.keys) {
      if ((await this.get(key)) !== undefined || (await this.getPendingSignIn(key)) !== undefined) {
        inUse.push(key);
      }
    }
    return inUse;
  }

  #remember(key: string): void {
    if (!this.keys.includes(key)) this.keys.push(key);
  }
}

/** A session store in memory that two instances of an app can share. */
export function sharedSessions(): { store: SharedSessionStore; secret: string } {
  const sessions = new Map<string, unknown>();
  return {
    store: {
      get: async (id) => sessions.get(id),
      set: async (id, data) => void sessions.set(id, data),
      destroy: async (id) => void sessions.delete(id),
    },
    // Long enough for every session library (@fastify/session wants 32 characters).
    secret: 'conformance-kit-shared-session-secret-0123456789',
  };
}
