/**
 * How the invoke node's batching settings (`batchSize`, `batchWindow`, `batchFormat`, `batchKey`) fit its other
 * settings. No Node-RED or Node.js import: the editor bundle runs the same checks for its validators.
 */
import { BATCH_FORMATS, MODE_OPERATIONS, type BatchFormat, type InvokeMode, type OutputMode } from '../shared/names';
import { BATCH_KEY_RULE, enforceRule } from '../shared/rules';
import { FlowError } from '../shared/flow-error';

export interface BatchSettings {
  /** 1: no batching */
  batchSize: number;
  /** milliseconds the first message of a batch waits for it to fill */
  batchWindow: number;
  batchFormat: BatchFormat;
  /** json only: the member that holds the array ('' for a bare array) */
  batchKey: string;
}

/** The settings, with the node's other settings that batching depends on. */
export interface BatchContext {
  mode: InvokeMode;
  output: OutputMode;
  batchSize: number;
  batchFormat: string;
  batchKey: string;
  maxQueue: number;
}

/**
 * The first way these settings cannot work together, as a FlowError (its key under `errors.`), or undefined.
 * With `batchSize` 1 batching is off and the other batch settings are not used.
 */
export function batchSettingsError(s: BatchContext): FlowError | undefined {
  if (s.batchSize <= 1) return undefined;
  if (s.mode !== 'invoke') return new FlowError('batchOnlyInvoke', { size: s.batchSize, mode: s.mode, operation: MODE_OPERATIONS[s.mode] });
  if (!(BATCH_FORMATS as readonly string[]).includes(s.batchFormat)) {
    return new FlowError('invalidField', { field: 'batchFormat', rule: `must be one of ${BATCH_FORMATS.join(', ')}` });
  }
  if (s.output === 'buffer') return new FlowError('batchOutputBuffer');
  if (s.batchKey !== '') {
    if (s.batchFormat !== 'json') return new FlowError('batchKeyUnused', { format: s.batchFormat });
    try {
      enforceRule(BATCH_KEY_RULE, s.batchKey, 'batchKey');
    } catch (err) {
      return err as FlowError;
    }
  }
  if (s.maxQueue < s.batchSize) return new FlowError('batchQueueTooSmall', { maxQueue: s.maxQueue, batchSize: s.batchSize });
  return undefined;
}
