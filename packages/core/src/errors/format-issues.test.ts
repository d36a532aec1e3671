import { describe, expect, it } from 'vitest';
import { formatIssueList, formatIssuePath } from './format-issues.js';

describe('formatIssuePath', () => {
  it('should print paths as they are written in code', () => {
    expect(formatIssuePath([])).toBe('(root)');
    expect(formatIssuePath(['commitIntervalMs'])).toBe('commitIntervalMs');
    expect(formatIssuePath(['customer', 'address', 'zip'])).toBe('customer.address.zip');
    expect(formatIssuePath(['lines', 0, 'sku'])).toBe('lines[0].sku');
    expect(formatIssuePath(['consumerConfig', 'group.id'])).toBe('consumerConfig["group.id"]');
    expect(formatIssuePath(['group.id'])).toBe('["group.id"]');
    expect(formatIssuePath([Symbol('s')])).toBe('[Symbol(s)]');
  });
});

describe('formatIssueList', () => {
  it('should print one indented line per issue', () => {
    expect(
      formatIssueList([
        { field: 'a', message: 'is required' },
        { field: 'b.c', message: 'must be >= 0' },
      ]),
    ).toBe('  - a: is required\n  - b.c: must be >= 0');
  });
});
