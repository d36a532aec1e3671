// The stream thread's producer (issue #18): createStreamsProducer, registerTopic, produceRecords (one call per batch
// of records in columns), transactions (spTransaction, spSendOffsets), closeStreamsProducer.
#pragma once

#include <librdkafka/rdkafka.h>
#include <node_api.h>

#include <cstddef>

namespace kaskade {

/**
 * Layout of produceRecords' `meta` for `capacity` records (column i of record r at column start + r):
 *   timestamp    float64[capacity]   (ms)
 *   partition    int32[capacity]     (-1: the configured partitioner)
 *   topic        int32[capacity]     (registerTopic's index)
 *   keyStart     int32[capacity]     (into `bytes`)
 *   keyLength    int32[capacity]     (-1: null key)
 *   valueStart   int32[capacity]
 *   valueLength  int32[capacity]     (-1: null value, a tombstone)
 *   headerStart  int32[capacity]
 *   headerLength int32[capacity]     (0: no headers; u32 name length, name, i32 value length or -1, value)
 */
constexpr size_t kStreamsRecordMetaBytes = 8 + 8 * 4;

napi_value CreateStreamsProducer(napi_env env, napi_callback_info info);
napi_value RegisterTopic(napi_env env, napi_callback_info info);
napi_value ProduceRecords(napi_env env, napi_callback_info info);
napi_value SpMetadata(napi_env env, napi_callback_info info);
napi_value SpTransaction(napi_env env, napi_callback_info info);
napi_value SpSendOffsets(napi_env env, napi_callback_info info);
napi_value CloseStreamsProducer(napi_env env, napi_callback_info info);

}  // namespace kaskade
