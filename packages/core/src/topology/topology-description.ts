import type { NodeDef } from './node-definitions.js';
import type { Subtopology } from './subtopology.js';

/**
 * Renders sub-topologies in Kafka Streams' `TopologyDescription` text format, so tools written for Kafka Streams
 * (visualisers, diffing scripts) read Kaskade's topologies unchanged.
 */
export function describeTopology(
  subtopologies: readonly Subtopology[],
  children: ReadonlyMap<string, readonly string[]>,
  storesOf: (processor: string) => readonly string[],
): string {
  const lines: string[] = ['Topologies:'];
  for (const sub of subtopologies) {
    lines.push(`   Sub-topology: ${sub.id}`);
    for (const node of sub.nodes) {
      lines.push(`    ${header(node, storesOf)}`);
      const kids = children.get(node.name) ?? [];
      if (node.kind !== 'sink') lines.push(`      --> ${kids.length ? kids.join(', ') : 'none'}`);
      if (node.kind !== 'source') lines.push(`      <-- ${node.parents.join(', ')}`);
    }
    lines.push('');
  }
  return lines.join('\n') + '\n';
}

function header(node: NodeDef, storesOf: (processor: string) => readonly string[]): string {
  switch (node.kind) {
    case 'source':
      return `Source: ${node.name} (topics: [${node.topics.join(', ')}])`;
    case 'processor':
      return `Processor: ${node.name} (stores: [${storesOf(node.name).join(', ')}])`;
    case 'sink':
      return typeof node.topic === 'string'
        ? `Sink: ${node.name} (topic: ${node.topic})`
        : `Sink: ${node.name} (extractor class: ${node.topic.name || 'anonymous'})`;
  }
}
