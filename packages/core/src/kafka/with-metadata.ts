/** The offset with its commit metadata when there is some (librdkafka takes and returns it as `metadata`). */
export function withMetadata<T extends object>(offset: T, metadata: string | undefined): T & { metadata?: string } {
  return metadata === undefined || metadata === '' ? offset : { ...offset, metadata };
}
