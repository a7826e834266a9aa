import { join } from 'node:path';
import { projectRoot } from '../project-root.ts';

/** Where the running demo leaves its embedded database address for the CLI. */
export const demoStatePath = join(projectRoot, '.sekisho-demo', 'state.json');
