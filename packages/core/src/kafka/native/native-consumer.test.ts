import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '@kaskade/processor-api';
import { parseStreamsConfig } from '../../config/parse-streams-config.js';
import { ChangelogRestorer } from '../../runtime/changelog-restorer.js';
import { loadNativeAddon } from './native-consumer.js';

const minimal = { applicationId: 'app', bootstrapServers: '127.0.0.1:1' };

describe('nativeClient', () => {
  it("should default to 'auto' and take only 'auto', 'required' or 'off'", () => {
    expect(parseStreamsConfig(minimal).nativeClient).toBe('auto');
    expect(parseStreamsConfig({ ...minimal, nativeClient: 'off' }).nativeClient).toBe('off');
    expect(() => parseStreamsConfig({ ...minimal, nativeClient: 'yes' } as never)).toThrow(ConfigError);
    expect(() => parseStreamsConfig({ ...minimal, nativeClient: 'yes' } as never)).toThrow(
      /nativeClient.*must be 'auto', 'required' or 'off'/,
    );
  });

  // `npm run setup` builds the addon before any test runs: in CI it must be there.
  it('should load the addon that setup built, linked to the same librdkafka as the Kafka client', () => {
    const client = createRequire(import.meta.url)('@confluentinc/kafka-javascript') as { librdkafkaVersion: string };
    expect(loadNativeAddon().librdkafkaVersion()).toBe(client.librdkafkaVersion);
    expect(() => ChangelogRestorer.check('required')).not.toThrow();
  });
});
