import { describe, expect, it } from 'vitest';
import type { GroupInfo } from '../kafka/kafka-admin.js';
import { placementMembers, standbyPlacement, tasksOf } from './standby-placement.js';
import type { PlacementMember } from './standby-placement.js';

const member = (clientId: string, tasks: string[], memberId = `${clientId}-m`): PlacementMember => ({
  clientId,
  memberId,
  tasks,
});

describe('standbyPlacement', () => {
  const group = [
    member('app-c-consumer', ['0_2']),
    member('app-a-consumer', ['0_0']),
    member('app-b-consumer', ['0_1']),
  ];

  it('should give each task its standby on the next member after its owner, sorted by client id, wrapping around', () => {
    expect(standbyPlacement(group, 1, 'app-a-consumer', ['0_0'])).toEqual(new Set(['0_2']));
    expect(standbyPlacement(group, 1, 'app-b-consumer', ['0_1'])).toEqual(new Set(['0_0']));
    expect(standbyPlacement(group, 1, 'app-c-consumer', ['0_2'])).toEqual(new Set(['0_1']));
  });

  it('should place k standbys on k distinct members, never on the owner, and fewer when the group is smaller', () => {
    expect(standbyPlacement(group, 2, 'app-a-consumer', ['0_0'])).toEqual(new Set(['0_1', '0_2']));
    expect(standbyPlacement(group, 5, 'app-a-consumer', ['0_0'])).toEqual(new Set(['0_1', '0_2']));
    expect(standbyPlacement([member('solo', ['0_0', '0_1'])], 1, 'solo', ['0_0', '0_1'])).toEqual(new Set());
  });

  it('should be the same whatever order the group lists its members in', () => {
    const reversed = [...group].reverse();
    for (const self of ['app-a-consumer', 'app-b-consumer', 'app-c-consumer']) {
      expect(standbyPlacement(reversed, 1, self, [])).toEqual(standbyPlacement(group, 1, self, []));
    }
  });

  it('should keep no standby of a task it owns itself', () => {
    const shared = [member('x', ['0_0']), member('y', ['0_0', '0_1'])];
    expect(standbyPlacement(shared, 1, 'y', ['0_0', '0_1'])).toEqual(new Set());
  });

  it('should tell instances with the same client id apart by their tasks, and keep none when it cannot', () => {
    const twins = [member('same', ['0_0'], 'm1'), member('same', ['0_1'], 'm2')];
    expect(standbyPlacement(twins, 1, 'same', ['0_1'])).toEqual(new Set(['0_0']));
    expect(standbyPlacement(twins, 1, 'same', ['0_0'])).toEqual(new Set(['0_1']));
    expect(standbyPlacement([member('same', [], 'm1'), member('same', [], 'm2')], 1, 'same', [])).toEqual(new Set());
  });

  it('should keep none when this instance is not in the group', () => {
    expect(standbyPlacement(group, 1, 'app-z-consumer', [])).toEqual(new Set());
  });
});

describe('placementMembers', () => {
  const topics = new Map([
    ['orders', 0],
    ['payments', 0],
    ['clicks', 1],
  ]);
  const info = (state: string): GroupInfo => ({
    groupId: 'app',
    state,
    members: [
      {
        memberId: 'm1',
        clientId: 'app-a-consumer',
        host: '/127.0.0.1',
        partitions: [
          { topic: 'orders', partition: 3 },
          { topic: 'payments', partition: 3 },
          { topic: 'clicks', partition: 0 },
          { topic: 'other', partition: 0 },
        ],
      },
    ],
  });

  it('should map each member assignment to its tasks once a group is stable', () => {
    expect(placementMembers(info('Stable'), topics)).toEqual([
      { clientId: 'app-a-consumer', memberId: 'm1', tasks: ['0_3', '1_0'] },
    ]);
  });

  it('should give nothing while the group rebalances', () => {
    expect(placementMembers(info('PreparingRebalance'), topics)).toBeUndefined();
    expect(placementMembers(info('CompletingRebalance'), topics)).toBeUndefined();
  });

  it('should name a task once for its co-partitioned inputs', () => {
    expect(
      tasksOf(
        [
          { topic: 'orders', partition: 1 },
          { topic: 'payments', partition: 1 },
        ],
        topics,
      ),
    ).toEqual(['0_1']);
  });
});
