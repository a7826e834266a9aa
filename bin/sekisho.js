#!/usr/bin/env node
// The installed `sekisho` command: the compiled entry point where the build put one beside the
// sources (the container image), else the TypeScript sources, which Node 22 runs directly.
import { existsSync } from 'node:fs';
import { URL } from 'node:url';

const compiled = new URL('../src/cli/main.js', import.meta.url);
await import(existsSync(compiled) ? compiled.href : '../src/cli/main.ts');
