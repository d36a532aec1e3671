// Helpers every part of the addon shares: strings from JavaScript, a librdkafka configuration from (name, value)
// pairs, and one record's headers from the columns' header encoding.
#pragma once

#include <librdkafka/rdkafka.h>
#include <node_api.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace kaskade {

/** A JavaScript string as UTF-8. */
std::string stringOf(napi_env env, napi_value value);

/**
 * A librdkafka configuration from a JavaScript array of (name, value) strings, flat; on a name or value librdkafka
 * refuses, throws ERR_KASKADE_CONFIG with its message and returns nullptr.
 */
rd_kafka_conf_t *confOf(napi_env env, napi_value pairs);

/**
 * A list of (topic, partition[, offset[, metadata]]) groups, flat, from JavaScript (`stride` values per partition);
 * the caller destroys it.
 */
rd_kafka_topic_partition_list_t *listOf(napi_env env, napi_value flat, uint32_t stride);

/** One record's headers (u32 name length, name, i32 value length or -1 for null, value — repeated). */
rd_kafka_headers_t *readHeaders(const char *at, int32_t length);

/**
 * A blocking librdkafka call on libuv's pool: `run` there, then `done` on the JS thread builds the callback's
 * arguments. The callback is called (error code, error message, ...done's values).
 */
struct Job {
  napi_async_work work = nullptr;
  napi_ref callback = nullptr;
  std::function<void()> run;
  std::function<void(napi_env, std::vector<napi_value> &)> done;
  int errorCode = 0;
  std::string errorMessage;
  /** What librdkafka's error object says of the error (kRetriable, kTxnRequiresAbort, kFatal). */
  int errorFlags = 0;
};

constexpr int kRetriable = 1;
constexpr int kTxnRequiresAbort = 2;
constexpr int kFatal = 4;

/** Queues the job on libuv's pool; the callback runs (and the job is freed) on the JS thread when it is done. */
napi_value startJob(napi_env env, napi_value callback, Job *job);

/** The job fails with librdkafka's error (its code and text). */
void setError(Job *job, rd_kafka_resp_err_t err);

/** The job fails with librdkafka's error object (its code, text and flags), which is destroyed; nullptr: no error. */
void setError(Job *job, rd_kafka_error_t *error);

}  // namespace kaskade
