/**
 * Known environments (docs/push.md §4): the (client IP, browser label) pairs a user has logged
 * in from. The set is shared with rules' `newdevice=`, so it lives in core (known-environments.ts).
 */
export { isKnownEnvironment, rememberEnvironment, type Environment } from '../../core/known-environments.ts';
