// The stream thread's producer (issue #18): JavaScript fills columns of records (streams-producer.h has the layout)
// and hands them over in one call; librdkafka's delivery reports come back once per call, summed per partition, with
// every failure listed. librdkafka's errors, log lines and statistics reach JavaScript through a second channel.
#include "napi-util.h"
#include "streams-producer.h"

#include "group-consumer.h"

#include <pthread.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace kaskade {
namespace {

/** Records of one call delivered to one partition: how many, and the offset of the last. */
struct PartitionSum {
  int32_t topic;
  int32_t partition;
  uint32_t delivered;
  int64_t lastOffset;
};

/** A record that was not delivered (or not even enqueued). */
struct Failure {
  int32_t topic;
  int32_t partition;
  int32_t code;
  int32_t keyLength;
  int32_t valueLength;
};

struct Report;

/** A message's opaque: its call's report and its topic (the delivery report's topic handle is not the one passed). */
struct Slot {
  Report *report;
  int32_t topic;
};

/** What one call's delivery reports add up to; whoever takes `remaining` to 0 hands it to JavaScript. */
struct Report {
  double id = 0;
  std::atomic<uint32_t> remaining{0};
  std::vector<Slot> slots;  // one per registered topic; sized before the first record, so addresses hold
  std::vector<PartitionSum> sums;            // written by the poll thread only
  std::vector<Failure> failures;             // written by the poll thread only
  std::vector<Failure> enqueueFailures;      // written by the JS thread only, before its last decrement
  bool closed = false;
};

/** An error, log line or statistics JSON for JavaScript. */
struct Event {
  int kind;  // 0 error, 1 log, 2 statistics
  int code;  // the error code, or the log line's syslog level
  std::string message;
};

struct StreamsProducer {
  rd_kafka_t *rk = nullptr;
  napi_threadsafe_function reports = nullptr;
  napi_threadsafe_function events = nullptr;
  std::thread thread;
  std::atomic<bool> stop{false};
  /** How long close lets queued records be delivered before purging them (closeStreamsProducer's argument). */
  std::atomic<int> closeTimeoutMs{30000};
  std::vector<rd_kafka_topic_t *> topics;  // by the index registerTopic returned
  /** Calls on libuv's pool still using `rk` (spMetadata): the poll thread destroys it only once they are done. */
  std::atomic<int> jobs{0};
  /**
   * A transactional producer's commit and abort flush, and librdkafka's flush polls on the calling thread (a pool
   * thread) while the poll thread polls too: delivery callbacks then run on both at once and must not interleave on
   * one report. Taken only by transactional producers (set at creation), so the others pay nothing for it.
   */
  bool transactional = false;
  std::mutex deliveries;
};

napi_value fail(napi_env env, const char *code, const char *message) {
  napi_throw_error(env, code, message);
  return nullptr;
}

StreamsProducer *handleOf(napi_env env, napi_value value) {
  void *data = nullptr;
  if (napi_get_value_external(env, value, &data) != napi_ok || data == nullptr) {
    fail(env, "ERR_KASKADE_NATIVE", "not a streams producer handle");
    return nullptr;
  }
  return static_cast<StreamsProducer *>(data);
}

void sendEvent(StreamsProducer *p, int kind, int code, std::string message) {
  if (p->events == nullptr) return;
  napi_call_threadsafe_function(p->events, new Event{kind, code, std::move(message)}, napi_tsfn_nonblocking);
}

void onError(rd_kafka_t *, int err, const char *reason, void *opaque) {
  sendEvent(static_cast<StreamsProducer *>(opaque), 0, err, reason);
}

void onLog(const rd_kafka_t *rk, int level, const char *facility, const char *line) {
  auto *p = static_cast<StreamsProducer *>(rd_kafka_opaque(rk));
  if (p != nullptr) sendEvent(p, 1, level, std::string(facility) + ": " + line);
}

int onStatistics(rd_kafka_t *, char *json, size_t length, void *opaque) {
  sendEvent(static_cast<StreamsProducer *>(opaque), 2, 0, std::string(json, length));
  return 0;  // librdkafka frees the JSON
}

void finish(StreamsProducer *p, Report *report) {
  // Non-blocking: the queue is unbounded, and the poll thread must not wait on JS while librdkafka waits on it.
  napi_call_threadsafe_function(p->reports, report, napi_tsfn_nonblocking);
}

void countDelivery(StreamsProducer *p, const rd_kafka_message_t *m);

/**
 * librdkafka's delivery callback, inside rd_kafka_poll: on the poll thread, or — transactional producers — also on
 * the thread committing or aborting (see StreamsProducer::deliveries).
 */
void onDelivery(rd_kafka_t *, const rd_kafka_message_t *m, void *opaque) {
  auto *p = static_cast<StreamsProducer *>(opaque);
  if (!p->transactional) return countDelivery(p, m);
  std::lock_guard<std::mutex> lock(p->deliveries);
  countDelivery(p, m);
}

void countDelivery(StreamsProducer *p, const rd_kafka_message_t *m) {
  auto *slot = static_cast<Slot *>(m->_private);
  Report *report = slot->report;
  if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    report->failures.push_back({slot->topic, m->partition, m->err, static_cast<int32_t>(m->key_len),
                                static_cast<int32_t>(m->len)});
  } else {
    PartitionSum *sum = nullptr;
    for (auto &s : report->sums) {
      if (s.partition == m->partition && s.topic == slot->topic) {
        sum = &s;
        break;
      }
    }
    if (sum == nullptr) {
      report->sums.push_back({slot->topic, m->partition, 0, -1});
      sum = &report->sums.back();
    }
    sum->delivered++;
    if (m->offset > sum->lastOffset) sum->lastOffset = m->offset;
  }
  if (report->remaining.fetch_sub(1) == 1) finish(p, report);
}

