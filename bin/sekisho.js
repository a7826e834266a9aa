#!/usr/bin/env node
// The installed `sekisho` command: the compiled entry point where the build put one beside the
// sources (the container image), else the TypeScript sources, which Node 22.18+ runs directly.
// Plain JavaScript that any Node parses, so that an older one can say what it needs.
import { existsSync } from 'node:fs';
import process from 'node:process';
import { URL } from 'node:url';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write(
    `sekisho: needs Node 22.18 or later (this is ${process.versions.node}); ` +
      'in the project, `npx sekisho …` or `npm run -s sekisho -- …` bring the pinned Node (after `npm ci`)\n',
  );
  process.exit(1);
}

const compiled = new URL('../src/cli/main.js', import.meta.url);
await import(existsSync(compiled) ? compiled.href : '../src/cli/main.ts');
