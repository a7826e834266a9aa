import { bundleGateway } from '../scripts/bundle.ts';

/**
 * Builds the bench gateway as the container image ships the gateway (scripts/bundle.ts: bundled,
 * minified, ASCII-only, no type stripping at run time) into dist/bench/, and returns it. The
 * chunks find views/ and migrations/ from the project's root, as the image's do from /app.
 */
export async function compileGateway(): Promise<URL> {
  await bundleGateway('bench/gateway-server.ts', 'dist/bench/gateway-server.js');
  return new URL('../dist/bench/gateway-server.js', import.meta.url);
}
