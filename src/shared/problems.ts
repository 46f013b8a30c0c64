/**
 * Every problem of a set of settings at once, as the editor and sagemaker-local report them: the checks in
 * shared/rules (and the modules that use them) throw a FlowError for the first bad value, unless a collection is
 * running; then each problem is recorded, the check goes on with a stand-in value, and the collection throws them
 * all together at the end. No Node-RED import.
 */
import { FlowError, type FlowErrorParams } from './flow-error';

/** Several problems found together; each keeps its own key and parameters. */
export class FlowErrors extends FlowError {
  readonly errors: readonly FlowError[];

  constructor(errors: readonly FlowError[]) {
    super('several', { count: errors.length });
    this.name = 'FlowErrors';
    this.errors = errors;
  }
}

let collecting: FlowError[] | undefined;

/**
 * A problem with one value: recorded (and `standIn` returned, so the checks go on) while collectProblems runs,
 * else thrown at once.
 */
export function problem<T>(err: FlowError, standIn: T): T {
  if (!collecting) throw err;
  collecting.push(err);
  return standIn;
}

/**
 * Runs `resolve`, recording every problem() on the way, and a FlowError it throws as the last one. Returns its
 * result when there was none; throws the one problem, or a FlowErrors with all of them in the order found. Any
 * other error is a bug and is thrown as it is.
 */
export function collectProblems<T>(resolve: () => T): T {
  const outer = collecting;
  const found: FlowError[] = [];
  collecting = found;
  let result!: T;
  try {
    result = resolve();
  } catch (err) {
    if (!(err instanceof FlowError)) throw err;
    found.push(...(err instanceof FlowErrors ? err.errors : [err]));
  } finally {
    collecting = outer;
  }
  if (found.length === 1) throw found[0];
  if (found.length > 1) throw new FlowErrors(found);
  return result;
}

/**
 * Runs one check of several while collectProblems runs: a FlowError it throws (or the FlowErrors of a collection of
 * its own) is recorded with the others and `undefined` returned, so the next check still runs. Outside a collection
 * it throws as usual.
 */
export function alongside<T>(check: () => T): T | undefined {
  try {
    return check();
  } catch (err) {
    if (!collecting || !(err instanceof FlowError)) throw err;
    collecting.push(...(err instanceof FlowErrors ? err.errors : [err]));
    return undefined;
  }
}

/** A FlowError in words: several problems one after another, each in its own words, separated by "; ". */
export function inWords(err: FlowError, words: (key: string, params: FlowErrorParams) => string): string {
  return err instanceof FlowErrors ? err.errors.map((e) => words(e.key, e.params)).join('; ') : words(err.key, err.params);
}
