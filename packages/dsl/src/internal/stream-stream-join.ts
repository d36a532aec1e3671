import { TopologyError } from '@kaskade/processor-api';
import type { Serde } from '@kaskade/processor-api';
import type { JoinWindows } from '../join-windows.js';
import type { KStream } from '../kstream.js';
import type { StreamJoined } from '../stream-joined.js';
import { KStreamImpl } from './kstream-impl.js';
import { KStreamJoinWindow } from './processors/kstream-join-window.js';
import { KStreamKStreamJoin } from './processors/kstream-kstream-join.js';
import type { NormalizedJoiner } from './processors/kstream-kstream-join.js';
import { KStreamPassThrough } from './processors/kstream-pass-through.js';
import { JoinSideValuesSerde, TimestampedKeyAndJoinSideSerde } from './serde/outer-join-serdes.js';
import { addKeyValueStore, addWindowStore } from './store-factory.js';
import type { StoreSettings } from './store-factory.js';

/**
 * Builds a windowed stream-stream join, named as Kafka Streams names it: each side gets a `KSTREAM-WINDOWED-`
 * processor that buffers its records in a window store (retaining duplicates, retention before + after + grace), and
 * a join processor (`KSTREAM-JOINTHIS-`/`-JOINOTHER-`, or `-OUTERTHIS-`/`-OUTEROTHER-` when the other side is outer)
 * that probes the other side's store; a `KSTREAM-MERGE-` node unites the results. Left and outer joins add a shared
 * store of records still waiting for a partner. All stores connect both sides, so both inputs land in one
 * sub-topology and must be co-partitioned.
 *
 * @see org.apache.kafka.streams.kstream.internals.KStreamImplJoin
 */
