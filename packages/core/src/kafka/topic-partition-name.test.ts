import { describe, expect, it } from 'vitest';
import { topicPartitionName } from './topic-partition-name.js';

describe('topicPartitionName', () => {
  it('should print a known partition after a dash and leave an unknown one out', () => {
    expect(topicPartitionName('orders', 3)).toBe('orders-3');
    expect(topicPartitionName('orders', 0)).toBe('orders-0');
    expect(topicPartitionName('orders', -1)).toBe('orders');
    expect(topicPartitionName('orders', undefined)).toBe('orders');
  });
});
