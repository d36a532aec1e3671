// Prototype of issue #18's produce side: one native call enqueues a whole columnar batch (the layout of
// columnar-batch.h), and delivery reports come back aggregated, one JS call per batch, from a poll thread.
#include <node_api.h>

#include <pthread.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <unordered_map>

#include "napi-util.h"
#include "native-producer.h"

namespace kaskade {
namespace {

/** What a batch's delivery reports add up to; the poll thread hands it to JS once the last one is in. */
struct BatchReport {
  double id = 0;
  std::atomic<uint32_t> remaining{0};
  uint32_t failed = 0;
  int firstErrorCode = 0;
  std::string firstError;
  bool closed = false;
};

struct Producer {
  rd_kafka_t *rk = nullptr;
  napi_threadsafe_function tsfn = nullptr;
  std::thread thread;
  std::atomic<bool> stop{false};
  std::unordered_map<std::string, rd_kafka_topic_t *> topics;
};

napi_value fail(napi_env env, const char *code, const char *message) {
  napi_throw_error(env, code, message);
  return nullptr;
}

/** librdkafka's delivery callback, on the poll thread (inside rd_kafka_poll): counts down the record's batch. */
void onDelivery(rd_kafka_t *, const rd_kafka_message_t *m, void *opaque) {
  auto *p = static_cast<Producer *>(opaque);
  auto *report = static_cast<BatchReport *>(m->_private);
  if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    if (report->failed++ == 0) {
      report->firstErrorCode = m->err;
      report->firstError = rd_kafka_err2str(m->err);
    }
  }
  if (report->remaining.fetch_sub(1) == 1) {
    // Non-blocking: the queue is unbounded, and the poll thread must not wait on JS while librdkafka waits on it.
    napi_call_threadsafe_function(p->tsfn, report, napi_tsfn_nonblocking);
  }
}

void deliverReport(napi_env env, napi_value onReport, void *, void *data) {
  auto *report = static_cast<BatchReport *>(data);
  if (env != nullptr) {
    napi_value args[5], undefined, result;
    napi_get_undefined(env, &undefined);
    napi_create_double(env, report->id, &args[0]);
    napi_create_uint32(env, report->failed, &args[1]);
    napi_create_int32(env, report->firstErrorCode, &args[2]);
    napi_create_string_utf8(env, report->firstError.data(), report->firstError.size(), &args[3]);
    napi_get_boolean(env, report->closed, &args[4]);
    napi_call_function(env, undefined, onReport, 5, args, &result);
  }
  delete report;
}

void pollLoop(Producer *p) {
  pthread_setname_np(pthread_self(), "kaskade:dr");
  while (!p->stop.load(std::memory_order_relaxed)) rd_kafka_poll(p->rk, 50);
  rd_kafka_flush(p->rk, 30000);
  for (auto &t : p->topics) rd_kafka_topic_destroy(t.second);
  rd_kafka_destroy(p->rk);
  auto *closed = new BatchReport();
  closed->closed = true;
  napi_call_threadsafe_function(p->tsfn, closed, napi_tsfn_blocking);
  napi_release_threadsafe_function(p->tsfn, napi_tsfn_release);
}

void finalizeProducer(napi_env, void *data, void *) {
  auto *p = static_cast<Producer *>(data);
  if (p->thread.joinable()) p->thread.join();
  delete p;
}

}  // namespace

napi_value CreateProducer(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc < 2) return fail(env, "ERR_KASKADE_NATIVE", "createProducer takes 2 arguments");
  char errstr[512];
  rd_kafka_conf_t *conf = confOf(env, argv[0]);
  if (conf == nullptr) return nullptr;
  auto *p = new Producer();
  rd_kafka_conf_set_dr_msg_cb(conf, onDelivery);
  rd_kafka_conf_set_opaque(conf, p);
  p->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (p->rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    delete p;
    return fail(env, "ERR_KASKADE_NATIVE", errstr);
  }
  napi_value name;
  napi_create_string_utf8(env, "kaskade-native-producer", NAPI_AUTO_LENGTH, &name);
  napi_create_threadsafe_function(env, argv[1], nullptr, name, 0, 1, p, finalizeProducer, nullptr, deliverReport,
                                  &p->tsfn);
  p->thread = std::thread(pollLoop, p);
  napi_value handle;
  napi_create_external(env, p, nullptr, nullptr, &handle);
  return handle;
}

/**
 * produce(handle, topic, block: ArrayBuffer, count, keysAt, valuesAt, headersAt, batchId, keepPartition: boolean):
 * enqueues every record of a columnar batch to `topic` (keyed partitioning, or each record's own partition),
 * timestamps and headers kept.
 * Blocks while librdkafka's queue is full (RD_KAFKA_MSG_F_BLOCK): the prototype's back-pressure.
 */
