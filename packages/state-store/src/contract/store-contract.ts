// The store contract: one suite that every store implementation must pass.
import { describe } from 'vitest';
import type { StoreImplementation } from './contract-harness.js';
import { keyValueStoreContract } from './key-value-store-contract.js';
import { recordCacheContract } from './record-cache-contract.js';
import { sessionStoreContract } from './session-store-contract.js';
import { taskStateManagerContract } from './task-state-manager-contract.js';
import { windowStoreContract } from './window-store-contract.js';

export type { StoreImplementation } from './contract-harness.js';

/** Runs the whole contract (key-value, window, session stores, the record cache, the task state manager). */
export function describeStoreContract(impl: StoreImplementation): void {
  describe(impl.name, () => {
    keyValueStoreContract(impl);
    windowStoreContract(impl);
    sessionStoreContract(impl);
    if (!impl.caching) {
      recordCacheContract(impl);
      taskStateManagerContract(impl);
    }
  });
}
