// A batch of consumed records laid out in columns in one allocation, built on the poll thread and handed to
// JavaScript as one external ArrayBuffer: the JS thread only wraps views, it never touches a record.
#pragma once

#include <librdkafka/rdkafka.h>
#include <node_api.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace kaskade {

/**
 * Byte layout of `block` (all offsets from its start; 8-byte columns first so every column is aligned):
 *   offsets      int64[count]
 *   timestamps   float64[count]   (ms; exact for any real timestamp, and no BigInt per read in JS)
 *   partitions   int32[count]
 *   topicIndex   int32[count]     (into `topics`)
 *   keyStart     int32[count]     (into the key bytes)
 *   keyLength    int32[count]     (-1: null key)
 *   valueStart   int32[count]
 *   valueLength  int32[count]     (-1: null value, a tombstone)
 *   headerStart  int32[count]
 *   headerLength int32[count]     (0: no headers)
 *   key bytes, value bytes, header bytes (headers: u32 name length, name, i32 value length (-1 null), value)
 */
struct ColumnarBatch {
  uint32_t count = 0;
  char *block = nullptr;
  size_t blockSize = 0;
  size_t keysAt = 0, keysBytes = 0;
  size_t valuesAt = 0, valuesBytes = 0;
  size_t headersAt = 0, headersBytes = 0;
  std::vector<std::string> topics;
  /** The first error among the polled messages (0: none); records with an error are left out. */
  int errorCode = 0;
  std::string errorMessage;
  /** Set on the last item the poll thread hands over: the consumer is closed. */
  bool closed = false;
  /**
   * A positions snapshot instead of records (count 0): for each assigned partition, the next offset the consumer
   * fetches, read by the poll thread after every batch before it was handed over — so the JS side, taking items in
   * order, knows which records it has all seen (transaction markers move a position past the last record).
   */
  bool positionsSnapshot = false;
  std::vector<std::string> positionTopics;
  std::vector<int32_t> positionPartitions;
  std::vector<int64_t> positionOffsets;
};

/** Lays out `n` polled messages in a new batch (the messages stay owned by the caller). */
ColumnarBatch *buildBatch(rd_kafka_message_t **messages, size_t n);

void freeBatch(ColumnarBatch *batch);

/**
 * A batch of records as JavaScript arguments, args[0..8]: block (an ArrayBuffer owning the batch's block from now
 * on, no copy), count, keysAt, valuesAt, headersAt, headersEnd, topics, errorCode, errorMessage.
 */
void batchArgs(napi_env env, ColumnarBatch *batch, napi_value *args);

}  // namespace kaskade
