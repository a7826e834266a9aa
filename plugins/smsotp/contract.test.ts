import { describe, expect, it } from 'vitest';
import { loadWithCore } from '../../test/fakes/core-host.ts';
import { codeIn, TEST_USER } from '../../test/fakes/smsotp-harness.ts';
import { runPluginContract } from '../../test/contracts/plugin-contract.ts';
import smsOtpPlugin from './index.ts';

/** The demo's shape: the sandbox provider, through the core's own plugin host. */
const sandboxConfig = {
  publicUrl: 'http://127.0.0.1:8080',
  sms: { provider: 'sandbox' as const, sandbox: { enabled: true, page: true } },
};

runPluginContract('SMSOTP', async () => {
  const loaded = await loadWithCore(smsOtpPlugin, sandboxConfig);
  const inbox = loaded.method.routes?.find((r) => r.path === 'sandbox/sms.json');
  const client = { ip: '192.0.2.1', userAgent: 'vitest', locale: 'ja' as const };
  return {
    plugin: smsOtpPlugin,
    method: loaded.method,
    request: { user: TEST_USER, flowId: 'contract-flow', client },
    async rightAnswer() {
      const response = await inbox?.handle({ params: {}, query: {}, body: undefined, headers: {}, client });
      const messages = (response as { json: { messages: { body: string }[] } }).json.messages;
      return { otp: codeIn(messages[0]?.body ?? '') };
    },
    wrongAnswer: { otp: 'not-a-code' },
    dispose: loaded.dispose,
  };
});

describe('SMSOTP in the core plugin host', () => {
  it('is not enabled by default: the sandbox must be switched on', async () => {
    await expect(loadWithCore(smsOtpPlugin, { publicUrl: 'http://127.0.0.1:8080' })).rejects.toThrow(
      /did not enable/,
    );
  });

  it('has its config errors reported with the key path', async () => {
    const config = { ...sandboxConfig, plugins: { SMSOTP: { templates: { ja: 'no code here' } } } };
    await expect(loadWithCore(smsOtpPlugin, config)).rejects.toThrow('config: plugins.SMSOTP.templates.ja:');
  });

  it('audits under SMSOTP.* with the client address', async () => {
    const loaded = await loadWithCore(smsOtpPlugin, sandboxConfig);
    const client = { ip: '192.0.2.7', userAgent: 'vitest', locale: 'en' as const };
    await loaded.method.start({ user: TEST_USER, flowId: 'f', client, resend: false });
    expect(loaded.audits).toEqual([
      expect.objectContaining({ event: 'SMSOTP.send', outcome: 'success', userId: 'taro', ip: '192.0.2.7' }),
    ]);
    await loaded.dispose();
  });
});
