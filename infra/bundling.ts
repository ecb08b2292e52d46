import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BuildOptions } from 'esbuild';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * How every function is bundled, in one place: `NotifierFunction` hands these to CDK's esbuild, and the
 * bundle bench (test/bench/bundles.ts) builds with `esbuildOptions`, so what is measured is what deploys.
 */
export const BUNDLING = {
  format: 'esm',
  target: 'node24',
  platform: 'node',
  minify: true,
  sourceMap: true,
  mainFields: ['module', 'main'],
  /**
   * The AWS SDK is the Lambda runtime's (CDK's default from Node 18; said here so nobody takes it for the
   * lockfile's): bundled, it adds 350-430 KB to each function, twice all the rest. The tests run the
   * lockfile's SDK, the functions whatever version the runtime ships.
   */
  externalModules: ['@aws-sdk/*'],
  // Some dependencies are CommonJS and call require(); give the ESM bundle one.
  banner: "import { createRequire } from 'node:module';const require = createRequire(import.meta.url);",
  /** Built-ins imported through require() rather than import: see infra/node-http.cjs. */
  alias: { 'node:http': './infra/node-http.cjs' },
  /** The pages' stylesheet and script, read at cold start from `assets/` beside the bundle. */
  assets: { from: 'shared/templates/assets', to: 'assets' },
  /** CDK names an ESM bundle `index.mjs`. */
  outFile: 'index.mjs',
  /** The function's NODE_OPTIONS: stack traces point into the TypeScript sources. */
  nodeOptions: '--enable-source-maps',
} as const;

/**
 * The esbuild options CDK's NodejsFunction derives from `BUNDLING` (its `buildEsbuildArgs`: `--bundle`,
 * `--platform=node`, the rest one flag each), for building the same bundle without CDK.
 */
export function esbuildOptions(entry: string, outDir: string): BuildOptions {
  return {
    // CDK runs esbuild in the project's root, where the alias paths start.
    absWorkingDir: ROOT,
    entryPoints: [entry],
    bundle: true,
    platform: BUNDLING.platform,
    format: BUNDLING.format,
    target: BUNDLING.target,
    outfile: join(outDir, BUNDLING.outFile),
    minify: BUNDLING.minify,
    sourcemap: BUNDLING.sourceMap,
    external: [...BUNDLING.externalModules],
    banner: { js: BUNDLING.banner },
    mainFields: [...BUNDLING.mainFields],
    alias: { ...BUNDLING.alias },
  };
}
