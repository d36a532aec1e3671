// Foreign-key joins (KIP-213): describe() and outputs against Kafka Streams 4.3.1 for the same programs and inputs
// (conformance/src/main/java/conformance/Main.java: FK_INNER, FK_LEFT, fkInputs; the expected lines are its output),
// and the errors of bad arguments.
import { afterEach, describe, expect, it } from 'vitest';
import { TopologyError } from '@kaskade/processor-api';
import { planTopics } from '@kaskade/core/internal';
import { Consumed, Materialized, Produced, StreamsBuilder } from '@kaskade/dsl';
import { closeDriver, currentDriver, run } from './conformance-driver.js';
import { S } from './dsl-test-helpers.js';
import { KAFKA_STREAMS_DESCRIBE } from './kafka-streams-describe.expected.js';

afterEach(closeDriver);

/** Orders "product:qty" keyed by order id, joined to products by product id. */
const fkExtractor = (v: string) => v.split(':')[0]!;

const cases: { readonly [name: string]: (b: StreamsBuilder) => void } = {
  'fk-join-inner': (b) =>
    b
      .table('orders', Consumed.with(S, S))
      .join(b.table('products', Consumed.with(S, S)), fkExtractor, (o, p) => `${o}/${p}`)
      .toStream()
      .to('out', Produced.with(S, S)),
  'fk-join-left': (b) =>
    b
      .table('orders', Consumed.with(S, S))
      .leftJoin(b.table('products', Consumed.with(S, S)), fkExtractor, (o, p) => `${o}/${p === null ? 'null' : p}`)
      .toStream()
      .to('out', Produced.with(S, S)),
  'fk-join-materialized-then-filter': (b) =>
    b
      .table('orders', Consumed.with(S, S))
      .join(
        b.table('products', Consumed.with(S, S)),
        fkExtractor,
        (o, p) => `${o}/${p}`,
        Materialized.as<string, string>('fk-result').withValueSerde(S),
      )
      .filter((_k, v) => v.length > 3)
      .toStream()
      .to('out', Produced.with(S, S)),
  'fk-join-then-join': (b) => {
    const joined = b
      .table('orders', Consumed.with(S, S))
      .leftJoin(b.table('products', Consumed.with(S, S)), fkExtractor, (o, p) => `${o}/${String(p)}`);
    b.stream('s', Consumed.with(S, S))
      .join(joined, (x, y) => `${x}:${y}`)
      .to('out', Produced.with(S, S));
  },
};

describe('foreign-key joins as Kafka Streams 4.3.1 describes them (KTableImpl.doJoinOnForeignKey)', () => {
  for (const [name, build] of Object.entries(cases)) {
    it(`should describe the ${name} topology byte for byte as Kafka Streams does`, () => {
      const builder = new StreamsBuilder();
      build(builder);
      expect(builder.build().describe().toString()).toBe(KAFKA_STREAMS_DESCRIBE[name]);
    });
  }
});

