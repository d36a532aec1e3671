#include "columnar-batch.h"

#include <cstdlib>
#include <cstring>

namespace kaskade {

namespace {

/** Bytes the headers of one message take in the batch's header column (0 when it has none). */
size_t headerBytes(const rd_kafka_message_t *m, rd_kafka_headers_t **out) {
  *out = nullptr;
  rd_kafka_headers_t *hdrs = nullptr;
  // rd_kafka_message_headers parses the headers on first call; a message without any costs one check.
  if (rd_kafka_message_headers(m, &hdrs) != RD_KAFKA_RESP_ERR_NO_ERROR || hdrs == nullptr) return 0;
  *out = hdrs;
  size_t bytes = 0;
  const char *name;
  const void *value;
  size_t size;
  for (size_t i = 0; rd_kafka_header_get_all(hdrs, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR; i++) {
    bytes += 8 + std::strlen(name) + (value ? size : 0);
  }
  return bytes;
}

size_t align8(size_t n) { return (n + 7) & ~static_cast<size_t>(7); }

}  // namespace

ColumnarBatch *buildBatch(rd_kafka_message_t **messages, size_t n) {
  auto *batch = new ColumnarBatch();
  // First pass: errors, sizes and topics.
  size_t keys = 0, values = 0, headers = 0, good = 0;
  std::vector<rd_kafka_headers_t *> hdrs(n);
  std::vector<const rd_kafka_topic_t *> seenTopics;
  std::vector<int32_t> topicOf(n);
  std::vector<char> skip(n, 0);
  for (size_t i = 0; i < n; i++) {
    rd_kafka_message_t *m = messages[i];
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      if (batch->errorCode == 0 && m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        batch->errorCode = m->err;
        batch->errorMessage = rd_kafka_message_errstr(m);
      }
      skip[i] = 1;
      continue;
    }
    good++;
    keys += m->key ? m->key_len : 0;
    values += m->payload ? m->len : 0;
    headers += headerBytes(m, &hdrs[i]);
    // A batch rarely spans more than a few topics: a linear scan beats a map.
    size_t t = 0;
    while (t < seenTopics.size() && seenTopics[t] != m->rkt) t++;
    if (t == seenTopics.size()) {
      seenTopics.push_back(m->rkt);
      batch->topics.emplace_back(rd_kafka_topic_name(m->rkt));
    }
    topicOf[i] = static_cast<int32_t>(t);
  }
  const size_t fixed = good * (8 + 8 + 4 * 8);
  batch->keysAt = fixed;
  batch->keysBytes = keys;
  batch->valuesAt = fixed + keys;
  batch->valuesBytes = values;
  batch->headersAt = fixed + keys + values;
  batch->headersBytes = headers;
  batch->blockSize = align8(batch->headersAt + headers);
  batch->count = static_cast<uint32_t>(good);
  batch->block = static_cast<char *>(std::malloc(batch->blockSize > 0 ? batch->blockSize : 8));
  if (batch->block == nullptr) {
    batch->count = 0;
    batch->errorCode = RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE;
    batch->errorMessage = "out of memory for a consumed batch";
    return batch;
  }

  auto *offsets = reinterpret_cast<int64_t *>(batch->block);
  auto *timestamps = reinterpret_cast<double *>(offsets + good);
  auto *partitions = reinterpret_cast<int32_t *>(timestamps + good);
  int32_t *topicIndex = partitions + good;
  int32_t *keyStart = topicIndex + good;
  int32_t *keyLength = keyStart + good;
  int32_t *valueStart = keyLength + good;
  int32_t *valueLength = valueStart + good;
  int32_t *headerStart = valueLength + good;
  int32_t *headerLength = headerStart + good;
  char *keyBytes = batch->block + batch->keysAt;
  char *valueBytes = batch->block + batch->valuesAt;
  char *headerBytesOut = batch->block + batch->headersAt;