export function joinStreams<K, V, VO, VR>(
  thisStream: KStreamImpl<K, V>,
  otherStream: KStreamImpl<K, VO>,
  joiner: NormalizedJoiner<K>,
  windows: JoinWindows,
  streamJoined: StreamJoined<K, V, VO> | undefined,
  leftOuter: boolean,
  rightOuter: boolean,
): KStream<K, VR> {
  const t = thisStream.internalProps();
  const o = otherStream.internalProps();
  const builder = t.builder;
  if (o.builder !== builder) throw new TopologyError('join: both streams must come from the same StreamsBuilder');
  const name = streamJoined?.name;
  const keySerde = streamJoined?.keySerde ?? t.keySerde ?? o.keySerde;
  const thisValueSerde = streamJoined?.valueSerde ?? t.valueSerde;
  const otherValueSerde = streamJoined?.otherValueSerde ?? o.valueSerde;

  const left = thisStream.repartitionedForJoin(name ? `${name}-left` : t.name, keySerde, thisValueSerde);
  const right = otherStream.repartitionedForJoin(name ? `${name}-right` : o.name, keySerde, otherValueSerde);

  // As Kafka Streams (KStreamImplJoin.join): a named join still takes every counter value it would generate.
  const generatedThisWindowed = builder.newProcessorName('KSTREAM-WINDOWED-');
  const generatedOtherWindowed = builder.newProcessorName('KSTREAM-WINDOWED-');
  const thisWindowedName = name ? `${name}-this-windowed` : generatedThisWindowed;
  const otherWindowedName = name ? `${name}-other-windowed` : generatedOtherWindowed;
  const joinThisGenerated = builder.newProcessorName(rightOuter ? 'KSTREAM-OUTERTHIS-' : 'KSTREAM-JOINTHIS-');
  const joinOtherGenerated = builder.newProcessorName(leftOuter ? 'KSTREAM-OUTEROTHER-' : 'KSTREAM-JOINOTHER-');
  const thisSuffix = rightOuter ? '-outer-this-join' : '-this-join';
  const otherSuffix = leftOuter ? '-outer-other-join' : '-other-join';
  const joinThisName = name ? name + thisSuffix : joinThisGenerated;
  const joinOtherName = name ? name + otherSuffix : joinOtherGenerated;
  const generatedMerge = builder.newProcessorName('KSTREAM-MERGE-');
  const mergeName = name ? `${name}-merge` : generatedMerge;

  const baseStore = streamJoined?.storeName;
  const thisStoreName = `${baseStore ? baseStore + thisSuffix : joinThisGenerated}-store`;
  const otherStoreName = `${baseStore ? baseStore + otherSuffix : joinOtherGenerated}-store`;
  const outerStoreName = leftOuter
    ? // Kafka Streams takes no counter value for it: it reuses the number of the this-side join processor.
      `${baseStore ? baseStore + (rightOuter ? '-outer-shared-join' : '-left-shared-join') : 'KSTREAM-OUTERSHARED-' + joinThisGenerated.slice(joinThisGenerated.lastIndexOf('-') + 1)}-store`
    : undefined;

  const settings: StoreSettings = {
    loggingEnabled: streamJoined?.loggingEnabled ?? true,
    logConfig: streamJoined?.logConfig ?? {},
    cachingEnabled: false,
    storeType: streamJoined?.storeType,
  };
  const key = (keySerde ?? builder.defaultSerde('key')) as Serde<unknown>;
  const thisValue = (thisValueSerde ?? builder.defaultSerde('value')) as Serde<unknown>;
  const otherValue = (otherValueSerde ?? builder.defaultSerde('value')) as Serde<unknown>;
  // A record at t must stay findable for records of the other side up to `after` (or `before`) later, plus grace:
  // the stores drop entries older than stream time - retention + 1 exactly, so retention covers the larger of the two
  // offsets, grace and 1 ms (Kafka Streams uses before + after + grace and relies on coarse segment expiry).
  const windowOptions = {
    retentionMs: Math.max(windows.sizeMs, windows.beforeMs, windows.afterMs) + windows.graceMs + 1,
    windowSizeMs: windows.sizeMs,
    retainDuplicates: true,
  };
  addWindowStore(builder, thisStoreName, undefined, settings, windowOptions, key, thisValue);
  addWindowStore(builder, otherStoreName, undefined, settings, windowOptions, key, otherValue);
  if (outerStoreName !== undefined) {
    addKeyValueStore(
      builder,
      outerStoreName,
      settings,
      new TimestampedKeyAndJoinSideSerde(key),
      new JoinSideValuesSerde(thisValue, otherValue),
    );
  }

  const trackers = KStreamKStreamJoin.newTrackers();
  const common = {
    outerStoreName,
    windowsBeforeMs: windows.beforeMs,
    windowsAfterMs: windows.afterMs,
    graceMs: windows.graceMs,
  };
  const joinThis = new KStreamKStreamJoin<K, V>(
    {
      ...common,
      leftSide: true,
      outer: leftOuter,
      otherStoreName,
      joinBeforeMs: windows.beforeMs,
      joinAfterMs: windows.afterMs,
    },
    joiner,
    trackers,
  );
  const joinOther = new KStreamKStreamJoin<K, VO>(
    {
      ...common,
      leftSide: false,
      outer: rightOuter,
      otherStoreName: thisStoreName,
      joinBeforeMs: windows.afterMs,
      joinAfterMs: windows.beforeMs,
    },
    joiner,
    trackers,
  );
  const outer = outerStoreName === undefined ? [] : [outerStoreName];
  const l = left.internalProps();
  const r = right.internalProps();
  builder.addProcessor(thisWindowedName, new KStreamJoinWindow<K, V>(thisStoreName), [l.name], [thisStoreName]);
  builder.addProcessor(otherWindowedName, new KStreamJoinWindow<K, VO>(otherStoreName), [r.name], [otherStoreName]);
  builder.addProcessor(joinThisName, joinThis, [thisWindowedName], [otherStoreName, ...outer]);
  builder.addProcessor(joinOtherName, joinOther, [otherWindowedName], [thisStoreName, ...outer]);
  builder.addProcessor(mergeName, new KStreamPassThrough(), [joinThisName, joinOtherName]);
  return new KStreamImpl<K, VR>({
    builder,
    name: mergeName,
    keySerde,
    valueSerde: undefined,
    repartitionRequired: false,
  });
}
