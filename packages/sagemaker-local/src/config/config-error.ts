/**
 * A configuration of `sagemaker-local` that cannot work, with every problem found in it: someone fixing a file
 * should not have to run the command once per mistake (a missing key pair must not hide a bad endpoint name).
 */

/** The message names each field and its rule; `problems` lists them one by one, without the source. */
export class ConfigError extends Error {
  readonly problems: readonly string[];

  constructor(message: string, problems: readonly string[] = [message]) {
    super(message);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Collects the problems of independent checks, then throws them together. */
export class Problems {
  private readonly found: string[] = [];

  /** Runs one check; a ConfigError it throws is kept (all its problems) and the result is undefined. */
  check<T>(run: () => T): T | undefined {
    try {
      return run();
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      this.found.push(...err.problems);
      return undefined;
    }
  }

  get any(): boolean {
    return this.found.length > 0;
  }

  /**
   * Throws a ConfigError with every problem when there is one; `source` (a file name, "the command line") starts
   * the message. One problem reads as one line, as before; several are listed below a count.
   */
  throwIfAny(source?: string): void {
    if (!this.any) return;
    const prefix = source === undefined ? '' : `${source}: `;
    const message =
      this.found.length === 1
        ? `${prefix}${this.found[0]}`
        : `${prefix}${this.found.length} problems:\n${this.found.map((p) => `  - ${p}`).join('\n')}`;
    throw new ConfigError(message, this.found.map((p) => `${prefix}${p}`));
  }
}
