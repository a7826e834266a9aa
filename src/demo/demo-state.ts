import { fileURLToPath } from 'node:url';

/** Where the running demo leaves its embedded database address for the CLI. */
export const demoStatePath = fileURLToPath(new URL('../../.sekisho-demo/state.json', import.meta.url));
