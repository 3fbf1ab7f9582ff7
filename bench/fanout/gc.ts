/**
 * A full garbage collection on demand in the load generator. The previous run leaves a thousand dead clients
 * behind; collecting them before a phase keeps that pause out of the next run's figures.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

// This exposes gc() without restarting node with --expose-gc.
setFlagsFromString('--expose-gc');
export const collectGarbage = runInNewContext('gc') as () => void;
