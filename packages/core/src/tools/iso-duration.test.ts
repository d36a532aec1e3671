import { describe, expect, it } from 'vitest';
import { ConfigError } from '@kaskade/processor-api';
import { parseIsoDuration } from './iso-duration.js';

describe('parseIsoDuration', () => {
  it('should parse days, hours, minutes and seconds as java.time.Duration does', () => {
    expect(parseIsoDuration('P1D')).toBe(86_400_000);
    expect(parseIsoDuration('PT15M')).toBe(900_000);
    expect(parseIsoDuration('P1DT2H30M')).toBe(86_400_000 + 2 * 3_600_000 + 30 * 60_000);
    expect(parseIsoDuration('PT0.5S')).toBe(500);
    expect(parseIsoDuration('pt10s')).toBe(10_000);
    expect(parseIsoDuration('-PT1H')).toBe(-3_600_000);
    expect(parseIsoDuration('PT-1.5S')).toBe(-1500);
  });

  it('should refuse what is not a duration, naming the field and the text', () => {
    for (const bad of ['', 'P', 'PT', 'P1DT', '1D', 'P1Y', 'P1M', 'PT1X', 'yesterday']) {
      expect(() => parseIsoDuration(bad, 'byDuration')).toThrow(ConfigError);
    }
    expect(() => parseIsoDuration('P1Y', 'byDuration')).toThrow(/byDuration: 'P1Y' is not an ISO-8601 duration/);
  });
});
