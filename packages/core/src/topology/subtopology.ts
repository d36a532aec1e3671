import type { NodeDef, SinkNodeDef, SourceNodeDef } from './node-definitions.js';

/** A connected part of a topology: the unit that becomes one task per input partition. */
export interface Subtopology {
  readonly id: number;
  /** Nodes in the order they were added. */
  readonly nodes: readonly NodeDef[];
  readonly sources: readonly SourceNodeDef[];
  readonly sinks: readonly SinkNodeDef[];
  /** Topic names as written in the topology (internal topics not yet prefixed). */
  readonly sourceTopics: readonly string[];
  readonly storeNames: readonly string[];
  /** A global store's source and processor (`addGlobalStore`): read by every instance, never a task. */
  readonly global?: true;
}
