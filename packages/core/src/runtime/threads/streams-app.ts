import { ConfigError } from '@kaskade/processor-api';
import type { StreamsConfigInput } from '../../config/streams-config.js';
import type { Topology } from '../../topology/topology.js';
import type { KafkaStreamsOptions } from '../kafka-streams-options.js';

/** What a streams application module builds: the topology, its config, and optionally the runtime's listeners. */
export interface StreamsApp {
  readonly topology: Topology;
  readonly config: StreamsConfigInput;
  readonly options?: KafkaStreamsOptions;
}

/**
 * The export of a module given to `KafkaStreams.fromModule`: builds the application. It is called once on the thread
 * that makes the instance and once in each stream thread (`numStreamThreads` > 1), each time with the same `args`,
 * and must build the same topology and `applicationId` every time (the threads check).
 */
export type StreamsAppFactory<A = unknown> = (args: A) => StreamsApp | Promise<StreamsApp>;

/** Imports `module` and calls its export `exportName` with `args`, naming what is wrong when it is not a factory. */
export async function loadStreamsApp(module: string, exportName: string, args: unknown): Promise<StreamsApp> {
  const imported = (await import(module)) as Record<string, unknown>;
  const factory = imported[exportName];
  if (typeof factory !== 'function') {
    throw new ConfigError(
      `${module} has no export "${exportName}" that builds the application (a function returning { topology, config })`,
      [{ field: 'module', message: `export "${exportName}" is ${typeof factory}, not a function` }],
    );
  }
  const app = (await (factory as StreamsAppFactory)(args)) as Partial<StreamsApp> | undefined;
  if (app?.topology === undefined || app.config === undefined) {
    throw new ConfigError(`${module}: export "${exportName}" must return { topology, config }`, [
      { field: 'module', message: 'the export returned no topology or no config' },
    ]);
  }
  return app as StreamsApp;
}
