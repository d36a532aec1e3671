// The consume side of Kaskade's native addon (issue #18): a librdkafka consumer whose poll loop runs on a thread of
// its own and hands whole columnar batches to JavaScript, one call per batch instead of one JS object per record.
#include <node_api.h>

#include <pthread.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "napi-util.h"
#include "columnar-batch.h"
#include "native-producer.h"
#include "group-consumer.h"
#include "streams-producer.h"

namespace kaskade {
namespace {

struct Consumer {
  rd_kafka_t *rk = nullptr;
  rd_kafka_queue_t *queue = nullptr;
  napi_threadsafe_function tsfn = nullptr;
  std::thread thread;
  std::atomic<bool> stop{false};
  /** JS asked for a positions snapshot (see ColumnarBatch::positionsSnapshot); answered after the current poll. */
  std::atomic<bool> positionsRequested{false};
  size_t maxBatch = 1000;
  int pollTimeoutMs = 100;
};

#define CHECK(env, call)                                        \
  do {                                                          \
    if ((call) != napi_ok) {                                    \
      napi_throw_error((env), "ERR_KASKADE_NATIVE", #call);     \
      return nullptr;                                           \
    }                                                           \
  } while (0)

/** Runs on the JS thread: wraps the batch's block as an ArrayBuffer (no copy) and calls onBatch. */
void deliver(napi_env env, napi_value onBatch, void *, void *data) {
  auto *batch = static_cast<ColumnarBatch *>(data);
  if (env == nullptr) {  // the function is being torn down
    freeBatch(batch);
    return;
  }
  napi_value args[11];
  napi_value undefined;
  napi_get_undefined(env, &undefined);
  for (auto &a : args) a = undefined;
  if (batch->closed) {
    napi_get_boolean(env, true, &args[9]);
  } else if (batch->positionsSnapshot) {
    // (topic, partition, offset) triples, flat, in args[10]; no records.
    const size_t n = batch->positionTopics.size();
    napi_create_array_with_length(env, 3 * n, &args[10]);
    for (size_t i = 0; i < n; i++) {
      napi_value t, p, o;
      napi_create_string_utf8(env, batch->positionTopics[i].data(), batch->positionTopics[i].size(), &t);
      napi_create_int32(env, batch->positionPartitions[i], &p);
      napi_create_int64(env, batch->positionOffsets[i], &o);
      napi_set_element(env, args[10], static_cast<uint32_t>(3 * i), t);
      napi_set_element(env, args[10], static_cast<uint32_t>(3 * i + 1), p);
      napi_set_element(env, args[10], static_cast<uint32_t>(3 * i + 2), o);
    }
    napi_create_uint32(env, 0, &args[1]);
    napi_create_int32(env, 0, &args[7]);
    napi_get_boolean(env, false, &args[9]);
  } else {
    batchArgs(env, batch, args);
    napi_get_boolean(env, false, &args[9]);
  }
  freeBatch(batch);
  napi_value result;
  napi_call_function(env, undefined, onBatch, 11, args, &result);
}

/**
 * The positions of every assigned partition, read on the poll thread between polls: every record before them is in a
 * batch already handed to the thread-safe function, whose queue keeps order.
 */
ColumnarBatch *buildPositions(rd_kafka_t *rk) {
  auto *snapshot = new ColumnarBatch();
  snapshot->positionsSnapshot = true;
  rd_kafka_topic_partition_list_t *list = nullptr;
  if (rd_kafka_assignment(rk, &list) != RD_KAFKA_RESP_ERR_NO_ERROR || list == nullptr) return snapshot;
  if (rd_kafka_position(rk, list) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    for (int i = 0; i < list->cnt; i++) {
      snapshot->positionTopics.emplace_back(list->elems[i].topic);
      snapshot->positionPartitions.push_back(list->elems[i].partition);
      snapshot->positionOffsets.push_back(list->elems[i].offset);
    }
  }
  rd_kafka_topic_partition_list_destroy(list);
  return snapshot;
}

/** The poll thread: owns every librdkafka call after construction, closing included. */
void pollLoop(Consumer *c) {
  pthread_setname_np(pthread_self(), "kaskade:poll");  // for per-thread CPU in /proc and profilers
  std::vector<rd_kafka_message_t *> messages(c->maxBatch);
  while (!c->stop.load(std::memory_order_relaxed)) {
    if (c->positionsRequested.exchange(false)) {
      ColumnarBatch *snapshot = buildPositions(c->rk);
      if (napi_call_threadsafe_function(c->tsfn, snapshot, napi_tsfn_blocking) != napi_ok) {
        freeBatch(snapshot);
        break;
      }
    }
    // Wait for the first message only; then take whatever else is already fetched, without waiting.
    rd_kafka_message_t *first = rd_kafka_consumer_poll(c->rk, c->pollTimeoutMs);
    if (first == nullptr) continue;
    messages[0] = first;
    size_t n = 1;
    if (c->maxBatch > 1) {
      const ssize_t more = rd_kafka_consume_batch_queue(c->queue, 0, messages.data() + 1, c->maxBatch - 1);
      if (more > 0) n += static_cast<size_t>(more);
    }
    ColumnarBatch *batch = buildBatch(messages.data(), n);
    for (size_t i = 0; i < n; i++) rd_kafka_message_destroy(messages[i]);
    // Blocks while the JS thread is behind by the function's queue size: back-pressure into librdkafka's prefetch.
    if (napi_call_threadsafe_function(c->tsfn, batch, napi_tsfn_blocking) != napi_ok) {
      freeBatch(batch);
      break;
    }
  }
  rd_kafka_consumer_close(c->rk);
  rd_kafka_queue_destroy(c->queue);
  rd_kafka_destroy(c->rk);
  c->rk = nullptr;
  auto *closed = new ColumnarBatch();
  closed->closed = true;
  if (napi_call_threadsafe_function(c->tsfn, closed, napi_tsfn_blocking) != napi_ok) freeBatch(closed);
  napi_release_threadsafe_function(c->tsfn, napi_tsfn_release);
}

/** Runs on the JS thread once the poll thread has released the function: the thread is done. */
void finalizeConsumer(napi_env, void *data, void *) {
  auto *c = static_cast<Consumer *>(data);
  c->stop.store(true);  // an environment torn down without close(): let the thread leave its loop
  if (c->thread.joinable()) c->thread.join();
  delete c;
}

/**
 * create(config: string[] (key, value, key, value ...), topics: string[], maxBatch, pollTimeoutMs, queuedBatches,
 * onBatch) -> handle. Subscribes and starts polling at once.
 */
napi_value Create(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  if (argc < 6) {
    napi_throw_type_error(env, "ERR_KASKADE_NATIVE", "create takes 6 arguments");
    return nullptr;
  }
  char errstr[512];
  rd_kafka_conf_t *conf = confOf(env, argv[0]);
  if (conf == nullptr) return nullptr;
  auto *c = new Consumer();
  uint32_t maxBatch = 1000;
  int32_t pollTimeoutMs = 100;
  uint32_t queued = 2;
  napi_get_value_uint32(env, argv[2], &maxBatch);
  napi_get_value_int32(env, argv[3], &pollTimeoutMs);
  napi_get_value_uint32(env, argv[4], &queued);
  c->maxBatch = maxBatch > 0 ? maxBatch : 1;
  c->pollTimeoutMs = pollTimeoutMs;
  c->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);  // takes conf on success
  if (c->rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    delete c;
    napi_throw_error(env, "ERR_KASKADE_NATIVE", errstr);
    return nullptr;
  }
  rd_kafka_poll_set_consumer(c->rk);
  c->queue = rd_kafka_queue_get_consumer(c->rk);
  uint32_t len = 0;
  CHECK(env, napi_get_array_length(env, argv[1], &len));
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
  if (len > 0) {  // no topics: partitions come through assign() (restoration, no group)
    rd_kafka_topic_partition_list_t *topics = rd_kafka_topic_partition_list_new(static_cast<int>(len));
    for (uint32_t i = 0; i < len; i++) {
      napi_value t;
      napi_get_element(env, argv[1], i, &t);
      rd_kafka_topic_partition_list_add(topics, stringOf(env, t).c_str(), RD_KAFKA_PARTITION_UA);
    }
    err = rd_kafka_subscribe(c->rk, topics);
    rd_kafka_topic_partition_list_destroy(topics);
  }
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    rd_kafka_queue_destroy(c->queue);
    rd_kafka_destroy(c->rk);
    delete c;
    napi_throw_error(env, "ERR_KASKADE_NATIVE", rd_kafka_err2str(err));
    return nullptr;
  }
  napi_value name;
  napi_create_string_utf8(env, "kaskade-native-consumer", NAPI_AUTO_LENGTH, &name);
  CHECK(env, napi_create_threadsafe_function(env, argv[5], nullptr, name, queued, 1, c, finalizeConsumer, nullptr,
                                             deliver, &c->tsfn));
  c->thread = std::thread(pollLoop, c);
  napi_value handle;
  CHECK(env, napi_create_external(env, c, nullptr, nullptr, &handle));
  return handle;
}

/** close(handle): the poll thread leaves its loop, closes the consumer and delivers the `closed` call. */
napi_value Close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  void *data = nullptr;
  CHECK(env, napi_get_value_external(env, argv[0], &data));
  static_cast<Consumer *>(data)->stop.store(true);
  return nullptr;
}