describe('foreign-key join outputs as Kafka Streams 4.3.1 computes them', () => {
  it('should keep an inner join consistent under updates, foreign key changes and deletes of both sides', () => {
    const expected = [
      'orders o1=p1:1@1 ->',
      'products p1=P1@2 -> o1=p1:1/P1@2',
      'orders o2=p1:2@3 -> o2=p1:2/P1@3',
      'products p1=P1b@4 -> o1=p1:1/P1b@4 o2=p1:2/P1b@4',
      'orders o1=p2:3@5 -> o1=null@5',
      'products p2=P2@6 -> o1=p2:3/P2@6',
      'orders o1=p2:4@7 -> o1=p2:4/P2@7',
      'products p1=null@8 -> o2=null@8',
      'orders o2=null@9 -> o2=null@9',
      'orders o3=p3:1@10 ->',
      'products p2=null@11 -> o1=null@11',
      'products p2=P2b@12 -> o1=p2:4/P2b@12',
      'orders o1=p1:5@13 -> o1=null@13',
      'orders o4=p2:1@14 -> o4=p2:1/P2b@14',
      'orders o4=null@15 -> o4=null@15',
      'orders o5=p2:2@16 -> o5=p2:2/P2b@16',
      'orders o5=p2:2@17 -> o5=p2:2/P2b@17',
    ];
    expect(run(cases['fk-join-inner']!, expected)).toEqual(expected);
  });

  it('should keep a left join consistent under updates, foreign key changes and deletes of both sides', () => {
    const expected = [
      'orders o1=p1:1@1 -> o1=p1:1/null@1',
      'products p1=P1@2 -> o1=p1:1/P1@2',
      'orders o2=p1:2@3 -> o2=p1:2/P1@3',
      'products p1=P1b@4 -> o1=p1:1/P1b@4 o2=p1:2/P1b@4',
      'orders o1=p2:3@5 -> o1=p2:3/null@5',
      'products p2=P2@6 -> o1=p2:3/P2@6',
      'orders o1=p2:4@7 -> o1=p2:4/P2@7',
      'products p1=null@8 -> o2=p1:2/null@8',
      'orders o2=null@9 -> o2=null@9',
      'orders o3=p3:1@10 -> o3=p3:1/null@10',
      'products p2=null@11 -> o1=p2:4/null@11',
      'products p2=P2b@12 -> o1=p2:4/P2b@12',
      'orders o1=p1:5@13 -> o1=p1:5/null@13',
      'orders o4=p2:1@14 -> o4=p2:1/P2b@14',
      'orders o4=null@15 -> o4=null@15',
      'orders o5=p2:2@16 -> o5=p2:2/P2b@16',
      'orders o5=p2:2@17 -> o5=p2:2/P2b@17',
    ];
    expect(run(cases['fk-join-left']!, expected)).toEqual(expected);
  });

  it('should keep the results in the Materialized store, queryable by primary key', () => {
    const build = (b: StreamsBuilder) =>
      b
        .table('orders', Consumed.with(S, S))
        .join(
          b.table('products', Consumed.with(S, S)),
          fkExtractor,
          (o, p) => `${o}/${p}`,
          Materialized.as<string, string>('fk-result').withKeySerde(S).withValueSerde(S),
        )
        .toStream()
        .to('out', Produced.with(S, S));
    run(build, ['products p1=P1@1 -> o1=p1:1/P1@2', 'orders o1=p1:1@2 -> o1=p1:1/P1@2', 'orders o2=p9:1@3 ->']);
    const store = currentDriver().getKeyValueStore<string, { value: string }>('fk-result')!;
    expect(store.get('o1')?.value).toBe('p1:1/P1');
    expect(store.get('o2')).toBeUndefined();
  });

  /** Foreign key null for the value "none". */
  const nullable = (join: 'join' | 'leftJoin') => (b: StreamsBuilder) => {
    const orders = b.table('orders', Consumed.with(S, S));
    const products = b.table('products', Consumed.with(S, S));
    const extractor = (v: string) => (v === 'none' ? null : v);
    const joined =
      join === 'join'
        ? orders.join(products, extractor, (o, p) => `${o}/${p}`)
        : orders.leftJoin(products, extractor, (o, p) => `${o}/${p === null ? 'null' : p}`);
    joined.toStream().to('out', Produced.with(S, S));
  };

  it('should join a left row with a null foreign key to null in a left join (KIP-962)', () => {
    const expected = [
      'orders o1=none@1 -> o1=none/null@1',
      'orders o2=p1@2 -> o2=p1/null@2',
      'products p1=P1@3 -> o2=p1/P1@3',
      'orders o2=none@4 -> o2=none/null@4',
      'orders o1=p1@5 -> o1=p1/P1@5',
      'orders o1=null@6 -> o1=null@6',
    ];
    expect(run(nullable('leftJoin'), expected)).toEqual(expected);
  });

  it('should join nothing for a null foreign key in an inner join, and unset the result of the old one', () => {
    const expected = [
      'orders o1=none@1 ->',
      'orders o2=p1@2 ->',
      'products p1=P1@3 -> o2=p1/P1@3',
      'orders o2=none@4 -> o2=null@4',
      'orders o1=p1@5 -> o1=p1/P1@5',
      'orders o1=null@6 -> o1=null@6',
    ];
    expect(run(nullable('join'), expected)).toEqual(expected);
  });
});

describe('foreign-key join serdes', () => {
  // Not a conformance case: the same steps as the start of fk-join-inner-updates, through default serdes.
  it('should work with the default serdes and a derived left table (mapValues, no serde given)', () => {
    const build = (b: StreamsBuilder) =>
      b
        .table<string, string>('orders')
        .mapValues((v) => v.toUpperCase())
        .join(
          b.table<string, string>('products'),
          (v) => v.split(':')[0]!.toLowerCase(),
          (o, p) => `${o}/${p}`,
        )
        .toStream()
        .to('out');
    const expected = [
      'products p1=P1@1 ->',
      'orders o1=p1:1@2 -> o1=P1:1/P1@2',
      'orders o1=p1:2@3 -> o1=P1:2/P1@3',
      'products p1=P1b@4 -> o1=P1:2/P1b@4',
    ];
    expect(run(build, expected, { defaultKeySerde: S, defaultValueSerde: S })).toEqual(expected);
  });
});

describe('foreign-key join topics', () => {
  it('should partition subscriptions like the right table and responses like the left table', () => {
    const builder = new StreamsBuilder();
    cases['fk-join-inner']!(builder);
    const plan = planTopics(
      builder.build(),
      'app',
      new Map([
        ['orders', 3],
        ['products', 2],
        ['out', 1],
      ]),
      1,
    );
    expect(plan.partitionCounts.get('app-KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-0000000006-topic')).toBe(2);
    expect(plan.partitionCounts.get('app-KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-0000000014-topic')).toBe(3);
    expect(plan.tasksPerSubtopology).toEqual(
      new Map([
        [0, 3],
        [1, 2],
      ]),
    );
  });
});

describe('foreign-key join arguments', () => {
  it('should refuse a right side that is not a KTable of the same builder', () => {
    const b = new StreamsBuilder();
    const orders = b.table('orders', Consumed.with(S, S));
    const other = new StreamsBuilder().table('products', Consumed.with(S, S));
    expect(() => orders.join(other, fkExtractor, (o, p) => o + p)).toThrow(TopologyError);
    expect(() => orders.join(other, fkExtractor, (o, p) => o + p)).toThrow(/same StreamsBuilder/);
  });

  it('should refuse a fourth argument that is not a Materialized', () => {
    const b = new StreamsBuilder();
    const orders = b.table('orders', Consumed.with(S, S));
    const products = b.table('products', Consumed.with(S, S));
    const bad = {} as unknown as Materialized<string, string>;
    expect(() => orders.leftJoin(products, fkExtractor, (o, p) => o + String(p), bad)).toThrow(/Materialized/);
  });
});
