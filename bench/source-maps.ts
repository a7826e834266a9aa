import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

/** A position in a file: its URL, zero-based line and column. */
export interface Position {
  readonly url: string;
  readonly line: number;
  readonly column: number;
}

/**
 * Positions in the bundled gateway as positions in the files they came from (scripts/bundle.ts
 * writes a source map beside each chunk), so that profiles and instruction counts name
 * `src/…`, `plugins/…` and `node_modules/<package>/…` as they did before the bundle. Code
 * without a map beside it (Node's own, the TypeScript sources) keeps its position.
 */
export class OriginalPositions {
  private readonly maps = new Map<string, SourceMap | undefined>();

  find(position: Position): Position {
    const entry = this.mapOf(position.url)?.findEntry(position.line, position.column);
    if (!entry || !('originalSource' in entry)) return position;
    return {
      url: new URL(entry.originalSource, position.url).href,
      line: entry.originalLine,
      column: entry.originalColumn,
    };
  }

  /**
   * A `--perf-basic-prof` name (`JS:*route file:///…/chunk.js:1:2345`, one-based line and column)
   * with its location in the original file.
   */
  rename(name: string): string {
    const located = /^(.* )(file:\/\/\/\S+):(\d+):(\d+)$/.exec(name);
    if (!located) return name;
    const [, head = '', url = '', line = '', column = ''] = located;
    const found = this.find({ url, line: Number(line) - 1, column: Number(column) - 1 });
    return found.url === url ? name : `${head}${found.url}:${found.line + 1}:${found.column + 1}`;
  }

  private mapOf(url: string): SourceMap | undefined {
    if (this.maps.has(url)) return this.maps.get(url);
    let map: SourceMap | undefined;
    if (url.startsWith('file:') && url.endsWith('.js')) {
      const file = `${fileURLToPath(url)}.map`;
      if (existsSync(file)) map = new SourceMap(JSON.parse(readFileSync(file, 'utf8')) as never);
    }
    this.maps.set(url, map);
    return map;
  }
}
