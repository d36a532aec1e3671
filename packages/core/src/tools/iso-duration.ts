import { ConfigError } from '@kaskade/processor-api';

// ISO-8601 durations as java.time.Duration.parse accepts them (the reset tool's `--by-duration`): days, hours,
// minutes and (fractional) seconds, each optional, e.g. `P1D`, `PT15M`, `P1DT2H30M`, `PT0.5S`, and a leading sign.
// Years and months are refused as Java refuses them: their length in milliseconds is not fixed.
const DURATION = /^([-+]?)P(?:([-+]?\d+)D)?(?:T(?:([-+]?\d+)H)?(?:([-+]?\d+)M)?(?:([-+]?\d+)(?:[.,](\d{0,9}))?S)?)?$/i;

/**
 * Parses an ISO-8601 duration (`PnDTnHnMn.nS`) into milliseconds.
 *
 * @throws ConfigError naming the text when it is not such a duration.
 * @see java.time.Duration#parse
 */
export function parseIsoDuration(text: string, field = 'duration'): number {
  const m = DURATION.exec(text.trim());
  // `P` and `PT` alone match the pattern with every part absent; Java rejects them, and so do we.
  if (!m || /^[-+]?PT?$/i.test(text.trim()) || /T$/i.test(text.trim())) {
    const message = `'${text}' is not an ISO-8601 duration such as P1D, PT15M or P1DT2H30M`;
    throw new ConfigError(`${field}: ${message}`, [{ field, message }], { context: { field } });
  }
  const [, sign, d, h, min, s, frac] = m;
  const n = (v: string | undefined): number => (v ? Number(v) : 0);
  const seconds = n(s);
  const fraction = frac ? Number(`0.${frac}`) * (s?.startsWith('-') ? -1 : 1) : 0;
  const ms = n(d) * 86_400_000 + n(h) * 3_600_000 + n(min) * 60_000 + seconds * 1000 + Math.round(fraction * 1000);
  return sign === '-' ? -ms : ms;
}
