/**
 * The built-in sample intranet (in the spirit of the IceWall sample backend): a small company portal
 * with departmental sites that shows what the gateway tells it about the user. Plain `node:http`, no
 * framework, no JavaScript and no external assets; every reflected value is HTML-escaped.
 *
 * The gateway serves backend `portal` (url `http://host:port/portal`) at `/portal/`, so the paths seen
 * here equal the paths the browser sees and links between sites are plain absolute paths.
 *
 * The parts live in `intranet/`: the server, the request handler, the page layout and style, the
 * sites and the departmental page bodies.
 */
export { escapeHtml } from './intranet/html.ts';
export { startIntranet } from './intranet/server.ts';
export type { IntranetOptions, RunningIntranet } from './intranet/server.ts';
