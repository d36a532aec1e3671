// The stream thread's consumer (issue #18): a member of the application's group whose batches cross into JavaScript
// as one block of columns per call (columnar-batch.h) instead of one object per record. Unlike native-consumer.cc it
// has no poll thread of its own: like the Kafka client, it reads only when JavaScript asks (`consume`, on libuv's
// pool), so the consumer's position is what JavaScript has been given, and pauses, seeks and assignment changes never
// meet records fetched ahead. Rebalance callbacks are handed to JavaScript, which answers them when it is ready (after
// committing) with assign/unassign — librdkafka waits for that answer. Blocking calls run on libuv's pool.
#include "napi-util.h"
#include "group-consumer.h"

#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "columnar-batch.h"

namespace kaskade {
namespace {

struct GroupConsumer {
  rd_kafka_t *rk = nullptr;
  rd_kafka_queue_t *queue = nullptr;
  napi_threadsafe_function events = nullptr;      // (kind, code, message): errors, log lines, statistics
  napi_threadsafe_function rebalances = nullptr;  // (assign, partitions, lost, protocol)
};

struct Event {
  int kind;  // 0 error, 1 log, 2 statistics
  int code;
  std::string message;
};

struct Rebalance {
  bool assign;
  bool lost;
  std::string protocol;
  std::vector<std::string> topics;
  std::vector<int32_t> partitions;
};

napi_value fail(napi_env env, const char *message) {
  napi_throw_error(env, "ERR_KASKADE_NATIVE", message);
  return nullptr;
}

GroupConsumer *handleOf(napi_env env, napi_value value) {
  void *data = nullptr;
  if (napi_get_value_external(env, value, &data) != napi_ok || data == nullptr) {
    fail(env, "not a group consumer handle");
    return nullptr;
  }
  auto *c = static_cast<GroupConsumer *>(data);
  if (c->rk == nullptr) {
    fail(env, "the consumer is closed");
    return nullptr;
  }
  return c;
}

void sendEvent(GroupConsumer *c, int kind, int code, std::string message) {
  if (c != nullptr && c->events != nullptr) {
    napi_call_threadsafe_function(c->events, new Event{kind, code, std::move(message)}, napi_tsfn_nonblocking);
  }
}

void onError(rd_kafka_t *, int err, const char *reason, void *opaque) {
  sendEvent(static_cast<GroupConsumer *>(opaque), 0, err, reason);
}

void onLog(const rd_kafka_t *rk, int level, const char *facility, const char *line) {
  sendEvent(static_cast<GroupConsumer *>(rd_kafka_opaque(rk)), 1, level, std::string(facility) + ": " + line);
}

int onStatistics(rd_kafka_t *, char *json, size_t length, void *opaque) {
  sendEvent(static_cast<GroupConsumer *>(opaque), 2, 0, std::string(json, length));
  return 0;
}

/** librdkafka's rebalance callback, inside a consume (on libuv's pool): handed to JavaScript, answered from there. */
void onRebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t *list, void *opaque) {
  auto *c = static_cast<GroupConsumer *>(opaque);
  auto *r = new Rebalance();
  r->assign = err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS;
  r->lost = !r->assign && rd_kafka_assignment_lost(rk) == 1;
  const char *protocol = rd_kafka_rebalance_protocol(rk);
  r->protocol = protocol == nullptr ? "NONE" : protocol;
  for (int i = 0; list != nullptr && i < list->cnt; i++) {
    r->topics.emplace_back(list->elems[i].topic);
    r->partitions.push_back(list->elems[i].partition);
  }
  napi_call_threadsafe_function(c->rebalances, r, napi_tsfn_nonblocking);
}

void deliverEvent(napi_env env, napi_value fn, void *, void *data) {
  auto *e = static_cast<Event *>(data);
  if (env != nullptr) {
    napi_value args[3], undefined, result;
    napi_get_undefined(env, &undefined);
    napi_create_int32(env, e->kind, &args[0]);
    napi_create_int32(env, e->code, &args[1]);
    napi_create_string_utf8(env, e->message.data(), e->message.size(), &args[2]);
    napi_call_function(env, undefined, fn, 3, args, &result);
  }
  delete e;
}

void deliverRebalance(napi_env env, napi_value fn, void *, void *data) {
  auto *r = static_cast<Rebalance *>(data);
  if (env != nullptr) {
    napi_value args[4], undefined, result;
    napi_get_undefined(env, &undefined);
    napi_get_boolean(env, r->assign, &args[0]);
    napi_create_array_with_length(env, 2 * r->topics.size(), &args[1]);
    for (size_t i = 0; i < r->topics.size(); i++) {
      napi_value t, p;
      napi_create_string_utf8(env, r->topics[i].data(), r->topics[i].size(), &t);
      napi_create_int32(env, r->partitions[i], &p);
      napi_set_element(env, args[1], static_cast<uint32_t>(2 * i), t);
      napi_set_element(env, args[1], static_cast<uint32_t>(2 * i + 1), p);
    }
    napi_get_boolean(env, r->lost, &args[2]);
    napi_create_string_utf8(env, r->protocol.data(), r->protocol.size(), &args[3]);
    napi_call_function(env, undefined, fn, 4, args, &result);
  }
  delete r;
}


napi_value flatOf(napi_env env, const rd_kafka_topic_partition_list_t *list) {
  napi_value out;
  napi_create_array_with_length(env, list == nullptr ? 0 : 5 * list->cnt, &out);
  for (int i = 0; list != nullptr && i < list->cnt; i++) {
    const rd_kafka_topic_partition_t &tp = list->elems[i];
    napi_value v[5];
    napi_create_string_utf8(env, tp.topic, NAPI_AUTO_LENGTH, &v[0]);
    napi_create_int32(env, tp.partition, &v[1]);
    napi_create_int64(env, tp.offset, &v[2]);
    if (tp.metadata != nullptr && tp.metadata_size > 0) {
      napi_create_string_utf8(env, static_cast<const char *>(tp.metadata), tp.metadata_size, &v[3]);
    } else {
      napi_get_undefined(env, &v[3]);
    }
    napi_create_int32(env, tp.err, &v[4]);
    for (uint32_t k = 0; k < 5; k++) napi_set_element(env, out, static_cast<uint32_t>(5 * i + k), v[k]);
  }
  return out;
}

template <size_t N>
bool args(napi_env env, napi_callback_info info, napi_value (&argv)[N]) {
  size_t argc = N;
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc < N) {
    fail(env, "too few arguments");
    return false;
  }
  return true;
}

}  // namespace

