#include "napi-util.h"

#include <cstdlib>
#include <cstring>

namespace kaskade {

std::string stringOf(napi_env env, napi_value value) {
  size_t len = 0;
  napi_get_value_string_utf8(env, value, nullptr, 0, &len);
  std::string s(len, '\0');
  napi_get_value_string_utf8(env, value, s.data(), len + 1, &len);
  return s;
}

rd_kafka_conf_t *confOf(napi_env env, napi_value pairs) {
  char errstr[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  uint32_t len = 0;
  napi_get_array_length(env, pairs, &len);
  for (uint32_t i = 0; i + 1 < len; i += 2) {
    napi_value k, v;
    napi_get_element(env, pairs, i, &k);
    napi_get_element(env, pairs, i + 1, &v);
    if (rd_kafka_conf_set(conf, stringOf(env, k).c_str(), stringOf(env, v).c_str(), errstr, sizeof errstr) !=
        RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      napi_throw_error(env, "ERR_KASKADE_CONFIG", errstr);
      return nullptr;
    }
  }
  return conf;
}

rd_kafka_headers_t *readHeaders(const char *at, int32_t length) {
  const char *end = at + length;
  rd_kafka_headers_t *headers = rd_kafka_headers_new(4);
  while (at < end) {
    uint32_t nameLength;
    int32_t valueLength;
    std::memcpy(&nameLength, at, 4);
    const char *name = at + 4;
    std::memcpy(&valueLength, name + nameLength, 4);
    const char *value = name + nameLength + 4;
    rd_kafka_header_add(headers, name, static_cast<ssize_t>(nameLength), valueLength < 0 ? nullptr : value,
                        valueLength < 0 ? 0 : valueLength);
    at = value + (valueLength > 0 ? valueLength : 0);
  }
  return headers;
}

rd_kafka_topic_partition_list_t *listOf(napi_env env, napi_value flat, uint32_t stride) {
  uint32_t len = 0;
  napi_get_array_length(env, flat, &len);
  rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(static_cast<int>(len / stride) + 1);
  for (uint32_t i = 0; i + stride - 1 < len; i += stride) {
    napi_value t, p;
    napi_get_element(env, flat, i, &t);
    napi_get_element(env, flat, i + 1, &p);
    int32_t partition = 0;
    napi_get_value_int32(env, p, &partition);
    rd_kafka_topic_partition_t *tp = rd_kafka_topic_partition_list_add(list, stringOf(env, t).c_str(), partition);
    if (stride >= 3) {
      napi_value o;
      napi_get_element(env, flat, i + 2, &o);
      int64_t offset = RD_KAFKA_OFFSET_INVALID;
      napi_get_value_int64(env, o, &offset);
      tp->offset = offset;
    }
    if (stride >= 4) {
      napi_value m;
      napi_valuetype type;
      napi_get_element(env, flat, i + 3, &m);
      napi_typeof(env, m, &type);
      if (type == napi_string) {
        const std::string metadata = stringOf(env, m);
        tp->metadata = std::malloc(metadata.size() + 1);
        std::memcpy(tp->metadata, metadata.c_str(), metadata.size() + 1);
        tp->metadata_size = metadata.size();
      }
    }
  }
  return list;
}

/** (topic, partition, offset, metadata, error code) groups, flat, for JavaScript. */

namespace {

void runJob(napi_env, void *data) { static_cast<Job *>(data)->run(); }

void finishJob(napi_env env, napi_status, void *data) {
  auto *job = static_cast<Job *>(data);
  std::vector<napi_value> args(2);
  napi_create_int32(env, job->errorCode, &args[0]);
  napi_create_string_utf8(env, job->errorMessage.data(), job->errorMessage.size(), &args[1]);
  if (job->done) job->done(env, args);
  napi_value cb, undefined, result;
  napi_get_reference_value(env, job->callback, &cb);
  napi_get_undefined(env, &undefined);
  napi_delete_reference(env, job->callback);
  napi_delete_async_work(env, job->work);
  delete job;
  napi_call_function(env, undefined, cb, args.size(), args.data(), &result);
}

}  // namespace

napi_value startJob(napi_env env, napi_value callback, Job *job) {
  napi_value name;
  napi_create_string_utf8(env, "kaskade-native", NAPI_AUTO_LENGTH, &name);
  napi_create_reference(env, callback, 1, &job->callback);
  napi_create_async_work(env, nullptr, name, runJob, finishJob, job, &job->work);
  napi_queue_async_work(env, job->work);
  return nullptr;
}

void setError(Job *job, rd_kafka_resp_err_t err) {
  job->errorCode = err;
  job->errorMessage = rd_kafka_err2str(err);
}

void setError(Job *job, rd_kafka_error_t *error) {
  if (error == nullptr) return;
  job->errorCode = rd_kafka_error_code(error);
  job->errorMessage = rd_kafka_error_string(error);
  job->errorFlags = (rd_kafka_error_is_retriable(error) ? kRetriable : 0) |
                    (rd_kafka_error_txn_requires_abort(error) ? kTxnRequiresAbort : 0) |
                    (rd_kafka_error_is_fatal(error) ? kFatal : 0);
  rd_kafka_error_destroy(error);
}

}  // namespace kaskade
