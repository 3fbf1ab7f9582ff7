#!/usr/bin/env node
// Runs the compiled tars-ws CLI (`npm run build` puts it in dist/): tars-ws start|deploy|tars2ts.
import { main } from '../dist/src/cli/tars-ws.js';

process.exitCode = await main(process.argv.slice(2));
