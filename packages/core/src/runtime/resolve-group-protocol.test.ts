import { describe, expect, it } from 'vitest';
import { parseStreamsConfig } from '../config/parse-streams-config.js';
import { resolveGroupProtocol } from './resolve-group-protocol.js';

const lines: string[] = [];
const logger = { debug() {}, info: (m: string) => lines.push(m), warn() {}, error() {} };
// Nothing listens on port 1: the broker cannot be asked.
const minimal = { applicationId: 'app', bootstrapServers: '127.0.0.1:1', logger };

describe('groupProtocol', () => {
  it("should default to 'auto' and take only 'auto', 'consumer' or 'classic'", () => {
    expect(parseStreamsConfig(minimal).groupProtocol).toBe('auto');
    expect(parseStreamsConfig({ ...minimal, groupProtocol: 'classic' }).groupProtocol).toBe('classic');
    expect(() => parseStreamsConfig({ ...minimal, groupProtocol: 'eager' })).toThrowError(
      /groupProtocol: must be 'auto', 'consumer' or 'classic'/,
    );
  });

  it('should keep group.protocol and group.remote.assignor to itself', () => {
    expect(() => parseStreamsConfig({ ...minimal, consumerConfig: { 'group.protocol': 'consumer' } })).toThrowError(
      /consumerConfig\["group\.protocol"\]: must not be set: set groupProtocol instead/,
    );
    expect(() => parseStreamsConfig({ ...minimal, clientConfig: { 'group.remote.assignor': 'uniform' } })).toThrowError(
      /clientConfig\["group\.remote\.assignor"\]: must not be set/,
    );
  });

  it("should refuse the classic protocol's settings with 'consumer', naming each", () => {
    expect(() =>
      parseStreamsConfig({
        ...minimal,
        groupProtocol: 'consumer',
        consumerConfig: { 'session.timeout.ms': 6000, 'partition.assignment.strategy': 'range' },
      }),
    ).toThrowError(
      /consumerConfig\["session\.timeout\.ms"\]: must not be set with groupProtocol 'consumer'[\s\S]*consumerConfig\["partition\.assignment\.strategy"\]/,
    );
    const classic = { ...minimal, groupProtocol: 'classic', consumerConfig: { 'session.timeout.ms': 6000 } };
    expect(parseStreamsConfig(classic).consumerConfig['session.timeout.ms']).toBe(6000);
  });

  it("should resolve 'auto' to classic when the consumer config has a classic setting or the broker cannot say", async () => {
    lines.length = 0;
    const withSession = parseStreamsConfig({ ...minimal, consumerConfig: { 'heartbeat.interval.ms': 1000 } });
    expect(await resolveGroupProtocol(withSession)).toBe('classic');
    expect(await resolveGroupProtocol(parseStreamsConfig(minimal))).toBe('classic');
    expect(await resolveGroupProtocol(parseStreamsConfig({ ...minimal, groupProtocol: 'consumer' }))).toBe('consumer');
    expect(lines).toEqual([
      'group protocol: classic (consumerConfig sets heartbeat.interval.ms, a classic protocol setting)',
      "group protocol: classic (could not ask the broker which protocols it offers; set groupProtocol: 'consumer' to use KIP-848)",
      'group protocol: consumer (groupProtocol)',
    ]);
  });
});