/** gcCreate(config: string[] (name, value, ...), onEvent, onRebalance) → handle. */
napi_value GcCreate(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!args(env, info, argv)) return nullptr;
  char errstr[512];
  rd_kafka_conf_t *conf = confOf(env, argv[0]);
  if (conf == nullptr) return nullptr;
  auto *c = new GroupConsumer();
  napi_value name;
  napi_create_string_utf8(env, "kaskade-group-consumer", NAPI_AUTO_LENGTH, &name);
  napi_create_threadsafe_function(env, argv[1], nullptr, name, 0, 1, nullptr, nullptr, nullptr, deliverEvent,
                                  &c->events);
  napi_unref_threadsafe_function(env, c->events);
  napi_create_threadsafe_function(env, argv[2], nullptr, name, 0, 1, nullptr, nullptr, nullptr, deliverRebalance,
                                  &c->rebalances);
  napi_unref_threadsafe_function(env, c->rebalances);
  rd_kafka_conf_set_error_cb(conf, onError);
  rd_kafka_conf_set_log_cb(conf, onLog);
  rd_kafka_conf_set_stats_cb(conf, onStatistics);
  rd_kafka_conf_set_rebalance_cb(conf, onRebalance);
  rd_kafka_conf_set_opaque(conf, c);
  c->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
  if (c->rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    napi_release_threadsafe_function(c->events, napi_tsfn_abort);
    napi_release_threadsafe_function(c->rebalances, napi_tsfn_abort);
    delete c;
    return fail(env, errstr);
  }
  rd_kafka_poll_set_consumer(c->rk);
  c->queue = rd_kafka_queue_get_consumer(c->rk);
  napi_value handle;
  napi_create_external(env, c, nullptr, nullptr, &handle);
  return handle;
}

/** gcSubscribe(handle, topics: string[]). */
napi_value GcSubscribe(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!args(env, info, argv)) return nullptr;
  GroupConsumer *c = handleOf(env, argv[0]);
  if (c == nullptr) return nullptr;
  uint32_t len = 0;
  napi_get_array_length(env, argv[1], &len);
  rd_kafka_topic_partition_list_t *topics = rd_kafka_topic_partition_list_new(static_cast<int>(len) + 1);
  for (uint32_t i = 0; i < len; i++) {
    napi_value t;
    napi_get_element(env, argv[1], i, &t);
    rd_kafka_topic_partition_list_add(topics, stringOf(env, t).c_str(), RD_KAFKA_PARTITION_UA);
  }
  const rd_kafka_resp_err_t err = rd_kafka_subscribe(c->rk, topics);
  rd_kafka_topic_partition_list_destroy(topics);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return fail(env, rd_kafka_err2str(err));
  return nullptr;
}

