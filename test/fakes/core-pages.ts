/**
 * The core pages' catalogue, for plugin tests that render a plugin's view inside the core's layout
 * the way the core does (`it.t` beside the plugin's `it.pt`): plugins themselves never import it.
 */
export { coreMessages } from '../../src/web/i18n.ts';
