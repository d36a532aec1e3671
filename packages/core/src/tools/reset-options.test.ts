import { describe, expect, it } from 'vitest';
import { ConfigError } from '@kaskade/processor-api';
import { parseDatetime, parseResetOptions } from './reset-options.js';
import { formatResetPlan } from './reset-plan.js';

const base = { applicationId: 'app', bootstrapServers: 'localhost:9092' };

describe('parseResetOptions', () => {
  it('should accept one target, or none (earliest)', () => {
    expect(parseResetOptions({ ...base })).toEqual(base);
    expect(parseResetOptions({ ...base, shiftBy: -10, dryRun: true }).shiftBy).toBe(-10);
  });

  it('should refuse two targets, naming both', () => {
    expect(() => parseResetOptions({ ...base, toEarliest: true, toOffset: 5 })).toThrow(
      /toOffset: only one target may be given \(also: toEarliest\)/,
    );
  });

  it('should name every bad field', () => {
    try {
      parseResetOptions({ applicationId: 'a b', bootstrapServers: '', toOffset: -1 });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).issues.map((i) => i.field)).toEqual(['applicationId', 'bootstrapServers', 'toOffset']);
    }
  });
});

describe('parseDatetime', () => {
  it('should read ISO-8601 date-times with a zone, and Dates and epoch milliseconds', () => {
    expect(parseDatetime('2026-12-01T10:00:00Z')).toBe(Date.UTC(2026, 11, 1, 10));
    expect(parseDatetime('2026-12-01T10:00:00.250+01:00')).toBe(Date.UTC(2026, 11, 1, 9, 0, 0, 250));
    expect(parseDatetime(new Date(5))).toBe(5);
    expect(parseDatetime(7)).toBe(7);
  });

  it('should refuse what is not a date-time, naming the text', () => {
    expect(() => parseDatetime('yesterday')).toThrow(/toDatetime: 'yesterday' is not an ISO-8601 date-time/);
    expect(() => parseDatetime('2026-13-45T99:00:00Z')).toThrow(ConfigError);
  });
});

describe('formatResetPlan', () => {
  it('should print each partition as committed -> new, and the topics and state to delete', () => {
    const text = formatResetPlan({
      applicationId: 'app',
      dryRun: true,
      offsets: [
        { topic: 'in', partition: 0, committed: 42, target: 0, role: 'input' },
        { topic: 'in', partition: 1, committed: undefined, target: 0, role: 'input' },
      ],
      topicsToDelete: ['app-counts-changelog', 'app-by-word-repartition'],
      stateDirToDelete: '/tmp/state/app',
    });
    expect(text).toBe(
      [
        "Dry run: would reset application 'app':",
        '  committed offsets (topic-partition: now -> new):',
        '    in-0: 42 -> 0',
        '    in-1: none -> 0',
        '  internal topics to delete: app-counts-changelog, app-by-word-repartition',
        '  local state to delete: /tmp/state/app',
      ].join('\n'),
    );
  });
});
