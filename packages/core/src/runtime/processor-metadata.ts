import { IllegalStateError } from '@kaskade/processor-api';
import type { StreamTask } from './stream-task.js';

/**
 * A task's processor metadata: small named numbers that processors keep across restarts and failovers without a
 * store, committed with the task's input offsets (in the commit's offset metadata, at-least-once and exactly-once
 * alike) and read back from the committed metadata when the task is created. The windowed aggregations of
 * `EmitStrategy.onWindowClose()` keep the last window-close time they emitted up to here, keyed by their store name.
 * Merging takes the larger value per key: every input partition of a task carries the same map, and the values kept
 * are times that only move forward.
 *
 * @see org.apache.kafka.streams.processor.internals.ProcessorMetadata
 */
export class ProcessorMetadata {
  readonly #values = new Map<string, number>();
  /** Changed since the last commit: the task's offsets are committed with it even when they did not move. */
  needsCommit = false;

  get(key: string): number | undefined {
    return this.#values.get(key);
  }

  set(key: string, value: number): void {
    if (!Number.isSafeInteger(value)) {
      throw new IllegalStateError(`processor metadata "${key}" must be a safe integer, got ${value}`, {
        context: { key, value },
      });
    }
    if (this.#values.get(key) === value) return;
    this.#values.set(key, value);
    this.needsCommit = true;
  }

  get size(): number {
    return this.#values.size;
  }

  /** Takes the other's values where they are larger or missing here (committed metadata of another partition). */
  update(other: ReadonlyMap<string, number>): void {
    for (const [k, v] of other) {
      const mine = this.#values.get(k);
      if (mine === undefined || mine < v) this.#values.set(k, v);
    }
  }

  /** `{"key":value,...}`, as committed. */
  encode(): string {
    return JSON.stringify(Object.fromEntries(this.#values));
  }

  /** The values of an encoded map; a value that is not an integer names the metadata it came from. */
  static decode(text: string): Map<string, number> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new IllegalStateError(`committed processor metadata is not a JSON object: ${JSON.stringify(text)}`, {
        context: { metadata: text },
      });
    }
    const out = new Map<string, number>();
    for (const [k, v] of Object.entries(parsed)) {
      if (typeof v !== 'number' || !Number.isSafeInteger(v)) {
        throw new IllegalStateError(`committed processor metadata "${k}" is not an integer: ${JSON.stringify(v)}`, {
          context: { metadata: text, key: k },
        });
      }
      out.set(k, v);
    }
    return out;
  }
}

/**
 * Each task's metadata, made on first use: tasks of topologies whose processors never use it have none, and their
 * commits carry nothing extra. A task revived or re-created is a new object and starts from the committed metadata.
 */
const byTask = new WeakMap<StreamTask, ProcessorMetadata>();

/** The task's processor metadata, made on first use. */
export function processorMetadataOf(task: StreamTask): ProcessorMetadata {
  let metadata = byTask.get(task);
  if (metadata === undefined) byTask.set(task, (metadata = new ProcessorMetadata()));
  return metadata;
}

/** The task's processor metadata if any processor used it (or it was read back from a commit). */
export function existingProcessorMetadata(task: StreamTask): ProcessorMetadata | undefined {
  return byTask.get(task);
}
