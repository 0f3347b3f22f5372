/**
 * Node built-ins loaded on demand, so that browser bundles that never call the file helpers do not try to
 * resolve them (the magic comments keep webpack and Vite from bundling these imports).
 *
 * @module
 */

/** `node:fs/promises`, imported dynamically. */
export async function importNodeFs(): Promise<typeof import('node:fs/promises')> {
  return import(/* webpackIgnore: true */ /* @vite-ignore */ 'node:fs/promises');
}

/** `node:path`, imported dynamically. */
export async function importNodePath(): Promise<typeof import('node:path')> {
  return import(/* webpackIgnore: true */ /* @vite-ignore */ 'node:path');
}
