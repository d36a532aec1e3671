import { ConfigError, StreamsError } from '@kaskade/processor-api';
import { pauseApplication, resumeApplication, rewindApplication } from '../control/application-control.js';
import type { ApplicationControlOptions, RewindApplicationOptions } from '../control/application-control.js';
import type { DesiredState, RewindCommand } from '../control/control-commands.js';

/** Application-wide actions of `/api/control`: the same calls as `kaskade pause|resume|rewind`, on the control topic. */
export interface ApplicationActions {
  pause(): Promise<DesiredState>;
  resume(): Promise<DesiredState>;
  /** `body`: the request's JSON; validated here (an {@link ApplicationActionError} with status 400 names the field). */
  rewind(body: { readonly [key: string]: unknown }): Promise<RewindCommand>;
}

/** A refused or failed application-wide action of `/api/control`; `context.status` is the HTTP status to answer. */
export class ApplicationActionError extends StreamsError {
  override readonly code: string = 'KASKADE_APPLICATION_ACTION';

  constructor(message: string, status: number, field?: string, cause?: unknown) {
    super(message, { cause, context: { status, ...(field !== undefined ? { field } : {}) } });
  }

  get status(): number {
    return this.context['status'] as number;
  }
}

const REWIND_FIELDS = new Set(['action', 'all', 'toEarliest', 'toDatetime', 'byDuration', 'toOffsets', 'state']);
/** Reasons of an ApplicationControlError that are the caller's input. */
const BAD_INPUT = new Set(['bad-target', 'bad-state']);

/** The actions for one application, issued as `by` (the server says who: `dashboard@<instance>`). */
export function applicationActions(connection: ApplicationControlOptions): ApplicationActions {
  return {
    pause: () => mapErrors(pauseApplication(connection)),
    resume: () => mapErrors(resumeApplication(connection)),
    rewind: (body) => mapErrors(rewindApplication({ ...connection, ...rewindOptions(body) })),
  };
}

/** The rewind options of a request body, each field checked; unknown fields are refused (a typo is not ignored). */
export function rewindOptions(body: {
  readonly [key: string]: unknown;
}): Omit<RewindApplicationOptions, keyof ApplicationControlOptions> {
  const bad = (field: string, expected: string): never => {
    throw new ApplicationActionError(
      `rewind: '${field}' must be ${expected}, got ${JSON.stringify(body[field])}`,
      400,
      field,
    );
  };
  const unknown = Object.keys(body).filter((k) => !REWIND_FIELDS.has(k));
  if (unknown.length > 0) {
    throw new ApplicationActionError(
      `rewind: unknown field(s) ${unknown.join(', ')}; expected toEarliest, toDatetime, byDuration, toOffsets, state`,
      400,
    );
  }
  const { toEarliest, toDatetime, byDuration, toOffsets, state } = body;
  if (toEarliest !== undefined && typeof toEarliest !== 'boolean') bad('toEarliest', 'true or false');
  if (toDatetime !== undefined && typeof toDatetime !== 'string' && typeof toDatetime !== 'number')
    bad('toDatetime', 'an ISO-8601 date-time or epoch ms');
  if (byDuration !== undefined && typeof byDuration !== 'string') bad('byDuration', 'an ISO-8601 duration');
  if (state !== undefined && state !== 'keep' && state !== 'rebuild') bad('state', "'keep' or 'rebuild'");
  let offsets: { topic: string; partition: number; offset: number }[] | undefined;
  if (toOffsets !== undefined) {
    const valid =
      Array.isArray(toOffsets) &&
      toOffsets.every(
        (o: unknown) =>
          typeof o === 'object' &&
          o !== null &&
          typeof (o as { topic?: unknown }).topic === 'string' &&
          Number.isInteger((o as { partition?: unknown }).partition) &&
          Number.isInteger((o as { offset?: unknown }).offset),
      );
    if (!valid) bad('toOffsets', 'an array of {topic, partition, offset}');
    offsets = toOffsets as { topic: string; partition: number; offset: number }[];
  }
  return {
    ...(toEarliest === true ? { toEarliest } : {}),
    ...(toDatetime !== undefined ? { toDatetime: toDatetime as string | number } : {}),
    ...(byDuration !== undefined ? { byDuration: byDuration as string } : {}),
    ...(offsets !== undefined ? { toOffsets: offsets } : {}),
    ...(state !== undefined ? { state: state as 'keep' | 'rebuild' } : {}),
  };
}

async function mapErrors<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (e) {
    if (e instanceof ConfigError) throw new ApplicationActionError(e.message, 400, e.issues[0]?.field, e);
    if (e instanceof StreamsError) {
      const reason = String(e.context['reason']);
      const status = BAD_INPUT.has(reason) ? 400 : reason === 'not-acknowledged' ? 409 : 502;
      throw new ApplicationActionError(e.message, status, undefined, e);
    }
    throw e;
  }
}
