import type { Logger } from '../config/logger.js';
import { KafkaAdmin } from '../kafka/kafka-admin.js';
import { KafkaConsumerClient } from '../kafka/kafka-consumer-client.js';
import { KafkaProducerClient } from '../kafka/kafka-producer-client.js';
import type { ClientConfig, ConsumedMessage } from '../kafka/kafka-types.js';
import { ControlKeys, controlTopicName } from './control-commands.js';
import type { DesiredState, PauseAck, RewindCommand } from './control-commands.js';

/** What an instance needs to read its application's control topic. */
export interface ControlChannelOptions {
  readonly applicationId: string;
  readonly instanceId: string;
  readonly bootstrapServers: string;
  readonly consumerConfig: ClientConfig;
  readonly adminConfig: ClientConfig;
  /** Settings of the small producer that writes this instance's pause acknowledgements. */
  readonly producerConfig: ClientConfig;
  readonly replicationFactor: number;
  readonly logger: Logger;
  /** How often to look for new commands, in ms. */
  readonly pollIntervalMs?: number;
}

/**
 * An instance's reader of the control topic. It reads the topic to its end before the instance processes anything
 * (so a paused application starts paused), then polls it in the background; the run loop compares `version` between
 * batches — one number, nothing per record — and applies what changed.
 */
export class ControlChannel {
  readonly #options: ControlChannelOptions;
  #consumer: KafkaConsumerClient | undefined;
  /** Made at the first acknowledgement: an application never paused pays nothing for it. */
  #producer: KafkaProducerClient | undefined;
  #timer: NodeJS.Timeout | undefined;
  #polling = false;
  #closed = false;
  /** Bumped whenever the desired state or the rewind command changes. */
  version = 0;
  desiredState: DesiredState | undefined;
  rewind: RewindCommand | undefined;

  constructor(options: ControlChannelOptions) {
    this.#options = options;
  }

  get topic(): string {
    return controlTopicName(this.#options.applicationId);
  }

  /** Creates the topic when missing and reads it to its end. */
  async start(): Promise<void> {
    const o = this.#options;
    const admin = KafkaAdmin.create(o.bootstrapServers, o.adminConfig);
    try {
      await ensureControlTopic(admin, this.topic, o.replicationFactor);
    } finally {
      admin.close();
    }
    // A consumer that is assigned, never subscribed: it reads the one partition from the start and never joins a
    // group (the group id is required by the client, never used).
    const consumer = new KafkaConsumerClient({
      bootstrapServers: o.bootstrapServers,
      groupId: `${o.applicationId}-control-reader`,
      clientId: `${o.applicationId}-${o.instanceId}-control`,
      pollTimeoutMs: 50,
      config: o.consumerConfig,
    });
    this.#consumer = consumer;
    await consumer.connect();
    const { high } = await consumer.watermarks(this.topic, 0);
    consumer.assignAt([{ topic: this.topic, partition: 0, offset: -2 }]);
    const deadline = Date.now() + 30_000;
    while ((consumer.position(this.topic, 0) ?? 0) < high && Date.now() < deadline) {
      this.#apply(await consumer.consumeBatch(500));
    }
    this.#schedule();
  }

  #schedule(): void {
    if (this.#closed) return;
    this.#timer = setTimeout(() => void this.#poll(), this.#options.pollIntervalMs ?? 250);
    this.#timer.unref();
  }

  async #poll(): Promise<void> {
    if (this.#closed || this.#polling || !this.#consumer) return;
    this.#polling = true;
    try {
      this.#apply(await this.#consumer.consumeBatch(100));
    } catch (e) {
      this.#options.logger.warn(`control topic ${this.topic}: ${(e as Error).message}`);
    } finally {
      this.#polling = false;
      this.#schedule();
    }
  }

  #apply(messages: readonly ConsumedMessage[]): void {
    for (const m of messages) {
      const key = m.key === null || m.key === undefined ? '' : m.key.toString();
      try {
        const value = m.value === null ? undefined : (JSON.parse(m.value.toString('utf8')) as unknown);
        if (key === ControlKeys.desiredState) this.desiredState = value as DesiredState | undefined;
        else if (key === ControlKeys.rewind) this.rewind = value as RewindCommand | undefined;
        else continue;
        this.version++;
      } catch (e) {
        this.#options.logger.warn(
          `control topic ${this.topic}: unreadable '${key}' record at ${m.offset}: ${(e as Error).message}`,
        );
      }
    }
  }

  /** The client id of the instance's group consumer, which is how the group (and an acknowledgement) names it. */
  get memberClientId(): string {
    return `${this.#options.applicationId}-${this.#options.instanceId}-consumer`;
  }

  /**
   * Tells whoever paused the application that this instance has paused and committed (see {@link PauseAck}). A
   * failure is logged, not thrown: the issuer waits for the acknowledgement and names the instance if it never comes.
   */
  async acknowledgePause(pausedAt: number): Promise<void> {
    const o = this.#options;
    const ack: PauseAck = { clientId: this.memberClientId, pausedAt, at: Date.now() };
    let failed: Error | undefined;
    try {
      if (!this.#producer) {
        const producer = new KafkaProducerClient({
          bootstrapServers: o.bootstrapServers,
          clientId: `${o.applicationId}-${o.instanceId}-control-ack`,
          config: o.producerConfig,
          onDelivery: (r) => {
            if (r.error) failed ??= r.error;
          },
        });
        await producer.connect();
        this.#producer = producer;
      }
      this.#producer.produce(
        this.topic,
        0,
        Buffer.from(JSON.stringify(ack)),
        Buffer.from(`${ControlKeys.pauseAckPrefix}${ack.clientId}`),
        ack.at,
      );
      await this.#producer.flush();
      if (failed) throw failed;
    } catch (e) {
      o.logger.warn(`control topic ${this.topic}: could not acknowledge the pause: ${(e as Error).message}`);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    while (this.#polling) await new Promise((r) => setTimeout(r, 10));
    await this.#consumer?.disconnect().catch(() => undefined);
    this.#consumer = undefined;
    await this.#producer?.disconnect().catch(() => undefined);
    this.#producer = undefined;
  }
}

/** Creates the control topic (one compacted partition) unless it exists. */
export async function ensureControlTopic(admin: KafkaAdmin, topic: string, replicationFactor: number): Promise<void> {
  if (await admin.topicExists(topic)) return;
  await admin.createTopics([{ topic, partitions: 1, replicationFactor, config: { 'cleanup.policy': 'compact' } }]);
}
