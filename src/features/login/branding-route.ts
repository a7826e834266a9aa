import type { FastifyInstance } from 'fastify';
import { LOGO_URL } from '../../web/page-shell-config.ts';
import { shellOf } from '../../web/shell.ts';

/**
 * The organisation's logo (`branding.logo`), from the gateway's own origin like every asset of its
 * pages (their CSP loads nothing from elsewhere). Opened on its own, the image is a sandboxed
 * document with nothing active allowed, so not even an SVG can act for the gateway's origin.
 */
export function brandingLogoRoute(app: FastifyInstance): void {
  const { logo } = shellOf(app);
  if (!logo) return;
  app.get(LOGO_URL, async (_request, reply) =>
    reply
      .type(logo.type)
      .header('cache-control', 'public, max-age=3600')
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; sandbox")
      .send(logo.body),
  );
}
