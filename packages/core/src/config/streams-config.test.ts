import os from 'node:os';
import path from 'node:path';
import { describe, expect, expectTypeOf, it, vi } from 'vitest';
import type * as z from 'zod';
import { ConfigError, Headers } from '@kaskade/processor-api';
import { DefaultProductionExceptionHandler } from '../errors/default-production-exception-handler.js';
import type { DeserializationExceptionHandler, RawSourceRecord } from '../errors/exception-handlers.js';
import { LogAndContinueExceptionHandler } from '../errors/log-and-continue-exception-handler.js';
import { LogAndFailExceptionHandler } from '../errors/log-and-fail-exception-handler.js';
import { BytesSerde } from '../serde/bytes-serde.js';
import { Serdes } from '../serde/serdes.js';
import { RecordTimestampExtractor } from '../time/record-timestamp-extractor.js';
import { WallclockTimestampExtractor } from '../time/wallclock-timestamp-extractor.js';
import { silentLogger } from './logger.js';
import type { Logger } from './logger.js';
import { parseStreamsConfig } from './streams-config.js';
import type { streamsConfigSchema, StreamsConfigInput } from './streams-config.js';

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

const context = { taskId: { subtopology: 0, partition: 1 }, nodeName: 'SRC', topic: 'in', partition: 1, offset: 7 };
const record: RawSourceRecord = {
  topic: 'in',
  partition: 1,
  offset: 7,
  timestamp: 1,
  key: null,
  value: Buffer.from('x'),
  headers: Headers.EMPTY,
};

