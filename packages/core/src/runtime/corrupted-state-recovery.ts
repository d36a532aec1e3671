import { CorruptedStateError } from '@kaskade/processor-api';
import type { Logger } from '../config/logger.js';
import { ChangelogRestorer } from './changelog-restorer.js';
import type { ChangelogRestorerOptions, StateRestoreListener } from './changelog-restorer.js';
import type { StreamsConfig } from '../config/streams-config.js';
import type { CommitCoordinator } from './commit-coordinator.js';
import type { StreamTask } from './stream-task.js';
import type { TaskManager } from './task-manager.js';

/** What the recovery uses of the instance. */
export interface CorruptedStateHost {
  readonly exactlyOnce: boolean;
  readonly logger: Logger;
  readonly tasks: TaskManager;
  committer(): CommitCoordinator;
}

/** A task whose state keeps getting corrupted (a failing disk) stops the instance instead of looping. */
const MAX_REBUILDS = 3;
const REBUILD_WINDOW_MS = 10 * 60_000;

/**
 * Rebuilds a task whose state turned out to be corrupted while it ran (LMDB reported damaged pages): the error is
 * never treated as a bad record. The task is closed without committing, its state directory deleted, and it is opened
 * again, restored from its changelogs and its input rewound to the committed offsets. Under exactly-once the open
 * transaction also holds the other tasks' work, so it is aborted and every task rewound.
 *
 * @see org.apache.kafka.streams.errors.TaskCorruptedException
 */
export class CorruptedStateRecovery {
  readonly #host: CorruptedStateHost;
  readonly #rebuilds = new Map<string, number[]>();

  constructor(host: CorruptedStateHost) {
    this.#host = host;
  }

  /** The running task that `error` says is corrupted, if it is such an error. */
  corruptedTask(error: unknown): StreamTask | undefined {
    if (!(error instanceof CorruptedStateError)) return undefined;
    const taskId = error.context.taskId;
    return typeof taskId === 'string' ? this.#host.tasks.get(taskId) : undefined;
  }

  /** Rebuilds the task that `error` says is corrupted (see the class); false when `error` is something else. */
  async rebuildIfCorrupted(error: unknown): Promise<boolean> {
    const task = this.corruptedTask(error);
    if (task === undefined) return false;
    await this.rebuild(task, error as CorruptedStateError);
    return true;
  }

  /** Rebuilds `task` from its changelogs (see the class). Rethrows `error` when the task was rebuilt too often. */
  async rebuild(task: StreamTask, error: CorruptedStateError): Promise<void> {
    const host = this.#host;
    this.#countRebuild(task, error);
    const committer = host.committer();
    if (host.exactlyOnce && committer.inTransaction) {
      // Aborts the transaction and revives every task, this one from an empty state directory.
      await committer.rewind({ kind: 'state-corrupted', error, task });
      return;
    }
    // Exactly-once outside a transaction: the corruption broke the persisting of a committed transaction, which the
    // other tasks may have missed too; they catch up from their changelogs.
    await host.tasks.revive(host.exactlyOnce ? host.tasks.all() : [task], task);
  }

  /**
   * Closes `task` without committing, deletes its state directory and opens it again, empty. Throws when the task
   * was rebuilt too often recently.
   */
  wipeAndReopen(task: StreamTask, error: CorruptedStateError): StreamTask {
    this.#countRebuild(task, error);
    return this.#host.tasks.reopen(task, true);
  }

  /** Counts a rebuild of `task` and says why it happens; throws when the task was rebuilt too often recently. */
  #countRebuild(task: StreamTask, error: CorruptedStateError): void {
    const now = Date.now();
    const recent = (this.#rebuilds.get(task.idString) ?? []).filter((t) => now - t < REBUILD_WINDOW_MS);
    if (recent.length >= MAX_REBUILDS) {
      throw new CorruptedStateError(
        `the state of task ${task.idString} was corrupted ${recent.length + 1} times within ` +
          `${REBUILD_WINDOW_MS / 60_000} minutes (last: ${error.message}); check the disk of the state directory`,
        { cause: error, context: error.context },
      );
    }
    this.#rebuilds.set(task.idString, [...recent, now]);
    const taskDir = task.stateManager?.taskDir;
    this.#host.logger.error(
      `task ${task.idString}: ${error.message}; closing the task, deleting ${taskDir ?? 'its state'} and restoring ` +
        `its stores from their changelogs`,
      { error, taskId: task.idString, path: error.context['path'] },
    );
  }
}

/**
 * The changelog restorer of an instance, which rebuilds a task whose state turns out to be corrupted while it is
 * restored (damage that the checks at open did not see): the task is wiped and reopened, and restoration goes on.
 * The reopened task takes the old one's place in the caller's array, which the caller initializes after restoring.
 */
export class CorruptionTolerantRestorer extends ChangelogRestorer {
  readonly #recovery: () => CorruptedStateRecovery;

  constructor(options: ChangelogRestorerOptions & { readonly recovery: () => CorruptedStateRecovery }) {
    super(options);
    this.#recovery = options.recovery;
  }

  /** The restorer of an instance with this configuration. */
  static forConfig(
    cfg: StreamsConfig,
    recovery: () => CorruptedStateRecovery,
    listener: StateRestoreListener | undefined,
  ): CorruptionTolerantRestorer {
    return new CorruptionTolerantRestorer({
      bootstrapServers: cfg.bootstrapServers,
      applicationId: cfg.applicationId,
      recovery,
      readCommitted: cfg.processingGuarantee === 'exactly_once_v2',
      nativeClient: cfg.nativeClient,
      config: cfg.consumerConfig,
      adminConfig: cfg.adminConfig,
      logger: cfg.logger,
      ...(listener ? { listener } : {}),
    });
  }

  override async restore(tasks: readonly StreamTask[]): Promise<number> {
    for (;;) {
      try {
        return await super.restore(tasks);
      } catch (error) {
        const recovery = this.#recovery();
        const task = recovery.corruptedTask(error);
        const index = task === undefined ? -1 : tasks.indexOf(task);
        if (index < 0) throw error;
        (tasks as StreamTask[])[index] = recovery.wipeAndReopen(task!, error as CorruptedStateError);
      }
    }
  }
}
