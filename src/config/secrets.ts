/**
 * The secrets a config node holds (secret key, session token, proxy password, TLS passphrase), and their redaction
 * from every text that leaves the node: errors, msg.sagemaker.error, logs, status. No Node-RED import.
 */
export class Secrets {
  private values: string[] = [];

  constructor(...values: (string | undefined)[]) {
    this.add(...values);
  }

  /** Adds secrets; values shorter than 4 characters are not replaced (they would mangle ordinary words). */
  add(...values: (string | undefined)[]): void {
    const all = [...this.values, ...values.filter((s): s is string => !!s && s.length >= 4)];
    // Longest first, so a secret that contains another is replaced whole.
    this.values = [...new Set(all)].sort((a, b) => b.length - a.length);
  }

  /** The text with every secret replaced by "****". */
  redact(text: string): string {
    return this.values.reduce((t, secret) => t.split(secret).join('****'), text);
  }
}
