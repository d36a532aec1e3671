// The produce side of the prototype addon: createProducer, produce (one call per columnar batch), closeProducer.
#pragma once

#include <librdkafka/rdkafka.h>
#include <node_api.h>

namespace kaskade {

napi_value CreateProducer(napi_env env, napi_callback_info info);
napi_value Produce(napi_env env, napi_callback_info info);
napi_value CloseProducer(napi_env env, napi_callback_info info);

}  // namespace kaskade
