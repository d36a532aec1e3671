// The real-broker launcher of @kaskade/testing: clusters form, nodes bounce, failures are reported with their cause,
// and no JVM outlives what started it.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaLauncherError, startKafka } from '@kaskade/testing';
import { probeMetadata } from '@kaskade/testing/internal';
import type { KafkaCluster } from '@kaskade/testing';

/** Alive and not a zombie: a killed JVM whose parent is gone may linger as a zombie until init reaps it. */
function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    if (existsSync('/proc')) return false;
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }
}

async function eventually(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}

async function listen(port = 0): Promise<Server> {
  // Hang up at once: an unread connection (the launcher probes the port) would keep `close` from ever finishing.
  const server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return server;
}

function portOf(server: Server): number {
  return (server.address() as AddressInfo).port;
}

async function close(server: Server): Promise<void> {
  await new Promise((resolve) => server.close(resolve));
}

async function launcherError(start: Promise<KafkaCluster>): Promise<KafkaLauncherError> {
  const outcome = await start.then(
    async (cluster) => {
      await cluster.stop();
      return new Error('the cluster started');
    },
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(KafkaLauncherError);
  return outcome as KafkaLauncherError;
}

async function brokerIds(port: number): Promise<number[]> {
  const metadata = await probeMetadata('127.0.0.1', port, 5_000);
  return metadata.brokers.map((broker) => broker.nodeId).sort();
}

describe('startKafka with three nodes', () => {
  let cluster: KafkaCluster;
  beforeAll(async () => {
    cluster = await startKafka({ brokers: 3 });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('should form one cluster whose every node lists all three brokers', async () => {
    expect(cluster.nodes.map((node) => node.nodeId)).toEqual([1, 2, 3]);
    expect(cluster.bootstrapServers).toBe(cluster.nodes.map((node) => `127.0.0.1:${node.port}`).join(','));
    expect(cluster.version).toMatch(/^\d+\.\d+\.\d+/);
    for (const node of cluster.nodes) {
      expect(await brokerIds(node.port)).toEqual([1, 2, 3]);
      const metadata = await probeMetadata('127.0.0.1', node.port, 5_000);
      expect([1, 2, 3]).toContain(metadata.controllerId);
    }
  });

  it('should kill one node with stopNode and bring it back with startNode', async () => {
    const before = cluster.nodes[1]!;
    await cluster.stopNode(2);

    expect(isAlive(before.pid!)).toBe(false);
    expect(cluster.nodes[1]!.pid).toBeUndefined();
    await expect(probeMetadata('127.0.0.1', before.port, 2_000)).rejects.toThrow(/ECONNREFUSED/);

    await cluster.startNode(2);

    const after = cluster.nodes[1]!;
    expect(after.pid).toBeDefined();
    expect(after.pid).not.toBe(before.pid);
    expect(after.port).toBe(before.port);
    for (const node of cluster.nodes) expect(await brokerIds(node.port)).toEqual([1, 2, 3]);
  });

  it('should end every JVM and remove the data on stop, and stop again without error', async () => {
    const pids = cluster.nodes.map((node) => node.pid!);
    const clusterDir = dirname(dirname(cluster.nodes[0]!.logFile));

    await cluster.stop();

    for (const pid of pids) expect(isAlive(pid)).toBe(false);
    expect(existsSync(clusterDir)).toBe(false);
    expect(cluster.nodes.every((node) => node.pid === undefined)).toBe(true);
    await expect(cluster.stop()).resolves.toBeUndefined();
  });
});

describe('startKafka failures', () => {
  it('should report PORT_IN_USE with the port when the broker port is taken', async () => {
    const busy = await listen();
    const free = await listen();
    const controllerPort = portOf(free);
    await close(free);
    try {
      const error = await launcherError(startKafka({ ports: [{ port: portOf(busy), controllerPort }] }));

      expect(error.code).toBe('PORT_IN_USE');
      expect(error.port).toBe(portOf(busy));
      expect(error.message).toContain(`could not bind port ${portOf(busy)}`);
      expect(error.pids).toHaveLength(1);
      for (const pid of error.pids) expect(isAlive(pid)).toBe(false);
    } finally {
      await close(busy);
    }
  });

  it('should report NOT_READY with the log tail and kill the JVM when readiness times out', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'kaskade-launcher-test-'));
    try {
      const error = await launcherError(startKafka({ readyTimeoutMs: 1, dataDir }));

      expect(error.code).toBe('NOT_READY');
      expect(error.message).toMatch(/did not become ready within 1 ms: node 1: /);
      // The tail of the node's log: the storage formatter has logged to it before the broker started.
      expect(error.message).toMatch(/--- node 1: \S+server\.log, last 40 lines/);
      expect(error.message).toMatch(/^\[[^\]]+\] INFO /m);
      expect(error.pids).toHaveLength(1);
      for (const pid of error.pids) expect(isAlive(pid)).toBe(false);
      expect(readdirSync(dataDir)).toEqual([]);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('should report JAVA_NOT_FOUND when there is no java executable', async () => {
    const error = await launcherError(startKafka({ javaPath: join(tmpdir(), 'no-such-dir', 'java') }));

    expect(error.code).toBe('JAVA_NOT_FOUND');
    expect(error.message).toContain('no-such-dir');
  });
});

describe('no orphan brokers', () => {
  const START_KAFKA = fileURLToPath(new URL('../packages/testing/src/kafka/start-kafka.ts', import.meta.url));
  let scriptDir: string;
  beforeAll(() => {
    scriptDir = mkdtempSync(join(tmpdir(), 'kaskade-orphan-test-'));
  });
  afterAll(() => {
    rmSync(scriptDir, { recursive: true, force: true });
  });

  /** Starts a broker in a child Node process that prints its JVM's pid and directory and then idles. */
  async function startInChild(): Promise<{ child: ReturnType<typeof spawn>; jvm: number; dir: string }> {
    const script = join(scriptDir, `start-${Date.now()}.mts`);
    writeFileSync(
      script,
      `import { startKafka } from ${JSON.stringify(START_KAFKA)};
       const cluster = await startKafka({ brokers: 1 });
       const node = cluster.nodes[0];
       console.log(JSON.stringify({ jvm: node.pid, dir: node.logFile }));`,
    );
    const child = spawn(process.execPath, ['--conditions=kaskade-source', '--import', 'tsx', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString('utf8');
        if (out.includes('\n')) resolve(out.split('\n')[0]!);
      });
      child.once('exit', (code) => reject(new Error(`the child exited with ${code} before starting Kafka`)));
    });
    const { jvm, dir } = JSON.parse(line) as { jvm: number; dir: string };
    return { child, jvm, dir: dirname(dirname(dir)) };
  }

  it('should kill the JVM and remove its data when the starting process is killed with SIGKILL', async () => {
    const { child, jvm, dir } = await startInChild();
    expect(isAlive(jvm)).toBe(true);

    child.kill('SIGKILL');

    expect(await eventually(() => !isAlive(jvm), 10_000)).toBe(true);
    expect(await eventually(() => !existsSync(dir), 10_000)).toBe(true);
  });

  it('should kill the JVM when the starting process gets SIGTERM, and still let that process die of it', async () => {
    const { child, jvm, dir } = await startInChild();
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.once('exit', (_code, signal) => resolve(signal)),
    );

    child.kill('SIGTERM');

    expect(await exited).toBe('SIGTERM');
    expect(await eventually(() => !isAlive(jvm), 10_000)).toBe(true);
    expect(await eventually(() => !existsSync(dir), 10_000)).toBe(true);
  });
});
