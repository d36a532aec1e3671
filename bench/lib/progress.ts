/**
 * Counts handled records for a rung: starts the clock at the first one and settles `done` at the target. `add` is
 * cheap (two comparisons), so processors may call it once per record.
 */
export class Progress {
  count = 0;
  readonly target: number;
  readonly done: Promise<void>;
  readonly #onFirst: () => void;
  #resolve!: () => void;
  #reject!: (error: Error) => void;

  constructor(target: number, onFirst: () => void) {
    this.target = target;
    this.#onFirst = onFirst;
    this.done = new Promise<void>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  add(n: number): void {
    if (this.count === 0 && n > 0) this.#onFirst();
    const before = this.count;
    this.count += n;
    if (before < this.target && this.count >= this.target) this.#resolve();
  }

  fail(error: Error): void {
    this.#reject(error);
  }
}
