import { describe, expect, it } from 'vitest';
import { targetOffset } from './reset-target.js';
import type { PartitionOffsets } from './reset-target.js';

const p: PartitionOffsets = { topic: 't', partition: 0, committed: 40, earliest: 10, latest: 100 };

describe('targetOffset', () => {
  it('should move to the earliest or latest offset', () => {
    expect(targetOffset({ kind: 'earliest' }, p)).toBe(10);
    expect(targetOffset({ kind: 'latest' }, p)).toBe(100);
  });

  it("should move to the broker's offset for a timestamp, or the end when no record is that new", () => {
    expect(targetOffset({ kind: 'timestamp', timestampMs: 5 }, { ...p, byTimestamp: 55 })).toBe(55);
    expect(targetOffset({ kind: 'timestamp', timestampMs: 5 }, { ...p, byTimestamp: -1 })).toBe(100);
  });

  it('should keep explicit offsets and shifts within earliest and latest, as Kafka tools do', () => {
    expect(targetOffset({ kind: 'offset', offset: 50 }, p)).toBe(50);
    expect(targetOffset({ kind: 'offset', offset: 0 }, p)).toBe(10);
    expect(targetOffset({ kind: 'offset', offset: 1000 }, p)).toBe(100);
    expect(targetOffset({ kind: 'shift', by: -15 }, p)).toBe(25);
    expect(targetOffset({ kind: 'shift', by: -100 }, p)).toBe(10);
    expect(targetOffset({ kind: 'shift', by: 500 }, p)).toBe(100);
  });

  it('should shift from the earliest offset when the group has committed none', () => {
    expect(targetOffset({ kind: 'shift', by: 5 }, { ...p, committed: undefined })).toBe(15);
  });

  it('should leave partitions alone that an offsets file does not list', () => {
    const target = { kind: 'explicit', offsets: [{ topic: 't', partition: 1, offset: 60 }] } as const;
    expect(targetOffset(target, p)).toBeUndefined();
    expect(targetOffset(target, { ...p, partition: 1 })).toBe(60);
  });
});
