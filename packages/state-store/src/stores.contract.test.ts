// Runs the store contract against every implementation: LMDB and in-memory, each with and without a record cache.
import { describeStoreContract } from './contract/store-contract.js';

describeStoreContract({ name: 'LMDB stores', persistent: true, caching: false });
describeStoreContract({ name: 'LMDB stores with caching', persistent: true, caching: true });
describeStoreContract({ name: 'in-memory stores', persistent: false, caching: false });
describeStoreContract({ name: 'in-memory stores with caching', persistent: false, caching: true });
