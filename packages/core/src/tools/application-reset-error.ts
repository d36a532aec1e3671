import { StreamsError } from '@kaskade/processor-api';

/**
 * The reset tool refused or failed: the group still has active members, the application is unknown, an input topic
 * does not exist, an offsets file is malformed. The message names what is wrong; `context` carries the details.
 *
 * @see org.apache.kafka.tools.StreamsResetter
 */
export class ApplicationResetError extends StreamsError {
  override readonly code: string = 'KASKADE_APPLICATION_RESET';
}
