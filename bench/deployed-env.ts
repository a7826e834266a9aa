import { readFileSync } from 'node:fs';

/** The variables that tune the gateway's memory, as the Dockerfile sets them. */
const tuning = /^(MALLOC_[A-Z_]+|NODE_OPTIONS)$/;

/**
 * The memory-tuning environment of the deployed gateway, read from the Dockerfile's `ENV`
 * instructions so that the bench measures what ships: `ENV A=1 \` continuation lines included.
 */
export function deployedEnv(dockerfile = new URL('../Dockerfile', import.meta.url)): Record<string, string> {
  const text = readFileSync(dockerfile, 'utf8').replace(/\\\r?\n/g, ' ');
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const instruction = /^\s*ENV\s+(.*)$/i.exec(line);
    if (!instruction?.[1]) continue;
    for (const pair of instruction[1].trim().split(/\s+/)) {
      const eq = pair.indexOf('=');
      const key = pair.slice(0, eq);
      if (eq <= 0 || !tuning.test(key)) continue;
      const value = pair.slice(eq + 1);
      // Values are read as single words; a quoted one (spaces inside) would be split wrongly.
      if (/["']/.test(value))
        throw new Error(`Dockerfile ENV ${key}: quoted values are not read here; write it unquoted`);
      env[key] = value;
    }
  }
  return env;
}

/**
 * The V8 flags the image gives Node on its command line (the Dockerfile's `ENTRYPOINT ["node",
 * …flags, "src/cli/main.js"]`), which NODE_OPTIONS would not accept, so that the bench starts the
 * gateway with them too.
 */
export function deployedNodeArgs(dockerfile = new URL('../Dockerfile', import.meta.url)): string[] {
  const text = readFileSync(dockerfile, 'utf8');
  const entrypoint = /^\s*ENTRYPOINT\s+(\[.*\])\s*$/im.exec(text)?.[1];
  if (!entrypoint) throw new Error('Dockerfile: no ENTRYPOINT in exec form (["node", …])');
  const [command, ...rest] = JSON.parse(entrypoint) as string[];
  if (command !== 'node') throw new Error(`Dockerfile ENTRYPOINT: runs ${command}, not node`);
  const flags: string[] = [];
  for (const arg of rest) {
    if (!arg.startsWith('-')) break;
    flags.push(arg);
  }
  return flags;
}
