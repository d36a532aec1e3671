// Builds bench/kafka-streams (Kafka Streams' side of the bench) once per version of its sources: Maven resolves the
// jars into ~/.m2 (`dependency:build-classpath`), javac compiles the worker into the cache. A second run finds the
// build there and starts at once; a change to pom.xml or a source file builds anew.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** How to start the worker: `java` and its arguments before the one JSON argument. */
export interface KafkaStreamsWorker {
  readonly command: string;
  readonly args: readonly string[];
  /** Where the build lives (the cache entry). */
  readonly buildDir: string;
  /** True when this call built it (false: found in the cache). */
  readonly built: boolean;
}

const MAIN_CLASS = 'dev.kaskade.bench.Worker';

/** kafka-streams' version in `moduleDir`'s pom.xml (the broker's, packages/testing/kafka/pom.xml). */
export function kafkaStreamsVersion(moduleDir: string): string {
  const match = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(readFileSync(join(moduleDir, 'pom.xml'), 'utf8'));
  return match?.[1] ?? 'unknown';
}

function javaSources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...javaSources(p));
    else if (name.endsWith('.java')) out.push(p);
  }
  return out;
}

/** Runs a build tool, failing with its output when it fails. */
function exec(command: string, args: readonly string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output = (output + d).slice(-8192)));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (output = (output + d).slice(-8192)));
    child.on('error', (e) =>
      reject(new Error(`cannot run ${command}: ${e.message} (Kafka Streams' side needs a JDK and Maven)`)),
    );
    child.on('close', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`${command} ${args[0] ?? ''} failed (exit ${code}):\n${output.trim()}`)),
    );
  });
}

/**
 * Returns the built worker of `moduleDir` (bench/kafka-streams), building it into `$KASKADE_CACHE` (default
 * ~/.cache/kaskade) first unless a build of the same pom.xml and sources is there. `verbose` lets the JVM log warnings
 * (else errors only) to stderr.
 */
export async function kafkaStreamsWorker(
  moduleDir: string,
  verbose: boolean,
  log: (message: string) => void,
): Promise<KafkaStreamsWorker> {
  const pom = join(moduleDir, 'pom.xml');
  const sources = javaSources(join(moduleDir, 'src'));
  const hash = createHash('sha256');
  for (const file of [pom, ...sources])
    hash.update(file.slice(moduleDir.length)).update('\0').update(readFileSync(file));
  const cache = process.env['KASKADE_CACHE'] ?? join(homedir(), '.cache', 'kaskade');
  const buildDir = join(cache, 'bench-kafka-streams', hash.digest('hex').slice(0, 16));
  const classpathFile = join(buildDir, 'classpath.txt');
  let built = false;
  if (!existsSync(classpathFile)) {
    log(`building Kafka Streams' side (${moduleDir}) into ${buildDir} ...`);
    const t0 = Date.now();
    // Built beside the entry and renamed into place, so that an interrupted build never looks like a finished one.
    const tmp = `${buildDir}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(join(tmp, 'classes'), { recursive: true });
    try {
      await exec(
        'mvn',
        ['-q', '-B', '-f', pom, 'dependency:build-classpath', `-Dmdep.outputFile=${join(tmp, 'classpath.txt')}`],
        moduleDir,
      );
      const classpath = readFileSync(join(tmp, 'classpath.txt'), 'utf8').trim();
      await exec('javac', ['-d', join(tmp, 'classes'), '-cp', classpath, '--release', '17', ...sources], moduleDir);
      rmSync(buildDir, { recursive: true, force: true });
      renameSync(tmp, buildDir);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    built = true;
    log(`built Kafka Streams' side in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  const classpath = `${join(buildDir, 'classes')}:${readFileSync(classpathFile, 'utf8').trim()}`;
  return {
    command: 'java',
    args: [
      `-Dorg.slf4j.simpleLogger.defaultLogLevel=${verbose ? 'warn' : 'error'}`,
      '-Dorg.slf4j.simpleLogger.logFile=System.err',
      '-cp',
      classpath,
      MAIN_CLASS,
    ],
    buildDir,
    built,
  };
}
