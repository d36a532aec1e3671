import { ProductionError } from '@kaskade/processor-api';

/**
 * A record that can never be delivered: its topic does not exist or is not authorized, or it is larger than the
 * producer or the topic allows. Raised before the record is sent (the client refused it, or the broker refused an
 * earlier one like it); the runtime hands it to the production exception handler with the source record's context.
 */
export class UndeliverableRecordError extends ProductionError {
  override readonly code: string = 'KASKADE_UNDELIVERABLE_RECORD';
}