  size_t k = 0, v = 0, h = 0, j = 0;
  for (size_t i = 0; i < n; i++) {
    if (skip[i]) continue;
    const rd_kafka_message_t *m = messages[i];
    offsets[j] = m->offset;
    timestamps[j] = static_cast<double>(rd_kafka_message_timestamp(m, nullptr));
    partitions[j] = m->partition;
    topicIndex[j] = topicOf[i];
    keyStart[j] = static_cast<int32_t>(k);
    if (m->key) {
      std::memcpy(keyBytes + k, m->key, m->key_len);
      keyLength[j] = static_cast<int32_t>(m->key_len);
      k += m->key_len;
    } else {
      keyLength[j] = -1;
    }
    valueStart[j] = static_cast<int32_t>(v);
    if (m->payload) {
      std::memcpy(valueBytes + v, m->payload, m->len);
      valueLength[j] = static_cast<int32_t>(m->len);
      v += m->len;
    } else {
      valueLength[j] = -1;
    }
    headerStart[j] = static_cast<int32_t>(h);
    const size_t h0 = h;
    if (hdrs[i] != nullptr) {
      const char *name;
      const void *value;
      size_t size;
      for (size_t x = 0; rd_kafka_header_get_all(hdrs[i], x, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
           x++) {
        const uint32_t nameLen = static_cast<uint32_t>(std::strlen(name));
        const int32_t valueLen = value ? static_cast<int32_t>(size) : -1;
        std::memcpy(headerBytesOut + h, &nameLen, 4);
        std::memcpy(headerBytesOut + h + 4, name, nameLen);
        h += 4 + nameLen;
        std::memcpy(headerBytesOut + h, &valueLen, 4);
        h += 4;
        if (value) {
          std::memcpy(headerBytesOut + h, value, size);
          h += size;
        }
      }
    }
    headerLength[j] = static_cast<int32_t>(h - h0);
    j++;
  }
  return batch;
}

void freeBatch(ColumnarBatch *batch) {
  if (batch == nullptr) return;
  std::free(batch->block);
  delete batch;
}

namespace {
void freeBlock(napi_env, void *data, void *) { std::free(data); }
}  // namespace

void batchArgs(napi_env env, ColumnarBatch *batch, napi_value *args) {
  if (batch->block == nullptr) {
    napi_create_arraybuffer(env, 0, nullptr, &args[0]);
  } else if (napi_create_external_arraybuffer(env, batch->block, batch->blockSize, freeBlock, nullptr, &args[0]) !=
             napi_ok) {
    // Builds where external buffers are not allowed (a V8 sandbox) copy here; Node.js 20-24 allow them.
    void *copy;
    napi_create_arraybuffer(env, batch->blockSize, &copy, &args[0]);
    std::memcpy(copy, batch->block, batch->blockSize);
    std::free(batch->block);
  }
  batch->block = nullptr;  // owned by the ArrayBuffer now
  napi_create_uint32(env, batch->count, &args[1]);
  napi_create_double(env, static_cast<double>(batch->keysAt), &args[2]);
  napi_create_double(env, static_cast<double>(batch->valuesAt), &args[3]);
  napi_create_double(env, static_cast<double>(batch->headersAt), &args[4]);
  napi_create_double(env, static_cast<double>(batch->headersAt + batch->headersBytes), &args[5]);
  napi_create_array_with_length(env, batch->topics.size(), &args[6]);
  for (size_t i = 0; i < batch->topics.size(); i++) {
    napi_value name;
    napi_create_string_utf8(env, batch->topics[i].data(), batch->topics[i].size(), &name);
    napi_set_element(env, args[6], static_cast<uint32_t>(i), name);
  }
  napi_create_int32(env, batch->errorCode, &args[7]);
  napi_create_string_utf8(env, batch->errorMessage.data(), batch->errorMessage.size(), &args[8]);
}

}  // namespace kaskade
