import { createHash } from 'node:crypto';
import type { ProcessorSupplier, Serde } from '@kaskade/processor-api';
import { asyncProcessor } from '@kaskade/core';
import type { ClaimCheckOptions, ResolveClaimCheckOptions } from '../../claim-check-options.js';
import { CLAIM_CHECK_HEADER, ClaimCheckError } from '../../claim-check-options.js';
import { defaultSweepIntervalMs, joinSweep } from '../claim-check-sweeper.js';

const FORMAT = 'sha256';
// Uploads and downloads fail now and then (a network blip); a few retries before the exception handler sees them.
const DEFAULT_ASYNC = { retries: 3 } as const;

/** `claimCheck` and `resolveClaimCheck` as asynchronous processors (same key, so no repartition). */
export const ClaimCheckSteps = {
  check<K, V>(options: ClaimCheckOptions<V>, valueSerde: Serde<V>): ProcessorSupplier<K, V, K, Buffer> {
    const { store, topic, thresholdBytes, retentionMs } = options;
    const intervalMs = options.sweepIntervalMs ?? (retentionMs === undefined ? 0 : defaultSweepIntervalMs(retentionMs));
    return asyncProcessor<K, V, K, Buffer>(() => {
      let leave: (() => void) | undefined;
      return {
        init() {
          if (retentionMs !== undefined) leave = joinSweep(store, topic, retentionMs, intervalMs);
        },
        async process(record, { signal }) {
          if (record.value === null) return [record as never];
          const bytes = valueSerde.serialize(topic, record.value, record.headers);
          if (bytes.length <= thresholdBytes) return [record.withValue(bytes)];
          // Named after the content: a retried or repeated upload (EOS redoes a task's work) writes the same blob.
          const name = `${topic}/${FORMAT}-${createHash('sha256').update(bytes).digest('hex')}`;
          await store.put(name, bytes, signal);
          const headers = record.headers.remove(CLAIM_CHECK_HEADER).add(CLAIM_CHECK_HEADER, FORMAT);
          return [record.withValue(Buffer.from(name)).withHeaders(headers)];
        },
        close() {
          leave?.();
        },
      };
    }, options.async ?? DEFAULT_ASYNC);
  },

  resolve<K, V>(options: ResolveClaimCheckOptions<V>): ProcessorSupplier<K, Buffer, K, V> {
    const { store, topic, valueSerde } = options;
    return asyncProcessor<K, Buffer, K, V>(
      () => ({
        async process(record, { signal }) {
          if (record.value === null) return [record as never];
          const format = record.headers.lastString(CLAIM_CHECK_HEADER);
          if (format === undefined)
            return [record.withValue(valueSerde.deserialize(topic, record.value, record.headers))];
          if (format !== FORMAT) {
            throw new ClaimCheckError(`claim check: unknown format '${format}' in header ${CLAIM_CHECK_HEADER}`, {
              context: { topic },
            });
          }
          const bytes = await store.get(record.value.toString('utf8'), signal);
          const headers = record.headers.remove(CLAIM_CHECK_HEADER);
          return [record.withValue(valueSerde.deserialize(topic, bytes, headers)).withHeaders(headers)];
        },
      }),
      options.async ?? DEFAULT_ASYNC,
    );
  },
};
