/**
 * Kafka Streams property names whose Kaskade field is not just the same words in camelCase. (Names that are, such as
 * `application.id` or `commit.interval.ms`, are found by normalization.) Keys are normalized.
 */
const KAFKA_NAMES: Readonly<Record<string, string>> = {
  statestorecachemaxbytes: 'cacheMaxBytes',
  cachemaxbytesbuffering: 'cacheMaxBytes',
  defaultdeserializationexceptionhandler: 'deserializationExceptionHandler',
  processingexceptionhandler: 'processingExceptionHandler',
  defaultproductionexceptionhandler: 'productionExceptionHandler',
  errorsdeadletterqueuetopicname: 'deadLetterQueueTopic',
  defaultkeyserdeclass: 'defaultKeySerde',
  defaultvalueserdeclass: 'defaultValueSerde',
};

/** Fields of Kafka Streams that Kaskade deliberately lacks, with the reason. Keys are normalized. */
const UNSUPPORTED: Readonly<Record<string, string>> = {};

/** Lower case, letters and digits only: `application.id`, `applicationID` and `applicationId` all match. */
function normalize(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** Levenshtein distance, two rows. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * Why `name` is not a field, for the config error: `unknown field`, with a suggestion when a known field is close
 * (a different case or separator, a Kafka Streams property name, or a typo or two), or the reason a Kafka Streams
 * field has no Kaskade equivalent.
 */
export function unknownFieldMessage(name: string, knownFields: readonly string[]): string {
  const normalized = normalize(name);
  const unsupported = UNSUPPORTED[normalized];
  if (unsupported !== undefined) return unsupported;
  const suggestion = closestField(normalized, knownFields);
  return suggestion === undefined ? 'unknown field' : `unknown field (did you mean ${suggestion}?)`;
}

function closestField(normalized: string, knownFields: readonly string[]): string | undefined {
  const alias = KAFKA_NAMES[normalized];
  if (alias !== undefined && knownFields.includes(alias)) return alias;
  // A typo budget that grows with the name, so short names do not match everything.
  const budget = Math.max(2, Math.floor(normalized.length / 5));
  let best: { field: string; distance: number } | undefined;
  for (const field of knownFields) {
    const d = distance(normalized, normalize(field));
    if (d <= budget && (best === undefined || d < best.distance)) best = { field, distance: d };
  }
  return best?.field;
}
