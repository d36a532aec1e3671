package dev.kaskade.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The worker's one argument, bench/lib/worker-protocol.ts' {@code WorkerArgs} as JSON, plus the {@code kafkaStreams}
 * object that only Kafka Streams rungs get (scenario, record cache, guarantee, records to process).
 */
final class WorkerArgs {
    /** Where one run reads and writes: the timed run's, or the warm-up's (another application id and output). */
    record Target(String applicationId, String outputTopic, String stateDir) {}

    final String rung;
    final String bootstrapServers;
    final String inputTopic;
    final String tableTopic;
    final String leftTopic;
    final String rightTopic;
    final Target timed;
    /** Null when the runner asked for a cold run (`--cold`). */
    final Target warmup;
    final long records;
    final int batchSize;
    final long clockTicksPerSecond;
    final List<Integer> brokerPids;
    final long stallSeconds;
    final boolean verbose;
    final Scenario scenario;
    /** statestore.cache.max.bytes: 0 turns Kafka Streams' record cache off. */
    final long cacheMaxBytes;
    /** processing.guarantee: at_least_once or exactly_once_v2. */
    final String guarantee;
    /** Records the stream thread processes in all (thread-level process-total); the run is done there. */
    final long processTarget;

    private WorkerArgs(JsonNode n) {
        rung = text(n, "rung");
        bootstrapServers = text(n, "bootstrapServers");
        inputTopic = text(n, "inputTopic");
        tableTopic = text(n, "tableTopic");
        leftTopic = text(n, "leftTopic");
        rightTopic = text(n, "rightTopic");
        timed = new Target(text(n, "groupId"), text(n, "outputTopic"), text(n, "stateDir"));
        JsonNode w = n.get("warmup");
        warmup = w == null || w.isNull()
                ? null
                : new Target(text(w, "groupId"), text(w, "outputTopic"), text(w, "stateDir"));
        records = number(n, "records");
        batchSize = (int) number(n, "batchSize");
        clockTicksPerSecond = number(n, "clockTicksPerSecond");
        brokerPids = new ArrayList<>();
        for (JsonNode pid : required(n, "brokerPids")) brokerPids.add(pid.asInt());
        stallSeconds = number(n, "stallSeconds");
        verbose = required(n, "verbose").asBoolean();
        JsonNode ks = required(n, "kafkaStreams");
        scenario = Scenario.fromName(text(ks, "scenario"));
        cacheMaxBytes = number(ks, "cacheMaxBytes");
        guarantee = text(ks, "guarantee");
        processTarget = number(ks, "processTarget");
        String phase = text(n, "phase");
        if (!phase.equals("run")) throw new IllegalArgumentException("phase \"" + phase + "\" is not supported here");
    }

    static WorkerArgs parse(String json) throws IOException {
        return new WorkerArgs(new ObjectMapper().readTree(json));
    }

    private static JsonNode required(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) throw new IllegalArgumentException("worker argument lacks \"" + field + "\"");
        return v;
    }

    private static String text(JsonNode n, String field) {
        return required(n, field).asText();
    }

    private static long number(JsonNode n, String field) {
        JsonNode v = required(n, field);
        if (!v.isNumber()) throw new IllegalArgumentException("worker argument \"" + field + "\" is not a number");
        return v.asLong();
    }
}
