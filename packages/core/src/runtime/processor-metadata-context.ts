import { IllegalStateError } from '@kaskade/processor-api';
import type { ProcessorContext } from '@kaskade/processor-api';

/**
 * What the DSL's processors use of their task's processor metadata (see `ProcessorMetadata`): the runtime's and the
 * TopologyTestDriver's processor contexts have it.
 *
 * @see org.apache.kafka.streams.processor.internals.InternalProcessorContext#processorMetadataForKey
 */
export interface ProcessorMetadataContext {
  processorMetadataForKey(key: string): number | undefined;
  addProcessorMetadataKeyValue(key: string, value: number): void;
}

/** The context as a ProcessorMetadataContext; a context without processor metadata (a user's mock) is refused. */
export function processorMetadataContext(context: ProcessorContext<unknown, unknown>): ProcessorMetadataContext {
  const c = context as Partial<ProcessorMetadataContext>;
  if (typeof c.processorMetadataForKey !== 'function' || typeof c.addProcessorMetadataKeyValue !== 'function') {
    throw new IllegalStateError(
      'this processor needs a task context with processor metadata (the runtime or the driver)',
      {},
    );
  }
  return c as ProcessorMetadataContext;
}
