// Which stream thread this JavaScript thread is (`numStreamThreads` > 1): set by the worker entry before it makes its
// instance. Each worker has its own copy of this module, so the value is per thread.
let index: number | undefined;

/** The worker's thread number (1-based), or undefined on a thread that is not a stream thread's worker. */
export function streamThreadIndex(): number | undefined {
  return index;
}

export function setStreamThreadIndex(thread: number): void {
  index = thread;
}
