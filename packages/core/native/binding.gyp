{
  # Built against the librdkafka that @confluentinc/kafka-javascript builds from source (its build/deps holds the
  # headers and librdkafka.so.1), so that both clients in one process share one librdkafka.
  "variables": {
    "rdkafka_deps": "<!(node find-librdkafka.mjs)"
  },
  "targets": [
    {
      "target_name": "kaskade_native",
      "sources": ["src/napi-util.cc", "src/native-consumer.cc", "src/columnar-batch.cc", "src/native-producer.cc", "src/streams-producer.cc", "src/group-consumer.cc"],
      "include_dirs": ["<(rdkafka_deps)/include"],
      "defines": ["NAPI_VERSION=8"],
      "cflags_cc": ["-std=c++17", "-O2", "-Wall", "-Wextra", "-Wno-ignored-qualifiers"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
      "libraries": ["-L<(rdkafka_deps)", "-lrdkafka", "-Wl,-rpath,<(rdkafka_deps)"]
    }
  ]
}
