// kaskade — the one entry point an application imports: the public API of every Kaskade package, re-exported.
// Each package's own barrel is the explicit list of its public names; this module is their union. A name that two
// packages export would be a compile error here (TS2308), so the union cannot silently pick one.
export * from '@kaskade/processor-api';
export * from '@kaskade/state-store';
export * from '@kaskade/core';
export * from '@kaskade/dsl';
export * from '@kaskade/schema-registry';
