import type { Registry } from 'prom-client';
import type { StreamsConfig } from '../config/streams-config.js';
import type { StreamsState } from '../runtime/streams-state.js';
import { applicationActions } from './application-actions.js';
import { serveDashboardAsset } from './dashboard-assets.js';
import type { ServedInstance } from './observability-server.js';

/** What differs between the server of one thread's instance and that of an instance with stream threads. */
export interface ServedParts {
  readonly registry: Registry;
  state(): StreamsState;
  ready(): boolean | Promise<boolean>;
  status(): unknown;
  scrape?(): Promise<string>;
  pause(): void;
  resume(): void;
}

/** What the server serves of an instance: its parts, plus liveness, the application's actions and the dashboard. */
export function servedInstance(config: StreamsConfig, parts: ServedParts): ServedInstance {
  return {
    registry: parts.registry,
    logger: config.logger,
    live: () => {
      const s = parts.state();
      return s !== 'ERROR' && s !== 'PENDING_ERROR' && s !== 'NOT_RUNNING';
    },
    ready: () => parts.ready(),
    status: () => parts.status(),
    ...(parts.scrape ? { scrape: () => parts.scrape!() } : {}),
    pause: () => parts.pause(),
    resume: () => parts.resume(),
    application: applicationActions({
      applicationId: config.applicationId,
      bootstrapServers: config.bootstrapServers,
      clientConfig: config.adminConfig,
      by: `${config.applicationId}-${config.instanceId} (/api/control)`,
    }),
    page: serveDashboardAsset,
  };
}
