import { describe, expect, it } from 'vitest';
import { exitCodeFor, formatReport } from './report.ts';
import type { Finding } from './types.ts';

const finding = (severity: Finding['severity'], id: string): Finding => ({
  id,
  severity,
  subject: `subject-${id}`,
  message: `message-${id}`,
  fix: `fix-${id}`,
});

describe('doctor: report', () => {
  it('exits 1 only when a finding is high', () => {
    expect(exitCodeFor([])).toBe(0);
    expect(exitCodeFor([finding('medium', 'a'), finding('low', 'b')])).toBe(0);
    expect(exitCodeFor([finding('low', 'b'), finding('high', 'c')])).toBe(1);
  });

  it('prints high findings first, each with its fix, then a summary', () => {
    const text = formatReport([finding('low', 'l'), finding('high', 'h'), finding('medium', 'm')]);
    expect(text.indexOf('HIGH')).toBeLessThan(text.indexOf('MEDIUM'));
    expect(text.indexOf('MEDIUM')).toBeLessThan(text.indexOf('LOW'));
    expect(text).toContain('HIGH   subject-h [h]\n       message-h\n       fix: fix-h');
    expect(text.endsWith('3 findings: 1 high, 1 medium, 1 low')).toBe(true);
  });

  it('says so when there is nothing to fix', () => {
    expect(formatReport([])).toBe('no findings: the configuration meets the security baseline');
  });
});