describe('parseStreamsConfig', () => {
  it('should fill in every default', () => {
    const config = parseStreamsConfig(minimal);
    expect(config).toMatchObject({
      applicationId: 'orders-app',
      bootstrapServers: 'localhost:9092',
      stateDir: path.join(os.tmpdir(), 'kaskade-streams'),
      processingGuarantee: 'at_least_once',
      commitIntervalMs: 30_000,
      cacheMaxBytes: 10 * 1024 * 1024,
      maxPollRecords: 1000,
      pollMs: 100,
      replicationFactor: -1,
      instanceId: `${os.hostname()}-${process.pid}`,
      clientConfig: {},
      consumerConfig: {},
      producerConfig: {},
      adminConfig: {},
      startTimeoutMs: 60_000,
    });
    expect(config.deadLetterQueueTopic).toBeUndefined();
    expect(config.defaultKeySerde).toBeInstanceOf(BytesSerde);
    expect(config.defaultValueSerde).toBeInstanceOf(BytesSerde);
    expect(config.defaultTimestampExtractor).toBeInstanceOf(RecordTimestampExtractor);
    expect(config.deserializationExceptionHandler).toBeInstanceOf(LogAndFailExceptionHandler);
    expect(config.processingExceptionHandler).toBeInstanceOf(LogAndFailExceptionHandler);
    expect(config.productionExceptionHandler).toBeInstanceOf(DefaultProductionExceptionHandler);
    for (const method of ['debug', 'info', 'warn', 'error'] as const)
      expect(config.logger[method]).toBeTypeOf('function');
  });

  it('should default numStandbyReplicas to 0 (no standbys) and refuse what is not a whole number >= 0', () => {
    expect(parseStreamsConfig(minimal).numStandbyReplicas).toBe(0);
    expect(parseStreamsConfig({ ...minimal, numStandbyReplicas: 2 }).numStandbyReplicas).toBe(2);
    expect(() => parseStreamsConfig({ ...minimal, numStandbyReplicas: -1 })).toThrowError(
      /numStandbyReplicas: must be >= 0/,
    );
    expect(() => parseStreamsConfig({ ...minimal, numStandbyReplicas: 1.5 })).toThrowError(ConfigError);
    expect(() => parseStreamsConfig({ ...minimal, numStandbyReplicas: '1' })).toThrowError(ConfigError);
  });

  it('should default maxTaskIdleMs to 0 (Kafka Streams), take -1 (never wait) and refuse less', () => {
    expect(parseStreamsConfig(minimal).maxTaskIdleMs).toBe(0);
    expect(parseStreamsConfig({ ...minimal, maxTaskIdleMs: -1 }).maxTaskIdleMs).toBe(-1);
    expect(parseStreamsConfig({ ...minimal, maxTaskIdleMs: 500 }).maxTaskIdleMs).toBe(500);
    expect(() => parseStreamsConfig({ ...minimal, maxTaskIdleMs: -2 })).toThrowError(/maxTaskIdleMs: must be >= -1/);
    expect(() => parseStreamsConfig({ ...minimal, maxTaskIdleMs: 0.5 })).toThrowError(ConfigError);
  });

  it('should take static membership only with an explicit instanceId, and keep group.instance.id to itself', () => {
    expect(parseStreamsConfig(minimal).staticMembership).toBe(false);
    const config = parseStreamsConfig({ ...minimal, instanceId: 'orders-0', staticMembership: true });
    expect(config).toMatchObject({ staticMembership: true, instanceId: 'orders-0' });
    expect(parseStreamsConfig(config)).toEqual(config);
    expect(() => parseStreamsConfig({ ...minimal, staticMembership: true })).toThrowError(
      /staticMembership: needs an instanceId that stays the same across restarts/,
    );
    expect(() =>
      parseStreamsConfig({
        ...minimal,
        instanceId: 'orders-0',
        staticMembership: true,
        consumerConfig: { 'group.instance.id': 'x' },
      }),
    ).toThrowError(/consumerConfig\.group\.instance\.id: must not be set with staticMembership/);
    expect(() => parseStreamsConfig({ ...minimal, staticMembership: 'yes' })).toThrowError(
      /staticMembership: must be true or false/,
    );
  });

  it('should default commitIntervalMs to 100 under exactly_once_v2', () => {
    expect(parseStreamsConfig({ ...minimal, processingGuarantee: 'exactly_once_v2' }).commitIntervalMs).toBe(100);
  });

  it('should keep a given commitIntervalMs under either guarantee, zero included', () => {
    expect(
      parseStreamsConfig({ ...minimal, processingGuarantee: 'exactly_once_v2', commitIntervalMs: 5000 }),
    ).toMatchObject({ commitIntervalMs: 5000 });
    expect(parseStreamsConfig({ ...minimal, commitIntervalMs: 0 }).commitIntervalMs).toBe(0);
  });

  it('should keep given values and objects', () => {
    const keySerde = Serdes.String();
    const extractor = new WallclockTimestampExtractor();
    const handler: DeserializationExceptionHandler = { handle: () => ({ action: 'CONTINUE' }) };
    const config = parseStreamsConfig({
      ...minimal,
      bootstrapServers: 'kafka-1.example.com:9093, kafka-2:9093,[::1]:9094,10.0.0.1:9092',
      stateDir: '/var/lib/orders',
      cacheMaxBytes: 0,
      maxPollRecords: 1,
      pollMs: 0,
      defaultKeySerde: keySerde,
      defaultTimestampExtractor: extractor,
      deserializationExceptionHandler: handler,
      processingExceptionHandler: 'logAndContinue',
      replicationFactor: 3,
      instanceId: 'orders-0',
      consumerConfig: { 'fetch.min.bytes': 1, 'client.rack': 'a', 'check.crcs': true },
      logger: silentLogger,
    });
    expect(config.bootstrapServers).toBe('kafka-1.example.com:9093,kafka-2:9093,[::1]:9094,10.0.0.1:9092');
    expect(config.defaultKeySerde).toBe(keySerde);
    expect(config.defaultTimestampExtractor).toBe(extractor);
    expect(config.deserializationExceptionHandler).toBe(handler);
    expect(config.processingExceptionHandler).toBeInstanceOf(LogAndContinueExceptionHandler);
    expect(config.logger).toBe(silentLogger);
    expect(config).toMatchObject({ stateDir: '/var/lib/orders', cacheMaxBytes: 0, maxPollRecords: 1, pollMs: 0 });
    expect(config).toMatchObject({ replicationFactor: 3, instanceId: 'orders-0' });
    expect(config.consumerConfig).toEqual({ 'fetch.min.bytes': 1, 'client.rack': 'a', 'check.crcs': true });
  });

  it('should return a frozen object, client configs included', () => {
    const config = parseStreamsConfig({ ...minimal, producerConfig: { linger: 5 } });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.consumerConfig)).toBe(true);
    expect(Object.isFrozen(config.producerConfig)).toBe(true);
    expect(Object.isFrozen(config.adminConfig)).toBe(true);
    expect(() => {
      (config as { commitIntervalMs: number }).commitIntervalMs = 1;
    }).toThrow(TypeError);
  });

  it('should not share client config objects with the input', () => {
    const consumerConfig: Record<string, string> = { 'client.rack': 'a' };
    const config = parseStreamsConfig({ ...minimal, consumerConfig });
    consumerConfig['client.rack'] = 'b';
    expect(config.consumerConfig['client.rack']).toBe('a');
  });

  it('should give clientConfig to every client, with per-client settings on top', () => {
    const config = parseStreamsConfig({
      ...minimal,
      clientConfig: { 'security.protocol': 'sasl_ssl', 'sasl.mechanisms': 'PLAIN', 'client.rack': 'shared' },
      consumerConfig: { 'client.rack': 'consumer' },
      adminConfig: { 'sasl.mechanisms': 'SCRAM-SHA-256' },
    });
    expect(config.clientConfig).toEqual({
      'security.protocol': 'sasl_ssl',
      'sasl.mechanisms': 'PLAIN',
      'client.rack': 'shared',
    });
    expect(config.consumerConfig).toEqual({
      'security.protocol': 'sasl_ssl',
      'sasl.mechanisms': 'PLAIN',
      'client.rack': 'consumer',
    });
    expect(config.producerConfig).toEqual(config.clientConfig);
    expect(config.adminConfig).toEqual({
      'security.protocol': 'sasl_ssl',
      'sasl.mechanisms': 'SCRAM-SHA-256',
      'client.rack': 'shared',
    });
    expect(Object.isFrozen(config.clientConfig)).toBe(true);
    expect(parseStreamsConfig(config)).toEqual(config);
  });

  it('should refuse Kaskade-owned keys and non-scalar values in clientConfig, naming them', () => {
    const error = configError({ ...minimal, clientConfig: { 'group.id': 'x', 'ssl.ca.location': ['a'] } });
    expect(error.issues).toEqual([
      { field: 'clientConfig["group.id"]', message: 'must not be set: Kaskade sets it to applicationId' },
      { field: 'clientConfig["ssl.ca.location"]', message: 'must be a string, number or boolean' },
    ]);
  });

  it('should take a positive integer startTimeoutMs and refuse anything else', () => {
    expect(parseStreamsConfig({ ...minimal, startTimeoutMs: 2500 }).startTimeoutMs).toBe(2500);
    for (const bad of [0, -1, 1.5, '10s']) {
      const error = configError({ ...minimal, startTimeoutMs: bad });
      expect(error.issues.map((i) => i.field)).toEqual(['startTimeoutMs']);
    }
  });

  it('should parse its own output to an equal config', () => {
    const config = parseStreamsConfig({ ...minimal, processingGuarantee: 'exactly_once_v2', logger: silentLogger });
    expect(parseStreamsConfig(config)).toEqual(config);
  });

  it('should give the built-in handlers the logger and the dead-letter topic', () => {
    const logger: Logger = { ...silentLogger, error: vi.fn(), warn: vi.fn() };
    const config = parseStreamsConfig({
      ...minimal,
      deserializationExceptionHandler: 'logAndContinue',
      deadLetterQueueTopic: 'orders-app-dlq',
      logger,
    });
    const response = config.deserializationExceptionHandler.handle(context, record, new Error('bad bytes'));
    expect(response.action).toBe('CONTINUE');
    expect(response.deadLetterRecords?.[0]?.topic).toBe('orders-app-dlq');
    expect(logger.warn).toHaveBeenCalledOnce();

    const processing = config.processingExceptionHandler.handle(context, record, new Error('boom'));
    expect(processing.action).toBe('FAIL');
    expect(processing.deadLetterRecords?.[0]?.topic).toBe('orders-app-dlq');
    expect(logger.error).toHaveBeenCalledOnce();
  });

  it('should take nativeClient from KASKADE_NATIVE_CLIENT when unset, let the config override it, and name a bad value', () => {
    const saved = process.env['KASKADE_NATIVE_CLIENT'];
    try {
      delete process.env['KASKADE_NATIVE_CLIENT'];
      expect(parseStreamsConfig(minimal).nativeClient).toBe('auto');
      process.env['KASKADE_NATIVE_CLIENT'] = 'off';
      expect(parseStreamsConfig(minimal).nativeClient).toBe('off');
      expect(parseStreamsConfig({ ...minimal, nativeClient: 'required' }).nativeClient).toBe('required');
      process.env['KASKADE_NATIVE_CLIENT'] = 'fast';
      expect(() => parseStreamsConfig(minimal)).toThrow(ConfigError);
      expect(() => parseStreamsConfig(minimal)).toThrow(/nativeClient.*KASKADE_NATIVE_CLIENT.*'fast'/s);
      expect(() => parseStreamsConfig({ ...minimal, nativeClient: 'fast' as never })).toThrow(
        /nativeClient.*must be 'auto', 'required' or 'off'/s,
      );
    } finally {
      if (saved === undefined) delete process.env['KASKADE_NATIVE_CLIENT'];
      else process.env['KASKADE_NATIVE_CLIENT'] = saved;
    }
  });

  it('should consume through the native addon by default, unless KASKADE_NATIVE_CONSUMER or the config says false', () => {
    const saved = process.env['KASKADE_NATIVE_CONSUMER'];
    try {
      delete process.env['KASKADE_NATIVE_CONSUMER'];
      expect(parseStreamsConfig(minimal).nativeConsumer).toBe(true);
      expect(parseStreamsConfig({ ...minimal, nativeConsumer: false }).nativeConsumer).toBe(false);
      process.env['KASKADE_NATIVE_CONSUMER'] = 'false';
      expect(parseStreamsConfig(minimal).nativeConsumer).toBe(false);
      expect(parseStreamsConfig({ ...minimal, nativeConsumer: true }).nativeConsumer).toBe(true);
      process.env['KASKADE_NATIVE_CONSUMER'] = 'yes';
      expect(() => parseStreamsConfig(minimal)).toThrow(/nativeConsumer.*KASKADE_NATIVE_CONSUMER.*'yes'/s);
    } finally {
      if (saved === undefined) delete process.env['KASKADE_NATIVE_CONSUMER'];
      else process.env['KASKADE_NATIVE_CONSUMER'] = saved;
    }
  });

  it('should accept typed serdes in its input type, which the schema accepts', () => {
    const input: StreamsConfigInput = {
      ...minimal,
      defaultKeySerde: Serdes.String(),
      defaultValueSerde: Serdes.Int32(),
    };
    expect(parseStreamsConfig(input).defaultValueSerde).toBe(input.defaultValueSerde);
    expectTypeOf<StreamsConfigInput>().toExtend<z.input<typeof streamsConfigSchema>>();
  });
});
