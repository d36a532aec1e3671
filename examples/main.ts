// The README's main job: the example that shows Kaskade best today — the order pipeline built with the DSL
// (validate with zod, deduplicate in a window store, enrich with a KTable join, transform). The DSL's other examples
// run on their own: `node --conditions=kaskade-source --import tsx examples/word-count.ts`, `node --conditions=kaskade-source --import tsx examples/page-views.ts`.
import { main } from './pipeline.js';

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
