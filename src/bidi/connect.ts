/**
 * How the bidi node reaches the operation: the config node's HTTP/2 client (made on first use) and openBidiStream,
 * with the settings that the words of a failure quote. No Node-RED import.
 */
import { openBidiStream, type BidiClient } from './operation';
import type { Opener } from './stream';
import type { ClientSettings } from '../config/client-config';

/** What the bidi node uses of its `sagemaker-config` node (the config node's own type has more). */
export interface BidiConfigNode {
  settings?: ClientSettings;
  /** why the settings are invalid, in words, when they are */
  configError?: string;
  /** the client for bidirectional streams (made on first call) */
  bidiClient(): BidiClient;
}

export interface BidiConnection {
  open: Opener;
  /** the config node's timeout, in ms */
  timeoutMs: number;
  /** the URL streams go to when the config node sets one */
  endpointUrl?: string;
}

/** The connection of a config node whose settings are good; undefined otherwise. */
export function connectionOf(configNode: BidiConfigNode | null): BidiConnection | undefined {
  const settings = configNode?.settings;
  if (!configNode || !settings || configNode.configError) return undefined;
  return {
    // The client is made by the first stream, so a node that never streams opens no HTTP/2 session.
    open: (request, input, signal, hooks) => openBidiStream(configNode.bidiClient(), request, input, signal, hooks),
    timeoutMs: settings.timeout,
    endpointUrl: settings.bidiEndpointUrl,
  };
}
