import { describe, expect, it } from 'vitest';
import { splitTasks } from './split-tasks.js';

const subs = new Map([
  ['orders', 0],
  ['customers', 0],
  ['rekeyed', 1],
]);

describe('splitTasks', () => {
  it('should find none when every task has partition p of all its sources', () => {
    const owned = [
      { topic: 'orders', partition: 1 },
      { topic: 'customers', partition: 1 },
      { topic: 'rekeyed', partition: 3 },
    ];
    expect(splitTasks(owned, subs)).toEqual([]);
  });

  it('should name a task that has partition p of one source without the other', () => {
    const owned = [
      { topic: 'orders', partition: 1 },
      { topic: 'customers', partition: 2 },
      { topic: 'rekeyed', partition: 1 },
      { topic: 'elsewhere', partition: 0 },
    ];
    expect(splitTasks(owned, subs)).toEqual(['0_1', '0_2']);
  });
});