napi_value failureArray(napi_env env, const std::vector<Failure> &a, const std::vector<Failure> &b) {
  napi_value list;
  napi_create_array_with_length(env, a.size() + b.size(), &list);
  uint32_t i = 0;
  for (const auto *v : {&a, &b}) {
    for (const Failure &f : *v) {
      napi_value entry, field;
      napi_create_array_with_length(env, 6, &entry);
      const int32_t fields[] = {f.topic, f.partition, f.code, f.keyLength, f.valueLength};
      for (uint32_t k = 0; k < 5; k++) {
        napi_create_int32(env, fields[k], &field);
        napi_set_element(env, entry, k, field);
      }
      const char *message = rd_kafka_err2str(static_cast<rd_kafka_resp_err_t>(f.code));
      napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &field);
      napi_set_element(env, entry, 5, field);
      napi_set_element(env, list, i++, entry);
    }
  }
  return list;
}

/** onReport(id, sums: Float64Array of (topic, partition, delivered, lastOffset) quadruples, failures, closed). */
void deliverReport(napi_env env, napi_value onReport, void *, void *data) {
  auto *report = static_cast<Report *>(data);
  if (env != nullptr) {
    napi_value args[4], undefined, result, buffer;
    napi_get_undefined(env, &undefined);
    napi_create_double(env, report->id, &args[0]);
    void *at = nullptr;
    const size_t n = report->sums.size() * 4;
    napi_create_arraybuffer(env, n * 8, &at, &buffer);
    auto *sums = static_cast<double *>(at);
    for (size_t i = 0; i < report->sums.size(); i++) {
      const PartitionSum &s = report->sums[i];
      sums[4 * i] = s.topic;
      sums[4 * i + 1] = s.partition;
      sums[4 * i + 2] = s.delivered;
      sums[4 * i + 3] = static_cast<double>(s.lastOffset);
    }
    napi_create_typedarray(env, napi_float64_array, n, buffer, 0, &args[1]);
    if (report->failures.empty() && report->enqueueFailures.empty()) args[2] = undefined;
    else args[2] = failureArray(env, report->failures, report->enqueueFailures);
    napi_get_boolean(env, report->closed, &args[3]);
    napi_call_function(env, undefined, onReport, 4, args, &result);
  }
  delete report;
}

void deliverEvent(napi_env env, napi_value onEvent, void *, void *data) {
  auto *event = static_cast<Event *>(data);
  if (env != nullptr) {
    napi_value args[3], undefined, result;
    napi_get_undefined(env, &undefined);
    napi_create_int32(env, event->kind, &args[0]);
    napi_create_int32(env, event->code, &args[1]);
    napi_create_string_utf8(env, event->message.data(), event->message.size(), &args[2]);
    napi_call_function(env, undefined, onEvent, 3, args, &result);
  }
  delete event;
}