napi_value Produce(napi_env env, napi_callback_info info) {
  size_t argc = 9;
  napi_value argv[9];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc < 9) return fail(env, "ERR_KASKADE_NATIVE", "produce takes 9 arguments");
  void *data = nullptr;
  napi_get_value_external(env, argv[0], &data);
  auto *p = static_cast<Producer *>(data);
  const std::string topic = stringOf(env, argv[1]);
  void *block = nullptr;
  size_t blockSize = 0;
  if (napi_get_arraybuffer_info(env, argv[2], &block, &blockSize) != napi_ok) {
    return fail(env, "ERR_KASKADE_NATIVE", "produce: block must be an ArrayBuffer");
  }
  uint32_t count = 0;
  double keysAt = 0, valuesAt = 0, headersAt = 0, id = 0;
  bool keepPartition = false;
  napi_get_value_uint32(env, argv[3], &count);
  napi_get_value_double(env, argv[4], &keysAt);
  napi_get_value_double(env, argv[5], &valuesAt);
  napi_get_value_double(env, argv[6], &headersAt);
  napi_get_value_double(env, argv[7], &id);
  napi_get_value_bool(env, argv[8], &keepPartition);
  rd_kafka_topic_t *&rkt = p->topics[topic];
  if (rkt == nullptr) rkt = rd_kafka_topic_new(p->rk, topic.c_str(), nullptr);

  const char *base = static_cast<const char *>(block);
  const auto *timestamps = reinterpret_cast<const double *>(base + 8 * count);
  const auto *partitions = reinterpret_cast<const int32_t *>(base + 16 * count);
  const int32_t *keyStart = partitions + 2 * count;
  const int32_t *keyLength = keyStart + count;
  const int32_t *valueStart = keyLength + count;
  const int32_t *valueLength = valueStart + count;
  const int32_t *headerStart = valueLength + count;
  const int32_t *headerLength = headerStart + count;
  const char *headerBytes = base + static_cast<size_t>(headersAt);
  const char *keys = base + static_cast<size_t>(keysAt);
  const char *values = base + static_cast<size_t>(valuesAt);

  auto *report = new BatchReport();
  report->id = id;
  report->remaining.store(count + 1);  // + 1 until every record is enqueued, so no report fires early
  for (uint32_t i = 0; i < count; i++) {
    // librdkafka's V_ macros do not parenthesize their arguments: plain locals only.
    const void *key = keyLength[i] < 0 ? nullptr : keys + keyStart[i];
    const size_t keyLen = keyLength[i] < 0 ? 0 : static_cast<size_t>(keyLength[i]);
    void *value = valueLength[i] < 0 ? nullptr : const_cast<char *>(values + valueStart[i]);
    const size_t valueLen = valueLength[i] < 0 ? 0 : static_cast<size_t>(valueLength[i]);
    const int32_t partition = keepPartition ? partitions[i] : RD_KAFKA_PARTITION_UA;
    const int64_t timestamp = static_cast<int64_t>(timestamps[i]);
    rd_kafka_headers_t *headers =
        headerLength[i] > 0 ? readHeaders(headerBytes + headerStart[i], headerLength[i]) : nullptr;
    // An empty value keeps a non-null pointer (into the block): librdkafka writes a null pointer as null, and
    // copies a non-null one, even of length 0, into a non-null empty payload.
    const int flags = RD_KAFKA_MSG_F_COPY | RD_KAFKA_MSG_F_BLOCK;
    const rd_kafka_resp_err_t err = rd_kafka_producev(
        p->rk, RD_KAFKA_V_RKT(rkt), RD_KAFKA_V_PARTITION(partition), RD_KAFKA_V_MSGFLAGS(flags),
        RD_KAFKA_V_KEY(key, keyLen),
        RD_KAFKA_V_VALUE(value, valueLen), RD_KAFKA_V_TIMESTAMP(timestamp), RD_KAFKA_V_OPAQUE(report),
        RD_KAFKA_V_HEADERS(headers), RD_KAFKA_V_END);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      if (headers != nullptr) rd_kafka_headers_destroy(headers);  // librdkafka takes them only on success
      // Not enqueued: count it as failed here, since no delivery report will come for it.
      if (report->failed++ == 0) {
        report->firstErrorCode = err;
        report->firstError = rd_kafka_err2str(err);
      }
      report->remaining.fetch_sub(1);
    }
  }
  if (report->remaining.fetch_sub(1) == 1) napi_call_threadsafe_function(p->tsfn, report, napi_tsfn_nonblocking);
  return nullptr;
}

napi_value CloseProducer(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  void *data = nullptr;
  if (napi_get_value_external(env, argv[0], &data) != napi_ok) return fail(env, "ERR_KASKADE_NATIVE", "bad handle");
  static_cast<Producer *>(data)->stop.store(true);
  return nullptr;
}

}  // namespace kaskade
