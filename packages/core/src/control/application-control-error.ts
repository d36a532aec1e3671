import { StreamsError } from '@kaskade/processor-api';

/**
 * An application-wide control command (pause, resume, rewind) was refused or could not be written: the application
 * is unknown, the target is invalid, the control topic cannot be reached. `context.reason` says which.
 */
export class ApplicationControlError extends StreamsError {
  override readonly code: string = 'KASKADE_APPLICATION_CONTROL';
}
