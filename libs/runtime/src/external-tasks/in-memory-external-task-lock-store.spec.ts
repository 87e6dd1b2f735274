import { externalTaskLockStoreContract } from '../testing/external-task-lock-store.contract.js';
import { InMemoryExternalTaskLockStore } from './in-memory-external-task-lock-store.js';

const store = new InMemoryExternalTaskLockStore();

externalTaskLockStoreContract('in memory', () => store);
