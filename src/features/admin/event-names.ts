import { fill } from '../../web/i18n/catalogue.ts';
import { ownString, type AdminMessages } from './messages.ts';
import { methodWord } from './rule-summary.ts';

/**
 * An audit event in words (`rule.set` → 「ルールの保存」). A method's own events are written
 * `<METHOD>.<event>` (`SMSOTP.send`): the method's word and the event's. An event the console has
 * no words for is shown as recorded, so that nothing is hidden behind a label.
 */
export function eventLabel(event: string, a: AdminMessages): string | null {
  const known = ownString(a.events.names, event);
  if (known !== null) return known;
  const dot = event.indexOf('.');
  const method = event.slice(0, dot);
  const suffix = ownString(a.events.methodEvents, event.slice(dot + 1));
  if (dot > 0 && /^[A-Z][A-Z0-9_]*$/.test(method) && suffix !== null)
    return fill(a.events.methodEvent, { method: methodWord(method, a), event: suffix });
  return null;
}
