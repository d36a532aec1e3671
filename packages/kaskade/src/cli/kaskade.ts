#!/usr/bin/env node
// The `kaskade` command (the package's bin). Everything else lives in run-cli.ts, so tests run it in-process.
import { runCli } from './run-cli.js';

process.exitCode = await runCli(process.argv.slice(2));
