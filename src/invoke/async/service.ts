/**
 * What a config node keeps for async results: its S3 clients and the one poller all its invoke nodes share (the
 * S3 request ceiling is per config node). Both are made on first use, so a config node whose invoke nodes never
 * wait or upload opens nothing; close() ends every message still waiting and releases the timer and sockets.
 * No Node-RED import.
 */
import { Poller } from './poller';
import type { S3Clients } from '../../config/s3-client';

/** A set of waiting messages (an invoke node's) that the service ends when it closes first. */
export interface WaitOwner {
  closeAll(): number;
}

export class AsyncResultService {
  private clients: S3Clients | undefined;
  private shared: Poller | undefined;
  private readonly owners = new Set<WaitOwner>();
  private closed = false;

  /**
   * @param makeClients builds the S3 clients (config/s3-client), called once, on first use
   * @param ratePerSecond the ceiling of S3 requests per second for all the node's polls
   */
  constructor(
    private readonly makeClients: () => S3Clients,
    readonly ratePerSecond: number,
  ) {}

  get isClosed(): boolean {
    return this.closed;
  }

  s3(): S3Clients {
    if (this.closed) throw new Error('the config node is closed');
    this.clients ??= this.makeClients();
    return this.clients;
  }

  poller(): Poller {
    if (this.closed) throw new Error('the config node is closed');
    this.shared ??= new Poller({ ratePerSecond: this.ratePerSecond });
    return this.shared;
  }

  /** S3 requests the poller has made (for tests and the benchmark). */
  get pollRequests(): number {
    return this.shared?.requests ?? 0;
  }

  join(owner: WaitOwner): () => void {
    this.owners.add(owner);
    return () => this.owners.delete(owner);
  }

  close(): void {
    if (this.closed) return;
    for (const owner of [...this.owners]) owner.closeAll();
    this.owners.clear();
    this.closed = true;
    this.shared?.close();
    this.clients?.destroy();
    this.shared = undefined;
    this.clients = undefined;
  }
}
