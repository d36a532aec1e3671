import { defineConfig } from 'vitest/config';

// Two projects: fast unit tests beside the code (no broker), and broker tests in test/ that share one real Kafka
// broker started by the global setup (packages/testing). Tests run against sources: no build step.
export default defineConfig({
  // Vite resolves tests' imports as SSR: the condition must be set for SSR too, or the packages' `default` (dist/,
  // which exists only after a build) would be loaded instead of the sources.
  resolve: { conditions: ['kaskade-source'] },
  ssr: { resolve: { conditions: ['kaskade-source'], externalConditions: ['kaskade-source'] } },
  environments: { __vitest__: { resolve: { conditions: ['kaskade-source'] } } },
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
