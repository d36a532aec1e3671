// parseStreamsConfig's errors: every bad field named at once, with its path and why (streams-config.test.ts has the
// accepted configurations).
import { describe, expect, it } from 'vitest';
import { ConfigError } from '@kaskade/processor-api';
import { parseStreamsConfig } from './streams-config.js';

const minimal = { applicationId: 'orders-app', bootstrapServers: 'localhost:9092' } as const;

function configError(input: unknown): ConfigError {
  try {
    parseStreamsConfig(input);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('parseStreamsConfig errors', () => {
  it('should list every bad field at once, with its path and why', () => {
    const error = configError({
      applicationId: 'orders app!',
      bootstrapServers: 'localhost',
      stateDir: '',
      processingGuarantee: 'exactly_once',
      commitIntervalMs: -1,
      cacheMaxBytes: 1.5,
      maxPollRecords: 0,
      pollMs: 'soon',
      defaultKeySerde: { serialize: () => Buffer.alloc(0) },
      defaultValueSerde: 'string',
      defaultTimestampExtractor: () => 0,
      deserializationExceptionHandler: 'logAndIgnore',
      processingExceptionHandler: {},
      productionExceptionHandler: 'continue',
      deadLetterQueueTopic: 'dlq/orders',
      replicationFactor: 0,
      instanceId: '',
      consumerConfig: { 'fetch.min.bytes': null },
      producerConfig: 'acks=all',
      adminConfig: { 'client.id': ['x'] },
      logger: console.log,
    });
    expect(error.issues.map((issue) => issue.field)).toEqual([
      'applicationId',
      'bootstrapServers',
      'stateDir',
      'processingGuarantee',
      'commitIntervalMs',
      'cacheMaxBytes',
      'maxPollRecords',
      'pollMs',
      'defaultKeySerde',
      'defaultValueSerde',
      'defaultTimestampExtractor',
      'deserializationExceptionHandler',
      'processingExceptionHandler',
      'productionExceptionHandler',
      'deadLetterQueueTopic',
      'replicationFactor',
      'instanceId',
      'consumerConfig["fetch.min.bytes"]',
      'producerConfig',
      'adminConfig["client.id"]',
      'logger',
    ]);
    expect(error.message).toBe(
      [
        'invalid configuration:',
        '  - applicationId: must be a non-empty string of [a-zA-Z0-9._-]',
        '  - bootstrapServers: must be host:port[,host:port]; not host:port: "localhost"',
        '  - stateDir: must be a non-empty path',
        "  - processingGuarantee: must be 'at_least_once' or 'exactly_once_v2'",
        '  - commitIntervalMs: must be >= 0',
        '  - cacheMaxBytes: must be an integer >= 0',
        '  - maxPollRecords: must be >= 1',
        '  - pollMs: must be an integer >= 0',
        '  - defaultKeySerde: must be a Serde: an object with serialize and deserialize methods',
        '  - defaultValueSerde: must be a Serde: an object with serialize and deserialize methods',
        '  - defaultTimestampExtractor: must be a TimestampExtractor: an object with an extract(record, partitionTimeMs) method',
        "  - deserializationExceptionHandler: must be 'logAndFail', 'logAndContinue' or an object with a handle(context, record, error) method",
        "  - processingExceptionHandler: must be 'logAndFail', 'logAndContinue' or an object with a handle(context, record, error) method",
        "  - productionExceptionHandler: must be 'fail', 'logAndContinue' or an object with a handle(context, error) method",
        '  - deadLetterQueueTopic: must be a non-empty string of [a-zA-Z0-9._-] (a topic name)',
        '  - replicationFactor: must be -1 (the broker default) or an integer >= 1',
        '  - instanceId: must be a non-empty string',
        '  - consumerConfig["fetch.min.bytes"]: must be a string, number or boolean',
        '  - producerConfig: must be an object of librdkafka properties',
        '  - adminConfig["client.id"]: must be a string, number or boolean',
        '  - logger: must be a Logger: an object with debug, info, warn and error methods',
      ].join('\n'),
    );
    expect(error.code).toBe('KASKADE_CONFIG_ERROR');
  });

  it('should give the message of the documented example', () => {
    const error = configError({ ...minimal, applicationId: '', commitIntervalMs: -5 });
    expect(error.message).toBe(
      'invalid configuration:\n' +
        '  - applicationId: must be a non-empty string of [a-zA-Z0-9._-]\n' +
        '  - commitIntervalMs: must be >= 0',
    );
    expect(error.issues).toEqual([
      { field: 'applicationId', message: 'must be a non-empty string of [a-zA-Z0-9._-]' },
      { field: 'commitIntervalMs', message: 'must be >= 0' },
    ]);
  });

  it('should say which required fields are missing', () => {
    expect(configError({}).issues).toEqual([
      { field: 'applicationId', message: 'is required' },
      { field: 'bootstrapServers', message: 'is required' },
    ]);
  });

  it('should limit applicationId to the length of a topic name', () => {
    expect(parseStreamsConfig({ ...minimal, applicationId: 'a'.repeat(249) }).applicationId).toHaveLength(249);
    expect(configError({ ...minimal, applicationId: 'a'.repeat(250) }).issues).toEqual([
      { field: 'applicationId', message: 'must be at most 249 characters (internal topic names derive from it)' },
    ]);
  });

  it('should reject bootstrap servers that are not host:port, naming them', () => {
    for (const servers of ['', 'localhost', 'host:0', 'host:65536', 'a:1,,b:2', 'PLAINTEXT://host:9092', 'host:port']) {
      expect(configError({ ...minimal, bootstrapServers: servers }).issues[0]!.field).toBe('bootstrapServers');
    }
    expect(configError({ ...minimal, bootstrapServers: 'a:1,b,c:x' }).issues[0]!.message).toBe(
      'must be host:port[,host:port]; not host:port: "b", "c:x"',
    );
  });

  it('should reject unknown fields by name and suggest the closest known field', () => {
    const error = configError({
      ...minimal,
      applicationID: 'x',
      'commit.interval.ms': 100,
      bootstrapServer: 'x',
      'statestore.cache.max.bytes': 1,
      color: 'blue',
    });
    expect(error.issues).toEqual([
      { field: 'applicationID', message: 'unknown field (did you mean applicationId?)' },
      { field: 'commit.interval.ms', message: 'unknown field (did you mean commitIntervalMs?)' },
      { field: 'bootstrapServer', message: 'unknown field (did you mean bootstrapServers?)' },
      { field: 'statestore.cache.max.bytes', message: 'unknown field (did you mean cacheMaxBytes?)' },
      { field: 'color', message: 'unknown field' },
    ]);
    expect(error.message).toContain('\n  - applicationID: unknown field (did you mean applicationId?)');
  });

  it('should reject the client properties that Kaskade owns, saying why', () => {
    const error = configError({
      ...minimal,
      consumerConfig: { 'group.id': 'g', 'enable.auto.commit': true, 'isolation.level': 'read_uncommitted' },
      producerConfig: { 'transactional.id': 't', acks: 'all' },
      adminConfig: { 'group.id': 'g' },
    });
    expect(error.issues).toEqual([
      { field: 'consumerConfig["group.id"]', message: 'must not be set: Kaskade sets it to applicationId' },
      {
        field: 'consumerConfig["enable.auto.commit"]',
        message: 'must not be set: Kaskade commits offsets itself, as part of its commit protocol',
      },
      {
        field: 'consumerConfig["isolation.level"]',
        message: 'must not be set: Kaskade sets it from processingGuarantee (read_committed under exactly_once_v2)',
      },
      {
        field: 'producerConfig["transactional.id"]',
        message: 'must not be set: Kaskade derives it from applicationId and instanceId under exactly_once_v2',
      },
      { field: 'adminConfig["group.id"]', message: 'must not be set: Kaskade sets it to applicationId' },
    ]);
  });

  it('should reject a configuration that is not an object', () => {
    expect(configError(null).message).toBe(
      'invalid configuration:\n  - (root): the configuration must be an object, got null',
    );
    expect(configError([]).issues).toEqual([
      { field: '(root)', message: 'the configuration must be an object, got an array' },
    ]);
  });
});
