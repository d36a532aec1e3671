import { describe, expect, it } from 'vitest';
import { IllegalStateError } from '@kaskade/processor-api';
import { decodeCommitMetadata, encodeCommitMetadata } from './commit-metadata.js';
import { ProcessorMetadata } from './processor-metadata.js';

describe('commit metadata: the rewind id and the processor metadata on one committed offset', () => {
  it('should carry either part alone, both, or none, and read a rewind-only string as before', () => {
    expect(encodeCommitMetadata(undefined, undefined)).toBeUndefined();
    expect(encodeCommitMetadata('kaskade-rewind:r1', undefined)).toBe('kaskade-rewind:r1');
    expect(encodeCommitMetadata(undefined, '{"s":15}')).toBe('kaskade-pm:{"s":15}');
    expect(encodeCommitMetadata('kaskade-rewind:r1', '{"s":15}')).toBe('kaskade-rewind:r1\nkaskade-pm:{"s":15}');
    expect(decodeCommitMetadata(undefined)).toEqual({ rewind: undefined, processor: undefined });
    expect(decodeCommitMetadata('')).toEqual({ rewind: undefined, processor: undefined });
    expect(decodeCommitMetadata('kaskade-rewind:r1')).toEqual({ rewind: 'kaskade-rewind:r1', processor: undefined });
    expect(decodeCommitMetadata('kaskade-pm:{"s":15}')).toEqual({ rewind: undefined, processor: '{"s":15}' });
    expect(decodeCommitMetadata('kaskade-rewind:r1\nkaskade-pm:{"s":15}')).toEqual({
      rewind: 'kaskade-rewind:r1',
      processor: '{"s":15}',
    });
  });
});

describe('ProcessorMetadata', () => {
  it('should encode, decode and merge by the larger value, and say when it changed since the last commit', () => {
    const m = new ProcessorMetadata();
    expect(m.needsCommit).toBe(false);
    m.set('store-a', 15);
    expect(m.needsCommit).toBe(true);
    m.needsCommit = false;
    m.set('store-a', 15);
    expect(m.needsCommit).toBe(false);
    const decoded = ProcessorMetadata.decode(m.encode());
    expect([...decoded]).toEqual([['store-a', 15]]);
    m.update(
      new Map([
        ['store-a', 10],
        ['store-b', 7],
      ]),
    );
    expect([m.get('store-a'), m.get('store-b')]).toEqual([15, 7]);
    m.update(new Map([['store-a', 25]]));
    expect(m.get('store-a')).toBe(25);
  });

  it('should refuse values that are not integers and committed metadata that is not an object of integers', () => {
    expect(() => new ProcessorMetadata().set('s', 1.5)).toThrow(IllegalStateError);
    expect(() => ProcessorMetadata.decode('not json')).toThrow(/not a JSON object/);
    expect(() => ProcessorMetadata.decode('{"s":"x"}')).toThrow(/"s" is not an integer/);
  });
});
