// S3BlobStore against a real S3-protocol server: moto's server (PyPI `moto[server]`, installed by npm run setup) in
// its own process on loopback. The store's calls one by one, then the claim check through it on the test driver —
// driven by test/fixtures/s3-store-check.ts in a process of its own (the AWS SDK's packages do not load under
// vitest's module resolution, which picks their ESM build; plain Node picks the CommonJS one).
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually } from './kafka-helpers.js';
import { startReplicaProcess, type ReplicaEvent } from './replica-process.js';

let server: ChildProcess | undefined;
afterAll(() => server?.kill('SIGTERM'));

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as { port: number };
  await new Promise((resolve) => s.close(resolve));
  return port;
}

/** Starts moto's S3 server and returns its endpoint once it answers. */
async function startS3Server(): Promise<string> {
  const port = await freePort();
  server = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  server.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-2000)));
  const endpoint = `http://127.0.0.1:${port}`;
  await eventually(
    async () => {
      if (server!.exitCode !== null) {
        throw new Error(`moto's S3 server did not start (npm run setup installs moto[server]):\n${stderr}`);
      }
      return fetch(endpoint).then(
        () => true,
        () => false,
      );
    },
    60_000,
    "moto's S3 server to answer",
  );
  return endpoint;
}

describe('S3BlobStore (moto S3 server)', () => {
  it('should put, get, overwrite and sweep blobs by prefix and age, name a missing blob, and carry claim-checked values', async () => {
    const endpoint = await startS3Server();
    const events: ReplicaEvent[] = [];
    const check = startReplicaProcess('test/fixtures/s3-store-check.ts', [endpoint], (e) => events.push(e));
    await eventually(() => check.exit !== undefined, 120_000, 'the S3 check to finish');
    expect(events.filter((e) => e.event === 'error')).toEqual([]);
    expect(events.find((e) => e.event === 'store')).toEqual({
      event: 'store',
      roundTrip: true,
      deletedOld: 0,
      deletedAll: 1,
      missing: 'KASKADE_CLAIM_CHECK_ERROR',
      otherTopic: 'b',
    });
    expect(events.find((e) => e.event === 'pipeline')).toEqual({
      event: 'pipeline',
      records: 1,
      key: 'k',
      intact: true,
    });
  });
});
