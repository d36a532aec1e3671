package dev.kaskade.bench;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Starts the clock at the first source record without a node in the topology under test, as bench/lib/start-probe.ts
 * does for Kaskade: the wrapped serde's first {@code deserialize} (a source record about to be queued for processing)
 * calls {@code onFirst}. Per record it costs one call and one comparison.
 */
final class StartProbe {
    private final Runnable onFirst;
    private volatile boolean started;

    StartProbe(Runnable onFirst) {
        this.onFirst = onFirst;
    }

    <T> Serde<T> wrap(Serde<T> inner) {
        Deserializer<T> d = inner.deserializer();
        Deserializer<T> probed = new Deserializer<>() {
            @Override
            public T deserialize(String topic, byte[] data) {
                first();
                return d.deserialize(topic, data);
            }

            @Override
            public T deserialize(String topic, Headers headers, byte[] data) {
                first();
                return d.deserialize(topic, headers, data);
            }
        };
        return Serdes.serdeFrom(inner.serializer(), probed);
    }

    private void first() {
        // Only the stream thread deserializes: the flag needs no lock.
        if (!started) {
            started = true;
            onFirst.run();
        }
    }
}
