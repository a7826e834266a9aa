import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuthMethod, AuthPlugin, ChallengeRequest } from '../../src/plugin-api.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** A plugin, created against real core plumbing, plus the plugin-specific way to learn the right answer. */
export interface PluginHarness {
  readonly plugin: AuthPlugin;
  readonly method: AuthMethod;
  readonly request: ChallengeRequest;
  /** The answer a real user would give for the live challenge (read from a fake device, SMS sandbox, …). */
  rightAnswer(): Promise<Record<string, string>>;
  readonly wrongAnswer: Record<string, string>;
  dispose(): Promise<void>;
}

/** What every authentication plugin must do, whatever its method. */
export function runPluginContract(name: string, makeHarness: () => Promise<PluginHarness>): void {
  describe(`plugin contract: ${name}`, () => {
    let h: PluginHarness;
    beforeEach(async () => {
      h = await makeHarness();
    });
    afterEach(async () => h.dispose());

    it('names itself as rules do and speaks Japanese and English alike', () => {
      expect(h.plugin.name).toMatch(/^[A-Z][A-Z0-9_]*$/);
      for (const alias of h.plugin.aliases) expect(alias).toMatch(/^[A-Z][A-Z0-9_]*$/);
      expect(Object.keys(h.plugin.messages.en).sort()).toEqual(Object.keys(h.plugin.messages.ja).sort());
      expect(h.plugin.messages.ja.title).toBeTruthy();
      expect(h.plugin.messages.ja.methodName).toBeTruthy();
    });

    it('accepts an empty config section and refuses an unknown key', () => {
      expect(h.plugin.configSchema.safeParse({}).success).toBe(true);
      expect(h.plugin.configSchema.safeParse({ surelyNotAKey: 1 }).success).toBe(false);
    });

    it('starts a challenge whose page template exists, and shows the same one again', async () => {
      const started = await h.method.start({ ...h.request, resend: false });
      expect(started.kind).toBe('started');
      if (started.kind !== 'started') return;
      expect(existsSync(`${root}${started.view.template}.eta`)).toBe(true);
      const answer = await h.rightAnswer();
      const again = await h.method.start({ ...h.request, resend: false });
      expect(again.kind).toBe('started');
      expect(await h.rightAnswer()).toEqual(answer);
    });

    it('accepts the right answer once: a replay is refused', async () => {
      await h.method.start({ ...h.request, resend: false });
      const answer = await h.rightAnswer();
      expect((await h.method.verify({ ...h.request, answer })).kind).toBe('ok');
      expect((await h.method.verify({ ...h.request, answer })).kind).toBe('dead');
    });

    it('never accepts a wrong answer, nor an answer bound to another login flow', async () => {
      await h.method.start({ ...h.request, resend: false });
      const answer = await h.rightAnswer();
      expect((await h.method.verify({ ...h.request, answer: h.wrongAnswer })).kind).not.toBe('ok');
      const other = { ...h.request, flowId: `${h.request.flowId}-other` };
      expect((await h.method.verify({ ...other, answer })).kind).not.toBe('ok');
    });

    it('mounts its routes under /_sekisho/ only', () => {
      for (const route of h.method.routes ?? []) expect(route.path).toMatch(/^[a-z0-9][a-z0-9/:._-]*$/);
    });
  });
}
