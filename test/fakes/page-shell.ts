/**
 * The page shell (`it.shell`: branding, help desk, clock), for plugin tests that render a plugin's
 * view inside the core's layout the way the core does: plugins themselves never import it.
 */
export { DEFAULT_SHELL, localShell } from '../../src/web/shell.ts';