/**
 * gcConsume(handle, max, timeoutMs, callback(errorCode, errorMessage, ...batch)): waits up to timeoutMs for a first
 * record, then takes what else is fetched, up to max, without waiting; the batch as columnar-batch.h's batchArgs.
 */
napi_value GcConsume(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (!args(env, info, argv)) return nullptr;
  GroupConsumer *c = handleOf(env, argv[0]);
  if (c == nullptr) return nullptr;
  uint32_t max = 1000;
  int32_t timeoutMs = 100;
  napi_get_value_uint32(env, argv[1], &max);
  napi_get_value_int32(env, argv[2], &timeoutMs);
  if (max == 0) max = 1;
  auto *job = new Job();
  auto batch = std::make_shared<ColumnarBatch *>(nullptr);
  job->run = [c, max, timeoutMs, batch]() {
    std::vector<rd_kafka_message_t *> messages(max);
    size_t n = 0;
    rd_kafka_message_t *first = rd_kafka_consumer_poll(c->rk, timeoutMs);
    if (first != nullptr) {
      messages[n++] = first;
      if (max > 1) {
        const ssize_t more = rd_kafka_consume_batch_queue(c->queue, 0, messages.data() + 1, max - 1);
        if (more > 0) n += static_cast<size_t>(more);
      }
    }
    *batch = buildBatch(messages.data(), n);
    for (size_t i = 0; i < n; i++) rd_kafka_message_destroy(messages[i]);
  };
  job->done = [batch](napi_env env, std::vector<napi_value> &out) {
    napi_value a[9];
    batchArgs(env, *batch, a);
    out.insert(out.end(), a, a + 9);
    freeBatch(*batch);
  };
  return startJob(env, argv[3], job);
}

/**
 * gcAssign(handle, partitions: (topic, partition, offset) flat, incremental): adds (incremental) or sets the
 * assignment; offset -1001 reads from the committed offset. gcUnassign(handle, partitions, incremental) removes
 * them (incremental) or all.
 */
napi_value assignOrUnassign(napi_env env, napi_callback_info info, bool assign) {
  napi_value argv[3];
  if (!args(env, info, argv)) return nullptr;
  GroupConsumer *c = handleOf(env, argv[0]);
  if (c == nullptr) return nullptr;
  bool incremental = false;
  napi_get_value_bool(env, argv[2], &incremental);
  rd_kafka_topic_partition_list_t *list = listOf(env, argv[1], 3);
  std::string error;
  if (incremental) {
    rd_kafka_error_t *e = assign ? rd_kafka_incremental_assign(c->rk, list) : rd_kafka_incremental_unassign(c->rk, list);
    if (e != nullptr) {
      error = rd_kafka_error_string(e);
      rd_kafka_error_destroy(e);
    }
  } else {
    const rd_kafka_resp_err_t err = rd_kafka_assign(c->rk, assign ? list : nullptr);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) error = rd_kafka_err2str(err);
  }
  rd_kafka_topic_partition_list_destroy(list);
  if (!error.empty()) return fail(env, error.c_str());
  return nullptr;
}

napi_value GcAssign(napi_env env, napi_callback_info info) { return assignOrUnassign(env, info, true); }
napi_value GcUnassign(napi_env env, napi_callback_info info) { return assignOrUnassign(env, info, false); }

/** gcAssignment(handle) → (topic, partition, offset, metadata, error) flat. */
napi_value GcAssignment(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!args(env, info, argv)) return nullptr;
  GroupConsumer *c = handleOf(env, argv[0]);
  if (c == nullptr) return nullptr;
  rd_kafka_topic_partition_list_t *list = nullptr;
  const rd_kafka_resp_err_t err = rd_kafka_assignment(c->rk, &list);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return fail(env, rd_kafka_err2str(err));
  napi_value out = flatOf(env, list);
  rd_kafka_topic_partition_list_destroy(list);
  return out;
}

/** gcPause / gcResume(handle, partitions: (topic, partition) flat). */
napi_value pauseOrResume(napi_env env, napi_callback_info info, bool pause) {
  napi_value argv[2];
  if (!args(env, info, argv)) return nullptr;
  GroupConsumer *c = handleOf(env, argv[0]);
  if (c == nullptr) return nullptr;
  rd_kafka_topic_partition_list_t *list = listOf(env, argv[1], 2);
  const rd_kafka_resp_err_t err =
      pause ? rd_kafka_pause_partitions(c->rk, list) : rd_kafka_resume_partitions(c->rk, list);
  rd_kafka_topic_partition_list_destroy(list);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return fail(env, rd_kafka_err2str(err));
  return nullptr;
}

