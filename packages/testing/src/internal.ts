// @kaskade/testing/internal — what Kaskade's own tests and benchmarks need of the broker launcher beyond the public
// API. NOT a stable API: it may change in any release. Applications use the root export.
export { probeMetadata } from './kafka/metadata-probe.js';
export { kafkaLibsDir } from './tools/kafka-libs-dir.js';
