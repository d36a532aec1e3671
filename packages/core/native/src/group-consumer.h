// The stream thread's consumer (issue #18): a group member whose batches reach JavaScript as columns.
#pragma once

#include <librdkafka/rdkafka.h>
#include <node_api.h>

namespace kaskade {

napi_value GcCreate(napi_env env, napi_callback_info info);
napi_value GcSubscribe(napi_env env, napi_callback_info info);
napi_value GcConsume(napi_env env, napi_callback_info info);
napi_value GcAssign(napi_env env, napi_callback_info info);
napi_value GcUnassign(napi_env env, napi_callback_info info);
napi_value GcAssignment(napi_env env, napi_callback_info info);
napi_value GcPause(napi_env env, napi_callback_info info);
napi_value GcResume(napi_env env, napi_callback_info info);
napi_value GcPosition(napi_env env, napi_callback_info info);
napi_value GcCommit(napi_env env, napi_callback_info info);
napi_value GcCommitted(napi_env env, napi_callback_info info);
napi_value GcSeek(napi_env env, napi_callback_info info);
napi_value GcWatermarks(napi_env env, napi_callback_info info);
napi_value GcOffsetsForTimes(napi_env env, napi_callback_info info);
napi_value GcMetadata(napi_env env, napi_callback_info info);
napi_value GcRebalanceProtocol(napi_env env, napi_callback_info info);
napi_value GcClose(napi_env env, napi_callback_info info);

/**
 * The group's metadata (member, generation) of a group consumer handle, for a transaction's offsets
 * (spSendOffsets); nullptr with a JavaScript error thrown when the handle is not an open consumer's. The caller
 * destroys it.
 */
rd_kafka_consumer_group_metadata_t *groupMetadataOf(napi_env env, napi_value handle);

}  // namespace kaskade
