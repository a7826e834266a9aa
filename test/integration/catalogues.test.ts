/**
 * Every catalogue the gateway serves, held to one standard: Japanese and English have the same
 * keys and the same placeholders, and no string is empty.
 */
import { describe, expect, it } from 'vitest';
import { adminCatalogue } from '../../src/features/admin/messages.ts';
import { coreMessages } from '../../src/web/i18n.ts';
import { allPlugins } from '../../src/plugins-registry.ts';
import { pushPageCatalogue, pushScriptCatalogue } from '../../src/features/push/page-messages.ts';
import { smsTexts } from '../../plugins/smsotp/messages.ts';
import { catalogueProblems } from '../../src/web/i18n/catalogue.ts';
import type { Catalogue } from '../../src/web/i18n/catalogue.ts';

const catalogues: [string, Catalogue<unknown>][] = [
  ['core pages', coreMessages],
  ['admin console', adminCatalogue],
  ['push pages', pushPageCatalogue],
  ['push scripts', pushScriptCatalogue],
  ...allPlugins.map((plugin): [string, Catalogue<unknown>] => [`plugin ${plugin.name}`, plugin.messages]),
  ['SMSOTP texts', smsTexts],
];

describe('message catalogues', () => {
  it.each(catalogues)('%s: the same keys and placeholders in ja and en, none empty', (_name, catalogue) => {
    expect(catalogueProblems(catalogue)).toEqual([]);
  });
});
