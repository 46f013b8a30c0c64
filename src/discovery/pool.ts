/**
 * The discovery clients: one per config node, made for the fingerprint of its settings and credentials, and used by
 * every request with that fingerprint. A request with another fingerprint (a setting changed in the dialog) replaces
 * it; a replaced or idle client is destroyed once no request uses it any more, and at most `maxClients` are kept
 * (the least recently used idle one goes first). `sweep` is called by a timer; the clock is a parameter. No
 * Node-RED import.
 */
export interface Destroyable {
  destroy(): void;
}

export interface PoolOptions {
  /** a client unused this long is destroyed at the next sweep */
  idleMs: number;
  maxClients: number;
  now?: () => number;
}

interface Entry<C> {
  fingerprint: string;
  made: Promise<C>;
  users: number;
  lastUsed: number;
  /** replaced or evicted: destroyed when its last user is done */
  retired: boolean;
}

export class ClientPool<C extends Destroyable> {
  private readonly entries = new Map<string, Entry<C>>();
  private readonly now: () => number;

  constructor(private readonly options: PoolOptions) {
    this.now = options.now ?? Date.now;
  }

  /**
   * Runs `work` with the owner's client for `fingerprint`, made by `make` when there is none for it yet, or when
   * `renew` asks for a new one (a refresh: credentials a profile file or the chain give are read again).
   */
  async use<R>(owner: string, fingerprint: string, make: () => Promise<C>, work: (client: C) => Promise<R>, renew = false): Promise<R> {
    let entry = this.entries.get(owner);
    if (entry && (renew || entry.fingerprint !== fingerprint)) {
      this.retire(entry);
      this.entries.delete(owner);
      entry = undefined;
    }
    if (!entry) {
      entry = { fingerprint, made: make(), users: 0, lastUsed: this.now(), retired: false };
      this.entries.set(owner, entry);
      const made = entry;
      // A client that could not be made is forgotten, so the next request tries again.
      made.made.catch(() => {
        if (this.entries.get(owner) === made) this.entries.delete(owner);
      });
    }
    entry.users += 1;
    entry.lastUsed = this.now();
    this.bound();
    try {
      return await work(await entry.made);
    } finally {
      entry.users -= 1;
      entry.lastUsed = this.now();
      if (entry.retired) this.destroyIfUnused(entry);
    }
  }

  /** Destroys the clients unused for `idleMs`. */
  sweep(): void {
    const now = this.now();
    for (const [owner, entry] of [...this.entries]) {
      if (entry.users === 0 && now - entry.lastUsed >= this.options.idleMs) {
        this.entries.delete(owner);
        this.retire(entry);
      }
    }
  }

  /** Destroys every client (those in use once their requests are done). */
  close(): void {
    for (const entry of this.entries.values()) this.retire(entry);
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  /** Past maxClients, the least recently used idle clients go. */
  private bound(): void {
    const idle = [...this.entries].filter(([, e]) => e.users === 0).sort(([, a], [, b]) => a.lastUsed - b.lastUsed);
    for (const [owner, entry] of idle) {
      if (this.entries.size <= this.options.maxClients) break;
      this.entries.delete(owner);
      this.retire(entry);
    }
  }

  private retire(entry: Entry<C>): void {
    entry.retired = true;
    this.destroyIfUnused(entry);
  }

  private destroyIfUnused(entry: Entry<C>): void {
    if (entry.users !== 0) return; // in use, or already destroyed (-1)
    entry.users = -1;
    entry.made.then((c) => c.destroy(), () => undefined);
  }
}
