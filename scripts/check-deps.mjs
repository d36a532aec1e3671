#!/usr/bin/env node
// Fails when a package imports upward or sideways (see ../shared/docs/ARCHITECTURE.md), when anything imports
// another package's internals other than through its `./internal` subpath (which only Kaskade's own packages, tests
// and benchmarks may use — never examples/, which show what users write), or when a module other than core's Kafka
// client adapter imports the Kafka client.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const order = ['processor-api', 'state-store', 'core', 'dsl', 'schema-registry', 'testing', 'kaskade'];
// Where `@kaskade/<pkg>/internal` may be imported from (besides the packages themselves).
const internalImporters = ['test', 'bench'];
const root = new URL('..', import.meta.url).pathname;
const allowedClientImporters = [/^packages\/core\/src\/kafka\//];
const problems = [];

function* files(dir) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* files(p);
    else if (/\.(ts|mts|js|mjs)$/.test(name)) yield p;
  }
}

const importRe = /(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
for (const top of ['packages', 'test', 'examples', 'bench']) {
  let dir;
  try {
    dir = join(root, top);
    statSync(dir);
  } catch {
    continue;
  }
  for (const file of files(dir)) {
    const rel = relative(root, file);
    const own = rel.startsWith('packages/') ? rel.split('/')[1] : undefined;
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(importRe)) {
      const spec = m[1] ?? m[2];
      if (spec === '@confluentinc/kafka-javascript' && !allowedClientImporters.some((r) => r.test(rel))) {
        problems.push(`${rel}: imports the Kafka client directly; use @kaskade/core's Kafka client adapter`);
      }
      // `kaskade` (the entry point) and `@kaskade/<pkg>` are the same layer scheme: name → package directory.
      const km = /^(?:@kaskade\/([^/]+)|(kaskade))(\/.*)?$/.exec(spec);
      if (!km) {
        if (own && spec.startsWith('.') && spec.includes('../../')) {
          const target = relative(root, join(file, '..', spec));
          if (target.startsWith('packages/') && target.split('/')[1] !== own) {
            problems.push(`${rel}: reaches into another package by relative path (${spec})`);
          }
        }
        continue;
      }
      const pkg = km[1] ?? km[2];
      const sub = km[3];
      const publicSubpaths = pkg === 'kaskade' ? ['/testing'] : [];
      if (sub === '/internal') {
        if (!own && !internalImporters.includes(rel.split('/')[0])) {
          problems.push(`${rel}: imports ${spec}, which is internal to Kaskade; use the public entry point`);
        }
      } else if (sub && !publicSubpaths.includes(sub)) {
        problems.push(`${rel}: imports ${spec}; import the package's public entry point (or its /internal subpath)`);
      }
      if (!own) continue;
      if (pkg === own) {
        problems.push(`${rel}: imports its own package by name (${spec}); use a relative path`);
      } else if (order.indexOf(pkg) > order.indexOf(own)) {
        problems.push(`${rel}: @kaskade/${own} may not import @kaskade/${pkg} (packages import only downward)`);
      }
    }
  }
}
if (problems.length) {
  console.error(`dependency direction check failed:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log('dependency direction ok');
