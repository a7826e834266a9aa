/**
 * Runs the load generator (generator.ts) in its own process, pinned by the parent: options come
 * over IPC (a thousand cookies are too long for argv), the result goes back the same way.
 */
import { generate, type GeneratorOptions } from './generator.ts';

process.once('message', (message) => {
  generate(message as GeneratorOptions).then(
    (result) => process.send?.(result, () => process.exit(0)),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
});
