// Helpers every part of the addon shares: strings from JavaScript, a librdkafka configuration from (name, value)
// pairs, and one record's headers from the columns' header encoding.
#pragma once

#include <librdkafka/rdkafka.h>
#include <node_api.h>

#include <cstdint>
#include <string>

namespace kaskade {

/** A JavaScript string as UTF-8. */
std::string stringOf(napi_env env, napi_value value);

/**
 * A librdkafka configuration from a JavaScript array of (name, value) strings, flat; on a name or value librdkafka
 * refuses, throws ERR_KASKADE_CONFIG with its message and returns nullptr.
 */
rd_kafka_conf_t *confOf(napi_env env, napi_value pairs);

/** One record's headers (u32 name length, name, i32 value length or -1 for null, value — repeated). */
rd_kafka_headers_t *readHeaders(const char *at, int32_t length);

}  // namespace kaskade
