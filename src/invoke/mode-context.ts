/**
 * What every mode runner (modes.ts, stream-mode.ts) is handed: the node's settings, its outcome, the config node's
 * connection, a msg copier and the async waits. Type-only, so the runners import it without importing each other.
 */
import type { InvokeSettings } from '../shared/invoke-settings';
import type { Connection } from './call';
import type { Outcome } from './outcome';
import type { MsgLike } from './request';
import type { WaitGroup } from './async/wait-group';

export interface ModeContext {
  settings: InvokeSettings;
  outcome: Outcome;
  /** the config node's client and settings; undefined once it has none */
  connection(): Connection | undefined;
  /** a deep copy of a msg (RED.util.cloneMessage), for the messages of a stream */
  clone(msg: MsgLike): MsgLike;
  /** mode async: the node's waiting messages and the config node's S3 clients (uploads, asyncResult wait) */
  waits?: WaitGroup;
}
