import * as z from 'zod';
import { ConfigError } from '@kaskade/processor-api';
import { formatIssueList, formatIssuePath } from '../errors/format-issues.js';
import type { ClientConfig } from '../kafka/kafka-types.js';
import type { Logger } from '../config/logger.js';

/**
 * What {@link resetApplication} resets and to where. Exactly one target may be given; none means `toEarliest`, as
 * in Kafka Streams' reset tool.
 *
 * @see org.apache.kafka.tools.StreamsResetter
 */
export interface ResetApplicationOptions {
  /** The application (consumer group) to reset. */
  readonly applicationId: string;
  readonly bootstrapServers: string;
  /**
   * The input topics whose committed offsets move. Default: every topic (other than the application's internal
   * ones) on which the group has committed offsets.
   */
  readonly inputTopics?: readonly string[];
  readonly toEarliest?: boolean;
  readonly toLatest?: boolean;
  /** An ISO-8601 date-time (`2026-12-01T10:00:00Z`; without a zone: local time), a `Date` or epoch milliseconds. */
  readonly toDatetime?: string | Date | number;
  /** An ISO-8601 duration back from now, e.g. `PT15M`, `P1DT2H`. */
  readonly byDuration?: string;
  /** The same offset in every input partition (kept within the partition's earliest and latest offsets). */
  readonly toOffset?: number;
  /** Moves every committed offset by this many records (negative: back). */
  readonly shiftBy?: number;
  /** A CSV file of `topic,partition,offset` lines, as Kafka's consumer-groups tool writes. */
  readonly fromFile?: string;
  /** Plan only: report what would change and change nothing. */
  readonly dryRun?: boolean;
  /**
   * Delete the application's internal topics (changelogs and repartition topics; default true), so that state is
   * rebuilt from the reprocessed input. With false, repartition topics are kept and the group skips to their end.
   */
  readonly deleteInternalTopics?: boolean;
  /** The application's `stateDir`: its local state (`<stateDir>/<applicationId>`) is deleted too. */
  readonly stateDir?: string;
  /** librdkafka settings for the admin client and the committing consumer (security, timeouts, ...). */
  readonly clientConfig?: ClientConfig;
  /** How long each broker request may take, in ms. Default 30 000. */
  readonly timeoutMs?: number;
  readonly logger?: Logger;
}

const TARGETS = ['toEarliest', 'toLatest', 'toDatetime', 'byDuration', 'toOffset', 'shiftBy', 'fromFile'] as const;

const schema = z
  .strictObject({
    applicationId: z.string().regex(/^[a-zA-Z0-9._-]{1,249}$/, 'a Kafka group id of [a-zA-Z0-9._-], 1 to 249 long'),
    bootstrapServers: z.string().min(1, 'host:port[,host:port...]'),
    inputTopics: z.array(z.string().min(1)).optional(),
    toEarliest: z.boolean().optional(),
    toLatest: z.boolean().optional(),
    toDatetime: z.union([z.string().min(1), z.date(), z.number().int().nonnegative()]).optional(),
    byDuration: z.string().optional(),
    toOffset: z.number().int().nonnegative().optional(),
    shiftBy: z.number().int().optional(),
    fromFile: z.string().min(1).optional(),
    dryRun: z.boolean().optional(),
    deleteInternalTopics: z.boolean().optional(),
    stateDir: z.string().min(1).optional(),
    clientConfig: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
    timeoutMs: z.number().int().positive().optional(),
    logger: z.custom<Logger>((v) => typeof v === 'object' && v !== null).optional(),
  })
  .superRefine((o, ctx) => {
    const given = TARGETS.filter((t) => o[t] !== undefined && o[t] !== false);
    if (given.length > 1) {
      ctx.addIssue({ code: 'custom', path: [given[1]!], message: `only one target may be given (also: ${given[0]})` });
    }
  });

/** Validates reset options; a {@link ConfigError} lists every bad field. */
export function parseResetOptions(input: ResetApplicationOptions): ResetApplicationOptions {
  const result = schema.safeParse(input);
  if (!result.success) {
    const issues = result.error.issues.map((i) => ({ field: formatIssuePath(i.path), message: i.message }));
    throw new ConfigError(`invalid reset options:\n${formatIssueList(issues)}`, issues, { cause: result.error });
  }
  return input;
}

/** The date-time of `toDatetime` in epoch ms; without a zone it is local time, as in Kafka's tools. */
export function parseDatetime(value: string | Date | number): number {
  if (typeof value === 'number') return value;
  if (value instanceof Date) return value.getTime();
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value) || Number.isNaN(ms)) {
    const message = `'${value}' is not an ISO-8601 date-time such as 2026-12-01T10:00:00Z`;
    throw new ConfigError(`toDatetime: ${message}`, [{ field: 'toDatetime', message }]);
  }
  return ms;
}