napi_value GcPause(napi_env env, napi_callback_info info) { return pauseOrResume(env, info, true); }
napi_value GcResume(napi_env env, napi_callback_info info) { return pauseOrResume(env, info, false); }

/** gcPosition(handle, topic, partition) → the next offset JavaScript will be given, or -1001. */
napi_value GcPosition(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!args(env, info, argv)) return nullptr;
  GroupConsumer *c = handleOf(env, argv[0]);
  if (c == nullptr) return nullptr;
  int32_t partition = 0;
  napi_get_value_int32(env, argv[2], &partition);
  rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(list, stringOf(env, argv[1]).c_str(), partition);
  rd_kafka_position(c->rk, list);
  napi_value out;
  napi_create_int64(env, list->elems[0].offset, &out);
  rd_kafka_topic_partition_list_destroy(list);
  return out;
}

/** gcCommit(handle, offsets: (topic, partition, offset, metadata) flat, callback(code, message)): synchronous commit. */
napi_value GcCommit(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!args(env, info, argv)) return nullptr;
  GroupConsumer *c = handleOf(env, argv[0]);
  if (c == nullptr) return nullptr;
  rd_kafka_topic_partition_list_t *list = listOf(env, argv[1], 4);
  auto *job = new Job();
  job->run = [c, list, job]() {
    const rd_kafka_resp_err_t err = rd_kafka_commit(c->rk, list, 0);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) setError(job, err);
    rd_kafka_topic_partition_list_destroy(list);
  };
  return startJob(env, argv[2], job);
}

/**
 * gcCommitted(handle, partitions: (topic, partition) flat, timeoutMs, callback(code, message, results)): the group's
 * committed offsets, results as gcAssignment's.
 */
napi_value GcCommitted(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (!args(env, info, argv)) return nullptr;
  GroupConsumer *c = handleOf(env, argv[0]);
  if (c == nullptr) return nullptr;
  rd_kafka_topic_partition_list_t *list = listOf(env, argv[1], 2);
  int32_t timeoutMs = 30000;
  napi_get_value_int32(env, argv[2], &timeoutMs);
  auto *job = new Job();
  job->run = [c, list, timeoutMs, job]() {
    const rd_kafka_resp_err_t err = rd_kafka_committed(c->rk, list, timeoutMs);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) setError(job, err);
  };
  job->done = [list](napi_env env, std::vector<napi_value> &out) {
    out.push_back(flatOf(env, list));
    rd_kafka_topic_partition_list_destroy(list);
  };
  return startJob(env, argv[3], job);
}

/** gcSeek(handle, topic, partition, offset, timeoutMs, callback(code, message)). */
napi_value GcSeek(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  if (!args(env, info, argv)) return nullptr;
  GroupConsumer *c = handleOf(env, argv[0]);
  if (c == nullptr) return nullptr;
  int32_t partition = 0, timeoutMs = 10000;
  int64_t offset = 0;
  napi_get_value_int32(env, argv[2], &partition);
  napi_get_value_int64(env, argv[3], &offset);
  napi_get_value_int32(env, argv[4], &timeoutMs);
  rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(list, stringOf(env, argv[1]).c_str(), partition)->offset = offset;
  auto *job = new Job();
  job->run = [c, list, timeoutMs, job]() {
    setError(job, rd_kafka_seek_partitions(c->rk, list, timeoutMs));
    if (job->errorCode == 0 && list->elems[0].err != RD_KAFKA_RESP_ERR_NO_ERROR) setError(job, list->elems[0].err);
    rd_kafka_topic_partition_list_destroy(list);
  };
  return startJob(env, argv[5], job);
}

/** gcWatermarks(handle, topic, partition, timeoutMs, callback(code, message, low, high)). */
napi_value GcWatermarks(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  if (!args(env, info, argv)) return nullptr;
  GroupConsumer *c = handleOf(env, argv[0]);
  if (c == nullptr) return nullptr;
  int32_t partition = 0, timeoutMs = 10000;
  napi_get_value_int32(env, argv[2], &partition);
  napi_get_value_int32(env, argv[3], &timeoutMs);
  auto *job = new Job();
  auto marks = std::make_shared<std::pair<int64_t, int64_t>>(0, 0);
  job->run = [c, topic = stringOf(env, argv[1]), partition, timeoutMs, marks, job]() {
    const rd_kafka_resp_err_t err =
        rd_kafka_query_watermark_offsets(c->rk, topic.c_str(), partition, &marks->first, &marks->second, timeoutMs);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) setError(job, err);
  };
  job->done = [marks](napi_env env, std::vector<napi_value> &out) {
    napi_value low, high;
    napi_create_int64(env, marks->first, &low);
    napi_create_int64(env, marks->second, &high);
    out.push_back(low);
    out.push_back(high);
  };
  return startJob(env, argv[4], job);
}

