/** What the sample intranet reads from each request: the gateway's identity headers and an echo. */
import type { IncomingMessage } from 'node:http';

/** The identity headers the gateway sets by default. */
export const IDENTITY_HEADERS = {
  user: 'X-Remote-User',
  groups: 'X-Remote-Groups',
  methods: 'X-Remote-Auth-Methods',
} as const;

/** What the gateway said about the user (absent headers are undefined). */
export interface Identity {
  user: string | undefined;
  groups: string | undefined;
  methods: string | undefined;
}

/** The parts of a request the pages show. */
export interface RequestInfo {
  method: string;
  /** Path and query as received. */
  target: string;
  identity: Identity;
  /** Names of the cookies the backend received (values are never shown). */
  cookieNames: string[];
}

/**
 * Node hands header values over as latin1 strings, one character per byte. Gateways may pass UTF-8
 * (a Japanese display name, say); show it decoded when the bytes are valid UTF-8.
 */
function headerText(value: string | string[] | undefined): string | undefined {
  const text = Array.isArray(value) ? value.join(', ') : value;
  if (text === undefined || text === '') return undefined;
  // eslint-disable-next-line no-control-regex
  if (!/[^\x00-\x7f]/.test(text) || /[^\x00-\xff]/.test(text)) return text;
  const decoded = Buffer.from(text, 'latin1').toString('utf8');
  return decoded.includes('\ufffd') ? text : decoded;
}

/** Reads the identity headers, method, target and cookie names of `req`. */
export function requestInfo(req: IncomingMessage): RequestInfo {
  const header = (name: string) => headerText(req.headers[name.toLowerCase()]);
  const cookieNames = (req.headers.cookie ?? '')
    .split(';')
    .map((part) => part.split('=')[0]?.trim() ?? '')
    .filter((name) => name !== '');
  return {
    method: req.method ?? 'GET',
    target: req.url ?? '/',
    identity: {
      user: header(IDENTITY_HEADERS.user),
      groups: header(IDENTITY_HEADERS.groups),
      methods: header(IDENTITY_HEADERS.methods),
    },
    cookieNames,
  };
}
