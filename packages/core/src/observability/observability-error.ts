import { StreamsError } from '@kaskade/processor-api';

/** The observability server could not start (the port is taken, the host cannot be bound). */
export class ObservabilityServerError extends StreamsError {
  override readonly code: string = 'KASKADE_OBSERVABILITY_SERVER_ERROR';
}
