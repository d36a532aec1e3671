import type { KafkaAdmin } from '../kafka/kafka-admin.js';

/**
 * How long after subscribing, with no assignment seen, the group is first asked whether this member is a spare. By
 * then the group exists (its other members hold the partitions; this member's first heartbeat created it otherwise):
 * describing a group that does not exist crashes @confluentinc/kafka-javascript 1.10.1 (see standby-tasks.ts).
 */
const FIRST_CHECK_MS = 5_000;
const CHECK_INTERVAL_MS = 2_000;

/**
 * Tells when the group has taken this thread's consumer in with no partitions (more instances than tasks). Under the
 * consumer group protocol (KIP-848) librdkafka calls no rebalance callback for an empty assignment, so the thread
 * cannot learn it from one: while it waits for a first assignment, it asks the group's description now and then
 * whether its member is in a stable group with nothing assigned. Costs nothing once an assignment has come.
 */
export class SpareMemberCheck {
  readonly #admin: () => KafkaAdmin;
  readonly #groupId: string;
  readonly #clientId: string;
  #nextAt: number;
  #inFlight = false;
  #spare = false;

  constructor(admin: () => KafkaAdmin, groupId: string, clientId: string, now: number) {
    this.#admin = admin;
    this.#groupId = groupId;
    this.#clientId = clientId;
    this.#nextAt = now + FIRST_CHECK_MS;
  }

  /** True once the group has been seen stable with this member holding no partition. Asks at most every 2 s. */
  isSpare(now: number): boolean {
    if (this.#spare || this.#inFlight || now < this.#nextAt) return this.#spare;
    this.#inFlight = true;
    this.#nextAt = now + CHECK_INTERVAL_MS;
    this.#admin()
      .describeGroup(this.#groupId)
      .then(
        (group) => {
          const me = group.members.find((m) => m.clientId === this.#clientId);
          this.#spare = group.state === 'Stable' && me !== undefined && me.partitions.length === 0;
        },
        () => undefined, // a group still forming, a coordinator moving: ask again later
      )
      .finally(() => (this.#inFlight = false));
    return false;
  }
}
