import type * as z from 'zod';
import { ConfigError } from '@kaskade/processor-api';
import { DefaultProductionExceptionHandler } from '../errors/default-production-exception-handler.js';
import type { DeserializationExceptionHandler, ProcessingExceptionHandler } from '../errors/exception-handlers.js';
import { formatIssueList, formatIssuePath } from '../errors/format-issues.js';
import type { Issue } from '../errors/format-issues.js';
import { LogAndContinueExceptionHandler } from '../errors/log-and-continue-exception-handler.js';
import { LogAndContinueProductionExceptionHandler } from '../errors/log-and-continue-production-exception-handler.js';
import { LogAndFailExceptionHandler } from '../errors/log-and-fail-exception-handler.js';
import { unknownFieldMessage } from './closest-field.js';
import { consoleLogger } from './logger.js';
import type { Logger } from './logger.js';
import type { BuiltInExceptionHandlerName, StreamsConfig } from './streams-config.js';
import { KNOWN_FIELDS, streamsConfigSchema } from './streams-config-schema.js';

/**
 * Validates a configuration and fills in the defaults. Throws a {@link ConfigError} that lists every bad field at
 * once, each with its path and what is wrong (also in `error.issues`); unknown fields are errors too, with the
 * closest known field suggested. Parsing an already parsed config gives an equal config.
 *
 * ```ts
 * const config = parseStreamsConfig({ applicationId: 'wordcount', bootstrapServers: 'localhost:9092' });
 * config.commitIntervalMs; // 30000
 * ```
 * @throws ConfigError
 */
export function parseStreamsConfig(input: unknown): StreamsConfig {
  const result = streamsConfigSchema.safeParse(input);
  if (!result.success) {
    const issues = result.error.issues.flatMap((issue) => toIssues(issue, input));
    throw new ConfigError(`invalid configuration:\n${formatIssueList(issues)}`, issues, { cause: result.error });
  }
  const parsed = result.data;
  const membershipIssues = [...staticMembershipIssues(input, parsed), ...groupProtocolIssues(parsed)];
  if (membershipIssues.length > 0) {
    throw new ConfigError(`invalid configuration:\n${formatIssueList(membershipIssues)}`, membershipIssues);
  }
  const logger = parsed.logger ?? consoleLogger();
  const handlerOptions = { logger, deadLetterQueueTopic: parsed.deadLetterQueueTopic };
  const config: StreamsConfig = {
    ...parsed,
    commitIntervalMs: parsed.commitIntervalMs ?? (parsed.processingGuarantee === 'exactly_once_v2' ? 100 : 30_000),
    deserializationExceptionHandler: resolveHandler(parsed.deserializationExceptionHandler, handlerOptions),
    processingExceptionHandler: resolveHandler(parsed.processingExceptionHandler, handlerOptions),
    productionExceptionHandler:
      parsed.productionExceptionHandler === 'fail'
        ? new DefaultProductionExceptionHandler(handlerOptions)
        : parsed.productionExceptionHandler === 'logAndContinue'
          ? new LogAndContinueProductionExceptionHandler(handlerOptions)
          : parsed.productionExceptionHandler,
    // Per-client settings win over the shared ones. Merged here, once, so every client of the runtime (and of tools
    // that take a parsed config) gets the same view; parsing a parsed config again gives the same result.
    clientConfig: Object.freeze({ ...parsed.clientConfig }),
    consumerConfig: Object.freeze({ ...parsed.clientConfig, ...parsed.consumerConfig }),
    producerConfig: Object.freeze({ ...parsed.clientConfig, ...parsed.producerConfig }),
    adminConfig: Object.freeze({ ...parsed.clientConfig, ...parsed.adminConfig }),
    logger,
  };
  return Object.freeze(config);
}

/** Static membership needs a stable instance id of the user's, and owns `group.instance.id`. */
function staticMembershipIssues(
  input: unknown,
  parsed: { staticMembership: boolean; clientConfig?: object; consumerConfig?: object },
): Issue[] {
  if (!parsed.staticMembership) return [];
  const issues: Issue[] = [];
  if ((input as { instanceId?: unknown }).instanceId === undefined) {
    issues.push({
      field: 'staticMembership',
      message:
        'needs an instanceId that stays the same across restarts: set instanceId (the default, <hostname>-<pid>, changes with every process)',
    });
  }
  for (const where of ['clientConfig', 'consumerConfig'] as const) {
    if (parsed[where] !== undefined && 'group.instance.id' in parsed[where]) {
      issues.push({
        field: `${where}.group.instance.id`,
        message: 'must not be set with staticMembership: Kaskade sets it to instanceId',
      });
    }
  }
  return issues;
}

/** Settings of the classic protocol that librdkafka refuses under the consumer protocol (the broker owns them). */
export const CLASSIC_ONLY_CONSUMER_KEYS: readonly string[] = [
  'session.timeout.ms',
  'heartbeat.interval.ms',
  'partition.assignment.strategy',
  'group.protocol.type',
];

/** `groupProtocol: 'consumer'` with a setting only the classic protocol has. */
function groupProtocolIssues(parsed: {
  groupProtocol: string;
  clientConfig?: object;
  consumerConfig?: object;
}): Issue[] {
  if (parsed.groupProtocol !== 'consumer') return [];
  const issues: Issue[] = [];
  for (const where of ['clientConfig', 'consumerConfig'] as const) {
    for (const key of CLASSIC_ONLY_CONSUMER_KEYS) {
      if (parsed[where] !== undefined && key in parsed[where]) {
        issues.push({
          field: formatIssuePath([where, key]),
          message: "must not be set with groupProtocol 'consumer': the broker decides it (group.consumer.* configs)",
        });
      }
    }
  }
  return issues;
}

function resolveHandler<H extends DeserializationExceptionHandler | ProcessingExceptionHandler>(
  handler: BuiltInExceptionHandlerName | H,
  options: { logger: Logger; deadLetterQueueTopic: string | undefined },
): H | LogAndFailExceptionHandler | LogAndContinueExceptionHandler {
  if (handler === 'logAndFail') return new LogAndFailExceptionHandler(options);
  if (handler === 'logAndContinue') return new LogAndContinueExceptionHandler(options);
  return handler;
}

/** One zod issue as config issues: an unrecognized-keys issue becomes one issue per unknown field. */
function toIssues(issue: z.core.$ZodIssue, input: unknown): Issue[] {
  if (issue.code === 'unrecognized_keys') {
    // A nested object (server, metrics) names its own path; only top-level fields get a closest-match suggestion.
    if (issue.path.length > 0) {
      return issue.keys.map((key) => ({ field: formatIssuePath([...issue.path, key]), message: 'unknown field' }));
    }
    return issue.keys.map((key) => ({ field: key, message: unknownFieldMessage(key, KNOWN_FIELDS) }));
  }
  if (issue.path.length === 0 && issue.code === 'invalid_type') {
    return [{ field: '(root)', message: `the configuration must be an object, got ${describe(input)}` }];
  }
  return [{ field: formatIssuePath(issue.path), message: issue.message }];
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'an array' : typeof value;
}