/**
 * gcOffsetsForTimes(handle, partitions: (topic, partition, timestamp) flat, timeoutMs, callback(code, message)):
 * a ListOffsets request, answer ignored — it wakes the broker threads of resumed partitions (see the client).
 */
napi_value GcOffsetsForTimes(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (!args(env, info, argv)) return nullptr;
  GroupConsumer *c = handleOf(env, argv[0]);
  if (c == nullptr) return nullptr;
  rd_kafka_topic_partition_list_t *list = listOf(env, argv[1], 3);
  int32_t timeoutMs = 1000;
  napi_get_value_int32(env, argv[2], &timeoutMs);
  auto *job = new Job();
  job->run = [c, list, timeoutMs, job]() {
    const rd_kafka_resp_err_t err = rd_kafka_offsets_for_times(c->rk, list, timeoutMs);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) setError(job, err);
    rd_kafka_topic_partition_list_destroy(list);
  };
  return startJob(env, argv[3], job);
}

/** gcMetadata(handle, timeoutMs, callback(code, message)): reaches a broker, or says why not. */
napi_value GcMetadata(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!args(env, info, argv)) return nullptr;
  GroupConsumer *c = handleOf(env, argv[0]);
  if (c == nullptr) return nullptr;
  int32_t timeoutMs = 30000;
  napi_get_value_int32(env, argv[1], &timeoutMs);
  auto *job = new Job();
  job->run = [c, timeoutMs, job]() {
    const struct rd_kafka_metadata *md = nullptr;
    const rd_kafka_resp_err_t err = rd_kafka_metadata(c->rk, 0, nullptr, &md, timeoutMs);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) setError(job, err);
    if (md != nullptr) rd_kafka_metadata_destroy(md);
  };
  return startJob(env, argv[2], job);
}

/** gcRebalanceProtocol(handle) → 'EAGER', 'COOPERATIVE' or 'NONE'. */
napi_value GcRebalanceProtocol(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!args(env, info, argv)) return nullptr;
  GroupConsumer *c = handleOf(env, argv[0]);
  if (c == nullptr) return nullptr;
  const char *protocol = rd_kafka_rebalance_protocol(c->rk);
  napi_value out;
  napi_create_string_utf8(env, protocol == nullptr ? "NONE" : protocol, NAPI_AUTO_LENGTH, &out);
  return out;
}

/**
 * gcClose(handle, callback(code, message)): leaves the group (rebalance callbacks still reach JavaScript and must be
 * answered) and destroys the consumer, on libuv's pool. No other call may be in flight or follow.
 */
napi_value GcClose(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!args(env, info, argv)) return nullptr;
  GroupConsumer *c = handleOf(env, argv[0]);
  if (c == nullptr) return nullptr;
  auto *job = new Job();
  job->run = [c, job]() {
    const rd_kafka_resp_err_t err = rd_kafka_consumer_close(c->rk);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) setError(job, err);
  };
  job->done = [c](napi_env, std::vector<napi_value> &) {
    // Destroyed here, on the JS thread, so that no call from JavaScript (an answer to the last rebalance) can meet a
    // handle being destroyed; after the close it takes milliseconds. The external handle still points to `c`: every
    // call checks `rk` first, so `c` stays allocated (a few bytes per closed consumer) rather than dangle.
    rd_kafka_queue_destroy(c->queue);
    rd_kafka_destroy(c->rk);
    c->rk = nullptr;
    napi_release_threadsafe_function(c->events, napi_tsfn_release);
    napi_release_threadsafe_function(c->rebalances, napi_tsfn_release);
  };
  return startJob(env, argv[1], job);
}

rd_kafka_consumer_group_metadata_t *groupMetadataOf(napi_env env, napi_value handle) {
  GroupConsumer *c = handleOf(env, handle);
  if (c == nullptr) return nullptr;
  rd_kafka_consumer_group_metadata_t *metadata = rd_kafka_consumer_group_metadata(c->rk);
  if (metadata == nullptr) fail(env, "the consumer has no group metadata (not a group member)");
  return metadata;
}

}  // namespace kaskade
