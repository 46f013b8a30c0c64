/**
 * The discovery answers kept for a while (DISCOVERY_CACHE_SECONDS), by a key that holds the config node's id and
 * the fingerprint of its settings and credentials, so a changed setting asks anew and a secret never is a key.
 * Bounded: past `maxEntries` the oldest answers go. The clock is a parameter (tests need no waiting). No Node-RED
 * import.
 */
export interface CacheOptions {
  ttlMs: number;
  maxEntries: number;
  now?: () => number;
}

export class AnswerCache<T> {
  private readonly entries = new Map<string, { value: T; at: number }>();
  private readonly now: () => number;

  constructor(private readonly options: CacheOptions) {
    this.now = options.now ?? Date.now;
  }

  /** The answer kept for `key` when it is younger than the time to live. */
  get(key: string): T | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (this.now() - entry.at >= this.options.ttlMs) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: T): void {
    this.entries.delete(key);
    this.entries.set(key, { value, at: this.now() });
    // A Map iterates in insertion order: the first keys are the oldest answers.
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.options.maxEntries) break;
      this.entries.delete(oldest);
    }
  }

  /** Forgets every answer whose key starts with `prefix` (a config node's), or all. */
  clear(prefix = ''): void {
    for (const key of [...this.entries.keys()]) if (key.startsWith(prefix)) this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}
