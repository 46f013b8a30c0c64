/**
 * Types the two node adapters share. Type-only: nothing here exists at run time.
 */
import type { Node } from 'node-red';
import type { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import type { ClientSettings, ConfigCredentials } from '../config/client-config';
import type { BidiClient } from '../bidi/operation';
import type { AsyncResultService } from '../invoke/async/service';

/** What an invoke node may use of its `sagemaker-config` node. */
export interface SageMakerConfigNode extends Node<ConfigCredentials> {
  /** the shared client, absent when the settings are invalid */
  client?: SageMakerRuntimeClient;
  settings?: ClientSettings;
  /** S3 clients and the shared poller for async results, made on first use; absent when there is no client */
  asyncResults?: AsyncResultService;
  /** why the settings are invalid, in words, when they are */
  configError?: string;
  /** replaces every secret this node holds with "****" */
  redact(text: string): string;
  /** the client for bidirectional streams (made on first call); throws when the settings are invalid */
  bidiClient(): BidiClient;
  /** raises the client's socket limit by `count` (an invoke node's maxInFlight); the function gives them back */
  reserveSockets(count: number): () => void;
}
