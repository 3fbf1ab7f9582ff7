/**
 * Layer rules of tars-ws (docs/ARCHITECTURE.md). `npm run lint` runs them; a violation names its rule.
 *   tars      src/tars/**                     the Tars runtime: imports nothing outside itself
 *   core      gateway, protocol, http, store, broker, stats, config, history, presence, errors, logger, types
 *   backends  src/redis, src/nats, src/file, src/cluster: the core's interfaces only, never each other
 *   platform  src/platform/**, src/cli/**, src/index.ts: composition, the only layer that knows every backend
 */
const CORE =
  '^src/(gateway|protocol|http|store|broker|stats|config|history|presence)/|^src/(errors|logger|types)\\.ts$';
const BACKENDS = '^src/(redis|nats|file|cluster)/';
const PLATFORM = '^src/(platform|cli)/|^src/index\\.ts$';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'Import cycles hide the layering and break partial loading: move the shared part into its own module.',
      from: { path: '^(src|examples|bench)/' },
      to: { circular: true },
    },
    {
      name: 'tars-is-self-contained',
      severity: 'error',
      comment:
        'src/tars/ is a Tars runtime of its own (codec, idl, codegen, packet, rpc): it imports nothing else of ours.',
      from: { path: '^src/tars/' },
      to: { path: '^src/', pathNot: '^src/tars/' },
    },
    {
      name: 'core-knows-no-backend',
      severity: 'error',
      comment:
        'The core sees RoomStore/Broker/StatStore interfaces only; backends and composition live above it.',
      from: { path: CORE },
      to: { path: `${BACKENDS}|${PLATFORM}` },
    },
    {
      name: 'core-loads-no-backend-client',
      severity: 'error',
      comment: 'ioredis, nats and proper-lockfile are loaded by their backend only, when configured.',
      from: { path: CORE },
      to: { path: 'node_modules/(ioredis|nats|proper-lockfile)/' },
    },
    {
      name: 'backends-see-the-core-only',
      severity: 'error',
      comment: 'A backend implements core interfaces; it never imports the composition layer.',
      from: { path: BACKENDS },
      to: { path: PLATFORM },
    },
    {
      name: 'backends-are-independent',
      severity: 'error',
      comment: 'One backend never imports another (the composition layer combines them).',
      from: { path: '^src/(redis|nats|file|cluster)/' },
      to: { path: BACKENDS, pathNot: '^src/$1/' },
    },
    {
      name: 'backends-load-when-configured',
      severity: 'error',
      comment:
        'The composition layer loads redis, nats and file backends with a dynamic import() (or types only), so a memory-only gateway never loads their clients.',
      from: { path: PLATFORM },
      to: { path: '^src/(redis|nats|file)/', dependencyTypesNot: ['dynamic-import', 'type-only'] },
    },
    {
      name: 'examples-use-the-public-api',
      severity: 'error',
      comment:
        'Examples and benchmarks import the package entries (src/index.ts, src/tars/index.ts), not internals.',
      from: { path: '^examples/' },
      to: { path: '^src/', pathNot: '^src/(index|tars/index)\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '(^|/)(dist|node_modules)/' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
    },
  },
};