void pollLoop(StreamsProducer *p) {
  pthread_setname_np(pthread_self(), "kaskade:prod");
  while (!p->stop.load(std::memory_order_relaxed)) rd_kafka_poll(p->rk, 50);
  if (rd_kafka_flush(p->rk, p->closeTimeoutMs.load()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    // Not delivered in time: purged, so that every record still gets its (failed) report before the handle goes.
    rd_kafka_purge(p->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    for (int i = 0; i < 100 && rd_kafka_outq_len(p->rk) > 0; i++) rd_kafka_poll(p->rk, 50);
  }
  // A metadata request under way ends within its own timeout.
  while (p->jobs.load() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  for (rd_kafka_topic_t *t : p->topics) rd_kafka_topic_destroy(t);
  rd_kafka_destroy(p->rk);
  auto *closed = new Report();
  closed->closed = true;
  napi_call_threadsafe_function(p->reports, closed, napi_tsfn_blocking);
  napi_release_threadsafe_function(p->events, napi_tsfn_release);
  napi_release_threadsafe_function(p->reports, napi_tsfn_release);
}

void finalizeProducer(napi_env, void *data, void *) {
  auto *p = static_cast<StreamsProducer *>(data);
  p->stop.store(true);  // an environment torn down with the producer open: the poll thread ends rather than hang
  if (p->thread.joinable()) p->thread.join();
  delete p;
}

}  // namespace

/** createStreamsProducer(config: string[] (name, value, ...), onReport, onEvent) → handle. */
napi_value CreateStreamsProducer(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc < 3) return fail(env, "ERR_KASKADE_NATIVE", "createStreamsProducer takes 3 arguments");
  char errstr[512];
  rd_kafka_conf_t *conf = confOf(env, argv[0]);
  if (conf == nullptr) return nullptr;
  auto *p = new StreamsProducer();
  napi_value name;
  napi_create_string_utf8(env, "kaskade-streams-producer", NAPI_AUTO_LENGTH, &name);
  napi_create_threadsafe_function(env, argv[2], nullptr, name, 0, 1, nullptr, nullptr, nullptr, deliverEvent,
                                  &p->events);
  // Errors, log lines and statistics alone do not keep the process alive; the report channel does until close.
  napi_unref_threadsafe_function(env, p->events);
  rd_kafka_conf_set_dr_msg_cb(conf, onDelivery);
  rd_kafka_conf_set_error_cb(conf, onError);
  rd_kafka_conf_set_log_cb(conf, onLog);
  rd_kafka_conf_set_stats_cb(conf, onStatistics);
  rd_kafka_conf_set_opaque(conf, p);
  size_t idSize = 0;  // with the terminating NUL: 1 when unset
  p->transactional = rd_kafka_conf_get(conf, "transactional.id", nullptr, &idSize) == RD_KAFKA_CONF_OK && idSize > 1;
  p->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (p->rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    napi_release_threadsafe_function(p->events, napi_tsfn_abort);
    delete p;
    return fail(env, "ERR_KASKADE_NATIVE", errstr);
  }
  napi_create_threadsafe_function(env, argv[1], nullptr, name, 0, 1, p, finalizeProducer, nullptr, deliverReport,
                                  &p->reports);
  p->thread = std::thread(pollLoop, p);
  napi_value handle;
  napi_create_external(env, p, nullptr, nullptr, &handle);
  return handle;
}

/** registerTopic(handle, name) → the topic's index for produceRecords' topic column. */
napi_value RegisterTopic(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  StreamsProducer *p = argc < 2 ? nullptr : handleOf(env, argv[0]);
  if (p == nullptr) return nullptr;
  rd_kafka_topic_t *rkt = rd_kafka_topic_new(p->rk, stringOf(env, argv[1]).c_str(), nullptr);
  if (rkt == nullptr) return fail(env, "ERR_KASKADE_NATIVE", rd_kafka_err2str(rd_kafka_last_error()));
  p->topics.push_back(rkt);
  napi_value index;
  napi_create_uint32(env, static_cast<uint32_t>(p->topics.size() - 1), &index);
  return index;
}

/** librdkafka's refusals of one record for what it is: the record is taken and reported failed, the call goes on. */
static bool refusesRecord(rd_kafka_resp_err_t err) {
  return err == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE || err == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION ||
         err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC || err == RD_KAFKA_RESP_ERR__INVALID_ARG;
}

/**
 * produceRecords(handle, meta: ArrayBuffer, capacity, bytes: ArrayBuffer, start, end, callId) → [taken, code,
 * message].
 * Enqueues records [start, end) (streams-producer.h's layout), stopping at the first one librdkafka refuses for a
 * reason other than the record itself — its queue is full (code -184), the producer failed for good (-150), ... —
 * whose code it returns (0: none): the caller keeps that record and the rest. A record refused for what it is
 * (refusesRecord) is taken and reported as failed. One report per call that took records, once each has its outcome.
 */
napi_value ProduceRecords(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  StreamsProducer *p = argc < 7 ? nullptr : handleOf(env, argv[0]);
  if (p == nullptr) return argc < 7 ? fail(env, "ERR_KASKADE_NATIVE", "produceRecords takes 7 arguments") : nullptr;
  void *meta = nullptr, *bytes = nullptr;
  size_t metaSize = 0, bytesSize = 0;
  if (napi_get_arraybuffer_info(env, argv[1], &meta, &metaSize) != napi_ok ||
      napi_get_arraybuffer_info(env, argv[3], &bytes, &bytesSize) != napi_ok) {
    return fail(env, "ERR_KASKADE_NATIVE", "produceRecords: meta and bytes must be ArrayBuffers");
  }
  uint32_t capacity = 0, start = 0, end = 0;
  double id = 0;
  napi_get_value_uint32(env, argv[2], &capacity);
  napi_get_value_uint32(env, argv[4], &start);
  napi_get_value_uint32(env, argv[5], &end);
  napi_get_value_double(env, argv[6], &id);
  if (metaSize < static_cast<size_t>(capacity) * kStreamsRecordMetaBytes || end > capacity || start > end) {
    return fail(env, "ERR_KASKADE_NATIVE", "produceRecords: columns smaller than their capacity");
  }
  const auto *timestamps = static_cast<const double *>(meta);
  const auto *ints = reinterpret_cast<const int32_t *>(timestamps + capacity);
  const int32_t *partition = ints, *topic = ints + capacity, *keyStart = ints + 2 * capacity,
                *keyLength = ints + 3 * capacity, *valueStart = ints + 4 * capacity,
                *valueLength = ints + 5 * capacity, *headerStart = ints + 6 * capacity,
                *headerLength = ints + 7 * capacity;
  const char *base = static_cast<const char *>(bytes);
  const auto inBytes = [bytesSize](int32_t start, int32_t length) {
    return length <= 0 || (start >= 0 && static_cast<size_t>(start) + static_cast<size_t>(length) <= bytesSize);
  };

  auto *report = new Report();
  report->id = id;
  report->slots.resize(p->topics.size());
  for (size_t t = 0; t < report->slots.size(); t++) report->slots[t] = {report, static_cast<int32_t>(t)};
  report->remaining.store(end - start + 1);  // + 1 until the loop is done, so no report fires early
  uint32_t i = start;
  rd_kafka_resp_err_t stoppedBy = RD_KAFKA_RESP_ERR_NO_ERROR;
  for (; i < end; i++) {
    const int32_t t = topic[i];
    if (t < 0 || static_cast<size_t>(t) >= p->topics.size() || !inBytes(keyStart[i], keyLength[i]) ||
        !inBytes(valueStart[i], valueLength[i]) || !inBytes(headerStart[i], headerLength[i])) {
      report->enqueueFailures.push_back({t, partition[i], RD_KAFKA_RESP_ERR__INVALID_ARG, keyLength[i],
                                         valueLength[i]});
      report->remaining.fetch_sub(1);
      continue;
    }
    // librdkafka's V_ macros do not parenthesize their arguments: plain locals only.
    rd_kafka_topic_t *rkt = p->topics[t];
    const int32_t part = partition[i];
    const void *key = keyLength[i] < 0 ? nullptr : base + keyStart[i];
    const size_t keyLen = keyLength[i] < 0 ? 0 : static_cast<size_t>(keyLength[i]);
    // An empty value keeps a non-null pointer (into the bytes): librdkafka writes a null pointer as null.
    void *value = valueLength[i] < 0 ? nullptr : const_cast<char *>(base + valueStart[i]);
    const size_t valueLen = valueLength[i] < 0 ? 0 : static_cast<size_t>(valueLength[i]);
    const int64_t timestamp = std::isfinite(timestamps[i]) ? static_cast<int64_t>(timestamps[i]) : 0;
    rd_kafka_headers_t *headers =
        headerLength[i] > 0 ? readHeaders(base + headerStart[i], headerLength[i]) : nullptr;
    void *slot = &report->slots[t];
    const rd_kafka_resp_err_t err = rd_kafka_producev(
        p->rk, RD_KAFKA_V_RKT(rkt), RD_KAFKA_V_PARTITION(part), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_KEY(key, keyLen), RD_KAFKA_V_VALUE(value, valueLen), RD_KAFKA_V_TIMESTAMP(timestamp),
        RD_KAFKA_V_OPAQUE(slot), RD_KAFKA_V_HEADERS(headers), RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) continue;
    if (headers != nullptr) rd_kafka_headers_destroy(headers);  // librdkafka takes them only on success
    if (!refusesRecord(err)) {
      stoppedBy = err;
      break;
    }
    report->enqueueFailures.push_back({t, part, err, keyLength[i], valueLength[i]});
    report->remaining.fetch_sub(1);
  }
  const uint32_t untaken = end - i;
  if (i == start) delete report;  // nothing taken: no record refers to it, and JS expects no report
  // The records not taken will have no report; then the loop's own + 1.
  else if (report->remaining.fetch_sub(untaken + 1) == untaken + 1) finish(p, report);
  napi_value result, taken, code, message;
  napi_create_array_with_length(env, 3, &result);
  napi_create_uint32(env, i - start, &taken);
  napi_create_int32(env, stoppedBy, &code);
  napi_create_string_utf8(env, rd_kafka_err2str(stoppedBy), NAPI_AUTO_LENGTH, &message);
  napi_set_element(env, result, 0, taken);
  napi_set_element(env, result, 1, code);
  napi_set_element(env, result, 2, message);
  return result;
}

/**
 * spMetadata(handle, timeoutMs, callback(code, message)): reaches a broker with the producer's own settings, or says
 * why not — librdkafka connects a producer only when it first sends, so a setting only the producer has wrong (its
 * security protocol, say) would otherwise show as records timing out.
 */
napi_value SpMetadata(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  StreamsProducer *p = argc < 3 ? nullptr : handleOf(env, argv[0]);
  if (p == nullptr) return nullptr;
  if (p->stop.load()) return fail(env, "ERR_KASKADE_NATIVE", "the producer is closed");
  int32_t timeoutMs = 30000;
  napi_get_value_int32(env, argv[1], &timeoutMs);
  auto *job = new Job();
  p->jobs.fetch_add(1);
  job->run = [p, timeoutMs, job]() {
    // Asked a second at a time, so that a close (which waits for this before destroying the handle) waits at most
    // that long, not the whole timeout.
    using namespace std::chrono;
    const auto deadline = steady_clock::now() + milliseconds(timeoutMs);
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR__TIMED_OUT;
    while (!p->stop.load()) {
      const auto left = duration_cast<milliseconds>(deadline - steady_clock::now()).count();
      if (left <= 0) break;
      const struct rd_kafka_metadata *md = nullptr;
      err = rd_kafka_metadata(p->rk, 0, nullptr, &md, static_cast<int>(left < 1000 ? left : 1000));
      if (md != nullptr) rd_kafka_metadata_destroy(md);
      if (err != RD_KAFKA_RESP_ERR__TIMED_OUT) break;
    }
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) setError(job, err);
    p->jobs.fetch_sub(1);
  };
  return startJob(env, argv[2], job);
}