Consumer *handleArg(napi_env env, napi_value value) {
  void *data = nullptr;
  if (napi_get_value_external(env, value, &data) != napi_ok || data == nullptr) return nullptr;
  return static_cast<Consumer *>(data);
}

/**
 * assign(handle, partitions: (topic, partition, offset, topic, partition, offset ...)): replaces the assignment (an
 * empty list unassigns). Called on the JS thread while the poll thread polls: librdkafka's calls are thread-safe; the
 * JS side never calls it after close().
 */
napi_value Assign(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  Consumer *c = handleArg(env, argv[0]);
  // The JS side never calls after close() (the poll thread destroys `rk` then); this check is a last guard only.
  if (c == nullptr || c->rk == nullptr) {
    napi_throw_error(env, "ERR_KASKADE_NATIVE", "assign on a closed consumer");
    return nullptr;
  }
  uint32_t len = 0;
  CHECK(env, napi_get_array_length(env, argv[1], &len));
  rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(static_cast<int>(len / 3));
  for (uint32_t i = 0; i + 2 < len; i += 3) {
    napi_value t, p, o;
    napi_get_element(env, argv[1], i, &t);
    napi_get_element(env, argv[1], i + 1, &p);
    napi_get_element(env, argv[1], i + 2, &o);
    int32_t partition = 0;
    int64_t offset = 0;
    napi_get_value_int32(env, p, &partition);
    napi_get_value_int64(env, o, &offset);
    rd_kafka_topic_partition_list_add(list, stringOf(env, t).c_str(), partition)->offset = offset;
  }
  const rd_kafka_resp_err_t err = rd_kafka_assign(c->rk, len > 0 ? list : nullptr);
  rd_kafka_topic_partition_list_destroy(list);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) napi_throw_error(env, "ERR_KASKADE_NATIVE", rd_kafka_err2str(err));
  return nullptr;
}

