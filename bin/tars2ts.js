#!/usr/bin/env node
// Runs the compiled tars2ts CLI (`npm run build` puts it in dist/).
import { main } from '../dist/src/cli/tars2ts.js';

process.exitCode = main(process.argv.slice(2));