namespace {

/** The callback's third argument: what librdkafka's error object says (kRetriable | kTxnRequiresAbort | kFatal). */
void withFlags(Job *job) {
  job->done = [job](napi_env env, std::vector<napi_value> &out) {
    napi_value flags;
    napi_create_int32(env, job->errorFlags, &flags);
    out.push_back(flags);
  };
}

/** Queues a transaction step on libuv's pool; the poll thread destroys the handle only once it is done. */
napi_value startTransactionJob(napi_env env, StreamsProducer *p, napi_value callback,
                               std::function<rd_kafka_error_t *()> step) {
  auto *job = new Job();
  p->jobs.fetch_add(1);
  job->run = [p, job, step = std::move(step)]() {
    setError(job, step());
    p->jobs.fetch_sub(1);
  };
  withFlags(job);
  return startJob(env, callback, job);
}

}  // namespace

/**
 * spTransaction(handle, step, timeoutMs, callback(code, message, flags)): step 0 initializes transactions (fencing
 * older producers with the transactional id), 1 begins one, 2 commits it (librdkafka delivers what is queued first),
 * 3 aborts it (purging what is queued). Flags as librdkafka's error says: 1 retriable, 2 requires abort, 4 fatal.
 */
napi_value SpTransaction(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  StreamsProducer *p = argc < 4 ? nullptr : handleOf(env, argv[0]);
  if (p == nullptr) return argc < 4 ? fail(env, "ERR_KASKADE_NATIVE", "spTransaction takes 4 arguments") : nullptr;
  if (p->stop.load()) return fail(env, "ERR_KASKADE_NATIVE", "the producer is closed");
  int32_t step = -1, timeoutMs = 60000;
  napi_get_value_int32(env, argv[1], &step);
  napi_get_value_int32(env, argv[2], &timeoutMs);
  rd_kafka_t *rk = p->rk;
  switch (step) {
    case 0:
      return startTransactionJob(env, p, argv[3],
                                 [rk, timeoutMs]() { return rd_kafka_init_transactions(rk, timeoutMs); });
    case 1:
      return startTransactionJob(env, p, argv[3], [rk]() { return rd_kafka_begin_transaction(rk); });
    case 2:
      return startTransactionJob(env, p, argv[3],
                                 [rk, timeoutMs]() { return rd_kafka_commit_transaction(rk, timeoutMs); });
    case 3:
      return startTransactionJob(env, p, argv[3],
                                 [rk, timeoutMs]() { return rd_kafka_abort_transaction(rk, timeoutMs); });
    default:
      return fail(env, "ERR_KASKADE_NATIVE",
                  "spTransaction: step must be 0 (init), 1 (begin), 2 (commit) or 3 (abort)");
  }
}

