import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pageShellOf } from '../web/page-shell-config.ts';
import { loadConfig, redactConfig } from './load.ts';

const dir = mkdtempSync(join(tmpdir(), 'sekisho-branding-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(32)]);
const SVG = '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"></svg>';

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

function load(overrides: Record<string, unknown>) {
  return loadConfig({ env: {}, overrides: { secret: 'x'.repeat(32), ...overrides } });
}

/** The problems a config has, or [] when it loads. */
function problems(overrides: Record<string, unknown>): string[] {
  const result = load(overrides);
  return result.ok ? [] : result.errors;
}

describe('branding and timeZone', () => {
  it('defaults: no branding, Asia/Tokyo', () => {
    const result = load({});
    if (!result.ok) throw new Error(result.errors.join('\n'));
    expect(result.config.branding).toEqual({});
    expect(result.config.timeZone).toBe('Asia/Tokyo');
  });

  it('takes a name and help-desk line as one string or { ja, en }, a PNG or SVG logo and a forgotten-password URL', () => {
    const result = load({
      branding: {
        name: '株式会社サンプル',
        helpDesk: { ja: '内線 1234', en: 'ext. 1234' },
        logo: file('logo.png', PNG),
        forgotPasswordUrl: '/password/reset',
      },
      timeZone: 'UTC',
    });
    if (!result.ok) throw new Error(result.errors.join('\n'));
    expect(result.config.branding.helpDesk).toEqual({ ja: '内線 1234', en: 'ext. 1234' });
    expect(problems({ branding: { logo: file('logo.svg', SVG) } })).toEqual([]);
    expect(problems({ branding: { forgotPasswordUrl: 'https://id.example.co.jp/reset' } })).toEqual([]);
  });

  it('reads the logo once, when the config is loaded: the page shell serves those bytes, the log line names the path', () => {
    const path = file('read-once.svg', SVG);
    const result = load({ branding: { logo: path } });
    if (!result.ok) throw new Error(result.errors.join('\n'));
    rmSync(path);
    const shell = pageShellOf(result.config);
    expect(shell.logo?.type).toBe('image/svg+xml');
    expect(shell.logo?.body.toString('utf8')).toBe(SVG);
    expect(JSON.parse(JSON.stringify(redactConfig(result.config))).branding).toEqual({ logo: path });
  });

  it('names the key of every bad value', () => {
    const errors = problems({
      branding: {
        name: '',
        helpDesk: {},
        forgotPasswordUrl: 'javascript:alert(1)',
        colour: 'red',
      },
      timeZone: 'Tokyo',
    });
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^config: branding\.name: /),
        expect.stringMatching(/^config: branding\.helpDesk: /),
        'config: branding.forgotPasswordUrl: must be an http(s) URL or an absolute path',
        'config: branding.colour: unrecognized key',
        'config: timeZone: must be an IANA time zone such as Asia/Tokyo',
      ]),
    );
  });

  it('refuses a logo that is missing, empty, too large, of another kind, or an SVG with a script', () => {
    const logoProblem = (path: string) => problems({ branding: { logo: path } });
    const missing = join(dir, 'missing.png');
    expect(logoProblem(missing)).toEqual([`config: branding.logo: cannot read ${missing} (ENOENT)`]);
    const empty = file('empty.svg', '');
    expect(logoProblem(empty)).toEqual([`config: branding.logo: ${empty} is empty`]);
    const huge = file('huge.png', Buffer.concat([PNG, Buffer.alloc(600 * 1024)]));
    expect(logoProblem(huge)).toEqual([`config: branding.logo: ${huge} is larger than 512 KiB`]);
    const jpeg = file('logo.jpg', Buffer.from([0xff, 0xd8, 0xff, 0xe0]));
    expect(logoProblem(jpeg)).toEqual([`config: branding.logo: must be a .png or .svg file (got ${jpeg})`]);
    const fakePng = file('fake.png', SVG);
    expect(logoProblem(fakePng)).toEqual([`config: branding.logo: ${fakePng} is not a PNG image`]);
    const notSvg = file('text.svg', 'hello');
    expect(logoProblem(notSvg)).toEqual([`config: branding.logo: ${notSvg} is not an SVG image`]);
    for (const active of [
      '<svg><script>alert(1)</script></svg>',
      '<svg onload="alert(1)"></svg>',
      '<svg><a href="javascript:alert(1)">x</a></svg>',
      '<svg><foreignObject><div></div></foreignObject></svg>',
    ]) {
      const path = file('active.svg', active);
      expect(logoProblem(path)).toEqual([
        `config: branding.logo: ${path} must not contain scripts (<script>, on… attributes, javascript: links)`,
      ]);
    }
    expect(logoProblem(dir)).toEqual([`config: branding.logo: cannot read ${dir} (EISDIR)`]);
  });
});
