import { defaultExternalConditions, defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

// Three projects: fast unit tests beside the code (no broker), type-level tests (*.test-d.ts), and broker tests in
// test/ that share one real Kafka broker started by the global setup (packages/testing). Tests run against sources: no build step.
export default defineConfig({
  // The workspace runs on sources: the `kaskade-source` export condition picks each package's src/ over its dist/.
  // Tests run in Vite's server-side (node) environment, which reads `ssr.resolve`, not `resolve`.
  resolve: { conditions: ['kaskade-source'] },
  ssr: {
    resolve: {
      conditions: ['kaskade-source', ...defaultServerConditions],
      externalConditions: ['kaskade-source', ...defaultExternalConditions],
    },
  },
  // The broker project's global setup runs in vitest's own environment, which reads neither.
  environments: { __vitest__: { resolve: { conditions: ['kaskade-source', ...defaultServerConditions] } } },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts', 'examples/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        // Type-level tests (*.test-d.ts): checked by tsc through vitest's typecheck, never executed.
        extends: true,
        test: {
          name: 'types',
          include: [],
          typecheck: {
            enabled: true,
            only: true,
            include: ['packages/*/src/**/*.test-d.ts'],
            tsconfig: './tsconfig.json',
          },
        },
      },
      {
        extends: true,
        test: {
          name: 'broker',
          include: ['test/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          // Broker tests spawn processes and load the two cores; running files one at a time keeps them stable.
          fileParallelism: false,
        },
      },
    ],
  },
});
