/** The demo rules: one line per departmental site, IceWall style. */
export const demoRules = [
  '/portal/=ALL;;',
  '/eigyo/=@eigyo,@admins;;',
  '/gijutsu/=ALL;;MAMORU',
  '/keiri/=@keiri;;SMSOTP',
  '/public/=ALL;;BYPASS',
];

/** What the welcome names. */
export interface BannerFacts {
  readonly publicUrl: string;
  readonly password: string;
  readonly activationUrl: string | null;
}

/**
 * The demo's welcome: printed at the start, again when Enter is pressed in its terminal, and by
 * `sekisho demo banner` from any other.
 */
export function demoBanner({ publicUrl, password, activationUrl }: BannerFacts): string {
  return `
  関所 Sekisho demo is running (embedded Postgres, in-process store, sample intranet).

    Open:      ${publicUrl}/portal/
    User ID:   demo
    Password:  ${password}     (a new one at every start)

  SMS codes: ${publicUrl}/_sekisho/sandbox/sms   (経理部 /keiri/ asks for one)
  Push:      技術部 /gijutsu/ asks for the ID only, then a tap in the authenticator.
             Open this once in another browser window to make it demo's authenticator
             (single use, valid one hour; \`npm run -s sekisho -- push enroll demo\` makes another):
             ${activationUrl ?? '(push is disabled in this config)'}
  Admin:     ${publicUrl}/_sekisho/admin/   (demo is in @admins; password + SMS code)
  Yours:     ${publicUrl}/_sekisho/me        (your sessions, devices and phone number)
  Rules:     ${demoRules.join('   ')}
  Admin CLI: npm run -s sekisho -- rule list     (talks to this demo while it runs)
  Logs:      warnings and errors only; SEKISHO_LOG_LEVEL=debug npm start shows every request
  Again:     press Enter in the demo's terminal, or run \`npm run demo:banner\` in another
  Stop:      Ctrl+C
`;
}
