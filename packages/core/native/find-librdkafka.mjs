// Prints the directory of @confluentinc/kafka-javascript's own librdkafka build (headers in include/, librdkafka.so.1),
// for binding.gyp. Fails with a clear message when that package or its build is missing.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const pkg = dirname(createRequire(import.meta.url).resolve('@confluentinc/kafka-javascript/package.json'));
const deps = join(pkg, 'build', 'deps');
if (!existsSync(join(deps, 'include', 'librdkafka', 'rdkafka.h')) || !existsSync(join(deps, 'librdkafka.so.1'))) {
  process.stderr.write(
    `no librdkafka headers and library in ${deps}: Kaskade's addon links the librdkafka that ` +
      '@confluentinc/kafka-javascript builds from source, and a prebuilt client brings none (reinstall it from ' +
      'source: npm install --build-from-source=@confluentinc/kafka-javascript, then npm rebuild @kaskade/core)\n',
  );
  process.exit(1);
}
process.stdout.write(deps);
