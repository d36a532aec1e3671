import type { Subtopology } from '../../topology/subtopology.js';
import type { Topology } from '../../topology/topology.js';
import { isAsyncProcessorSupplier } from './async-processor.js';

/**
 * Whether a record of this sub-topology can have effects (a sink, a store write) before or beside its asynchronous
 * step: walks from the sources and stops at asynchronous processors. When it can, an exactly-once commit must wait for
 * the task's in-flight work — a transaction holding part of a record's effects without its offset would repeat that
 * part after a crash. When it cannot, in-flight work simply continues into the next transaction.
 */
export function hasEffectsBeforeAsync(topology: Topology, subtopology: Subtopology): boolean {
  const nodes = topology.nodes();
  const seen = new Set<string>();
  const stack = subtopology.sources.map((s) => s.name);
  while (stack.length > 0) {
    const name = stack.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const def = nodes.get(name);
    if (def === undefined) continue;
    if (def.kind === 'sink') return true;
    if (def.kind === 'processor') {
      if (isAsyncProcessorSupplier(def.supplier)) continue;
      if (topology.storesOf(name).length > 0) return true;
    }
    stack.push(...topology.childrenOf(name));
  }
  return false;
}