/**
 * requestPositions(handle): the poll thread hands over a positions snapshot (onBatch's last argument) after the
 * batches it has already built, within one poll timeout.
 */
napi_value RequestPositions(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  Consumer *c = handleArg(env, argv[0]);
  if (c == nullptr) return nullptr;
  c->positionsRequested.store(true);
  return nullptr;
}

napi_value Version(napi_env env, napi_callback_info) {
  napi_value v;
  napi_create_string_utf8(env, rd_kafka_version_str(), NAPI_AUTO_LENGTH, &v);
  return v;
}

napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"create", nullptr, Create, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"close", nullptr, Close, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"assign", nullptr, Assign, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"requestPositions", nullptr, RequestPositions, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"librdkafkaVersion", nullptr, Version, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"createProducer", nullptr, CreateProducer, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"produce", nullptr, Produce, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"closeProducer", nullptr, CloseProducer, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"createStreamsProducer", nullptr, CreateStreamsProducer, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"registerTopic", nullptr, RegisterTopic, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"produceRecords", nullptr, ProduceRecords, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"spMetadata", nullptr, SpMetadata, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"spTransaction", nullptr, SpTransaction, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"spSendOffsets", nullptr, SpSendOffsets, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"closeStreamsProducer", nullptr, CloseStreamsProducer, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"gcCreate", nullptr, GcCreate, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"gcSubscribe", nullptr, GcSubscribe, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"gcConsume", nullptr, GcConsume, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"gcAssign", nullptr, GcAssign, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"gcUnassign", nullptr, GcUnassign, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"gcAssignment", nullptr, GcAssignment, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"gcPause", nullptr, GcPause, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"gcResume", nullptr, GcResume, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"gcPosition", nullptr, GcPosition, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"gcCommit", nullptr, GcCommit, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"gcCommitted", nullptr, GcCommitted, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"gcSeek", nullptr, GcSeek, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"gcWatermarks", nullptr, GcWatermarks, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"gcOffsetsForTimes", nullptr, GcOffsetsForTimes, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"gcMetadata", nullptr, GcMetadata, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"gcRebalanceProtocol", nullptr, GcRebalanceProtocol, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"gcClose", nullptr, GcClose, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

}  // namespace
}  // namespace kaskade

NAPI_MODULE(NODE_GYP_MODULE_NAME, kaskade::Init)
