import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../config/logger.js';
import type { StreamTask } from '../runtime/stream-task.js';
import type { TaskManager } from '../runtime/task-manager.js';

/** What the wiper uses of the instance. */
export interface LocalStateHost {
  readonly logger: Logger;
  readonly tasks: TaskManager;
  readonly appStateDir: string;
}

/** The file in the application's state directory that names the last stateful rewind this instance has seen. */
const MARKER = '.kaskade-rebuild';
const TASK_DIR = /^\d+_\d+$/;

/**
 * Deletes an instance's local state for a stateful rewind: a running task's stores (closed, deleted, opened again
 * and restored from the truncated changelogs) and the directories of tasks it does not run. The id of the last
 * rewind it has seen is kept beside the task directories, so an instance that was stopped when the rewind was issued
 * deletes what it kept from before when it starts.
 */
export class LocalStateWiper {
  readonly #host: LocalStateHost;
  #seen: string | undefined;

  constructor(host: LocalStateHost) {
    this.#host = host;
  }

  hasSeen(id: string): boolean {
    if (this.#seen === undefined) {
      try {
        this.#seen = readFileSync(join(this.#host.appStateDir, MARKER), 'utf8').trim();
      } catch {
        this.#seen = '';
      }
    }
    return this.#seen === id;
  }

  markSeen(id: string): void {
    mkdirSync(this.#host.appStateDir, { recursive: true });
    writeFileSync(join(this.#host.appStateDir, MARKER), `${id}\n`);
    this.#seen = id;
  }

  /** Deletes the state directories of tasks not in `running`. */
  deleteUnowned(running: ReadonlySet<string>): void {
    let entries: string[];
    try {
      entries = readdirSync(this.#host.appStateDir);
    } catch {
      return; // no state directory yet: nothing kept
    }
    const stale = entries.filter((e) => TASK_DIR.test(e) && !running.has(e));
    for (const e of stale) rmSync(join(this.#host.appStateDir, e), { recursive: true, force: true });
    if (stale.length > 0) {
      this.#host.logger.info(`stateful rewind: deleted the local state of tasks not running here: ${stale.join(', ')}`);
    }
  }

  /** Closes the tasks, deletes their state and opens them again, restored from their changelogs. */
  async wipe(tasks: readonly StreamTask[], why: string): Promise<StreamTask[]> {
    const host = this.#host;
    if (tasks.length === 0) return [];
    host.logger.info(`${why}: wiping the state of tasks ${tasks.map((t) => t.idString).join(', ')}`);
    const fresh = tasks.map((t) => host.tasks.reopen(t, true));
    await host.tasks.restoreAndInitialize(fresh);
    return fresh;
  }
}
