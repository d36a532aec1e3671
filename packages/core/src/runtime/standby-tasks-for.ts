import { changelogTopicName } from '@kaskade/state-store/internal';
import type { StreamsConfig } from '../config/streams-config.js';
import type { Topology } from '../topology/topology.js';
import { StandbyTasks } from './standby-tasks.js';
import { StreamTask } from './stream-task.js';
import type { TaskEnvironment } from './task-environment.js';

/**
 * The thread's standby tasks when `numStandbyReplicas` > 0; undefined otherwise, so an instance without standbys
 * makes no client, runs no loop and pays nothing for them.
 */
export function standbyTasksFor(
  config: StreamsConfig,
  topology: Topology,
  topicToSubtopology: ReadonlyMap<string, number>,
  env: () => TaskEnvironment,
  activeTaskIds: () => string[],
): StandbyTasks | undefined {
  if (config.numStandbyReplicas === 0) return undefined;
  const subtopologies = topology.subtopologies();
  const changelogs = subtopologies.map((s) =>
    s.storeNames
      .filter((name) => topology.stores().get(name)?.builder.loggingEnabled === true)
      .map((name) => changelogTopicName(config.applicationId, name)),
  );
  return new StandbyTasks({
    config,
    topicToSubtopology,
    // As the group consumer names itself (stream-thread.ts): members are told apart by it.
    clientId: `${config.applicationId}-${config.instanceId}-consumer`,
    activeTaskIds,
    newTask: (subtopology, partition) =>
      new StreamTask({ subtopology, partition }, subtopologies[subtopology]!, topology, env()),
    changelogTopics: (subtopology) => changelogs[subtopology] ?? [],
  });
}
