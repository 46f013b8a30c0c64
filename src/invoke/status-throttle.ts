/**
 * Runs a function at most once per interval, and always once more after the last request: the node status shows
 * the final state without an update per message (each update is a message to every open editor).
 */
export class StatusThrottle {
  private last = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly intervalMs: number,
    private readonly run: () => void,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Runs now if the interval has passed since the last run, else once when it has. */
  request(): void {
    if (this.timer) return;
    const wait = this.last + this.intervalMs - this.clock();
    if (wait <= 0) {
      this.fire();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.fire();
    }, wait);
  }

  /** Drops a pending run. */
  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private fire(): void {
    this.last = this.clock();
    this.run();
  }
}
