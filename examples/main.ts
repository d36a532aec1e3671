// The README's main job: the example that shows Kaskade best today.
import { main } from './orders-processor-api.js';

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
