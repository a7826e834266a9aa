#!/usr/bin/env node
// The installed `sekisho` command: Node 22.18+ runs the TypeScript sources directly.
await import('../src/cli/main.ts');