/**
 * spSendOffsets(handle, offsets: (topic, partition, offset, metadata) flat, consumer: a group consumer handle,
 * timeoutMs, callback(code, message, flags)): adds the consumer's offsets to the open transaction, with the group's
 * metadata as the consumer has it now (its generation fences a member that lost its partitions).
 */
napi_value SpSendOffsets(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  StreamsProducer *p = argc < 5 ? nullptr : handleOf(env, argv[0]);
  if (p == nullptr) return argc < 5 ? fail(env, "ERR_KASKADE_NATIVE", "spSendOffsets takes 5 arguments") : nullptr;
  if (p->stop.load()) return fail(env, "ERR_KASKADE_NATIVE", "the producer is closed");
  // Asked on this thread (a short request to librdkafka's group thread) while the consumer is known to be open.
  rd_kafka_consumer_group_metadata_t *group = groupMetadataOf(env, argv[2]);
  if (group == nullptr) return nullptr;
  int32_t timeoutMs = 60000;
  napi_get_value_int32(env, argv[3], &timeoutMs);
  rd_kafka_topic_partition_list_t *list = listOf(env, argv[1], 4);
  rd_kafka_t *rk = p->rk;
  return startTransactionJob(env, p, argv[4], [rk, list, group, timeoutMs]() {
    rd_kafka_error_t *error = rd_kafka_send_offsets_to_transaction(rk, list, group, timeoutMs);
    rd_kafka_topic_partition_list_destroy(list);
    rd_kafka_consumer_group_metadata_destroy(group);
    return error;
  });
}

/**
 * closeStreamsProducer(handle, timeoutMs): on the poll thread, lets queued records be delivered for up to timeoutMs,
 * purges what is left (reported as failed), destroys the handle; a last report says closed.
 */
napi_value CloseStreamsProducer(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  StreamsProducer *p = argc < 2 ? nullptr : handleOf(env, argv[0]);
  if (p == nullptr) return nullptr;
  int32_t timeoutMs = 30000;
  napi_get_value_int32(env, argv[1], &timeoutMs);
  p->closeTimeoutMs.store(timeoutMs);
  p->stop.store(true);
  return nullptr;
}

}  // namespace kaskade
