import { describe, expect, it } from 'vitest';
import { CorruptedStateError } from '@kaskade/processor-api';
import { isLmdbCorruption, lmdbFailure } from './lmdb-corruption.js';

const lmdbError = (message: string, code: number) => Object.assign(new Error(message), { code });

describe('lmdbFailure', () => {
  const where = { path: '/state/app/0_3/lmdb', taskId: '0_3' };

  it('should turn LMDB errors of damaged files into a CorruptedStateError naming the task and the path', () => {
    for (const error of [
      lmdbError('MDB_CORRUPTED: Located page was wrong type', -30796),
      lmdbError('MDB_PAGE_NOTFOUND: Requested page not found', -30797),
      lmdbError('MDB_BAD_TXN: Transaction must abort, has a child, or is invalid', -30782),
      new Error('internal error, index points to a 00 page!?'),
    ]) {
      const failure = lmdbFailure(error, where);
      expect(failure).toBeInstanceOf(CorruptedStateError);
      expect((failure as CorruptedStateError).message).toContain('the state of task 0_3 in /state/app/0_3/lmdb');
      expect((failure as CorruptedStateError).context).toEqual({ path: '/state/app/0_3/lmdb', taskId: '0_3' });
      expect((failure as CorruptedStateError).cause).toBe(error);
    }
  });

  it('should leave other errors alone (a full map, a too large key, a user error)', () => {
    for (const error of [
      lmdbError('MDB_MAP_FULL: Environment mapsize limit reached', -30792),
      lmdbError('MDB_BAD_VALSIZE: Unsupported size of key/DB name/data, or wrong DUPFIXED size', -30781),
      new TypeError('x is not a function'),
    ]) {
      expect(isLmdbCorruption(error)).toBe(false);
      expect(lmdbFailure(error, where)).toBe(error);
    }
  });
});
