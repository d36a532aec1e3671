import type { NodeDef } from './node-definitions.js';
import type { Subtopology } from './subtopology.js';
import { JavaTreeSet, javaHashOrder } from './java-collections.js';

/**
 * Renders sub-topologies in Kafka Streams' `TopologyDescription` text format, byte for byte, so tools written for
 * Kafka Streams (visualisers, diffing scripts) read Kaskade's topologies unchanged.
 *
 * Kafka Streams orders a sub-topology's nodes by the size of the graph below each node (largest first, a node
 * reached on two paths counting twice), then by name; successors and predecessors sit in sets sorted the same way
 * while the sizes are still growing, so their order follows how Kafka Streams connects the nodes (in `HashMap`
 * order of their names), which is replayed here. Stores and topics print in `HashSet` order, and every sub-topology
 * after the first is indented one space less. Global stores' sub-topologies sit among the others by number.
 *
 * @see org.apache.kafka.streams.processor.internals.InternalTopologyBuilder#describe
 */
export function describeTopology(
  subtopologies: readonly Subtopology[],
  storesOf: (processor: string) => readonly string[],
): string {
  let text = 'Topologies:\n ';
  for (const sub of [...subtopologies].sort((a, b) => a.id - b.id)) {
    text += `  Sub-topology: ${sub.id}${sub.global ? ' for global store (will not generate tasks)' : ''}\n`;
    for (const node of describeNodes(sub.nodes)) {
      text += `    ${header(node.def, storesOf)}\n`;
      if (node.def.kind !== 'sink') text += `      --> ${names(node.successors)}\n`;
      if (node.def.kind !== 'source') text += `      <-- ${names(node.predecessors)}\n`;
    }
    // As Kafka Streams' GlobalStoreDescription: no blank line after a global store.
    if (!sub.global) text += '\n';
  }
  return text;
}

interface DescribedNode {
  readonly def: NodeDef;
  size: number;
  readonly successors: JavaTreeSet<DescribedNode>;
  readonly predecessors: JavaTreeSet<DescribedNode>;
}

function compareNodes(a: DescribedNode, b: DescribedNode): number {
  if (a === b) return 0;
  if (a.size !== b.size) return b.size - a.size;
  const x = a.def.name;
  const y = b.def.name;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Connects a sub-topology's nodes as `InternalTopologyBuilder.describeSubtopology` does; returns them sorted. */
function describeNodes(defs: readonly NodeDef[]): DescribedNode[] {
  const byName = new Map<string, DescribedNode>();
  for (const def of defs) {
    byName.set(def.name, {
      def,
      size: 1,
      successors: new JavaTreeSet(compareNodes),
      predecessors: new JavaTreeSet(compareNodes),
    });
  }
  const grow = (node: DescribedNode, delta: number): void => {
    node.size += delta;
    for (const p of node.predecessors.values()) grow(p, delta);
  };
  for (const name of javaHashOrder([...byName.keys()], false)) {
    const node = byName.get(name)!;
    if (node.def.kind === 'source') continue;
    for (const parentName of node.def.parents) {
      const parent = byName.get(parentName);
      if (parent === undefined) continue;
      node.predecessors.add(parent);
      parent.successors.add(node);
      grow(parent, node.size);
    }
  }
  return [...byName.values()].sort(compareNodes);
}

function names(nodes: JavaTreeSet<DescribedNode>): string {
  const list = nodes.values();
  return list.length === 0 ? 'none' : list.map((n) => n.def.name).join(', ');
}

function header(node: NodeDef, storesOf: (processor: string) => readonly string[]): string {
  switch (node.kind) {
    case 'source':
      return `Source: ${node.name} (topics: [${javaHashOrder(node.topics, true).join(', ')}])`;
    case 'processor':
      return `Processor: ${node.name} (stores: [${javaHashOrder(storesOf(node.name), true).join(', ')}])`;
    case 'sink':
      return typeof node.topic === 'string'
        ? `Sink: ${node.name} (topic: ${node.topic})`
        : `Sink: ${node.name} (extractor class: ${node.topic.name || 'anonymous'})`;
  }
}
