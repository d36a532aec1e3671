// Tells an LMDB error that means "this store's files are damaged" from the others, and turns it into a
// `CorruptedStateError` that names the task and the path. The runtime never treats that as a bad record: it closes the
// task, wipes its state and restores it from the changelogs (Kafka Streams' TaskCorruptedException).
import { CorruptedStateError } from '@kaskade/processor-api';

/**
 * LMDB return codes of damaged files: MDB_PAGE_NOTFOUND, MDB_CORRUPTED, MDB_PANIC, MDB_VERSION_MISMATCH, MDB_INVALID,
 * and MDB_BAD_TXN (what every later call in a transaction reports after one of those).
 */
const CORRUPTION_CODES = new Set([-30797, -30796, -30795, -30794, -30793, -30782]);
/** The same by message, and lmdb-js's own messages after LMDB found damage in a transaction. */
const CORRUPTION_MESSAGE =
  /MDB_PAGE_NOTFOUND|MDB_CORRUPTED|MDB_PANIC|MDB_VERSION_MISMATCH|MDB_INVALID|MDB_BAD_TXN|index points to a 00 page|txn has failed/;

/** Where an LMDB error happened, for the error's message and context. */
export interface LmdbLocation {
  readonly path: string;
  readonly taskId: string | undefined;
}

/** True when `error` is an LMDB error that says the store's files are damaged. */
export function isLmdbCorruption(error: unknown): boolean {
  if (!(error instanceof Error) || error instanceof CorruptedStateError) return false;
  const code = (error as { code?: unknown }).code;
  return (typeof code === 'number' && CORRUPTION_CODES.has(code)) || CORRUPTION_MESSAGE.test(error.message);
}

/**
 * The error to throw for an error of an LMDB call: a `CorruptedStateError` naming the task and the path when LMDB
 * says the files are damaged, else `error` itself.
 */
export function lmdbFailure(error: unknown, where: LmdbLocation): unknown {
  if (!isLmdbCorruption(error)) return error;
  const task = where.taskId === undefined ? '' : ` of task ${where.taskId}`;
  return new CorruptedStateError(
    `the state${task} in ${where.path} is corrupted (${(error as Error).message}); it must be rebuilt from the changelogs`,
    { cause: error, context: { path: where.path, ...(where.taskId === undefined ? {} : { taskId: where.taskId }) } },
  );
}
