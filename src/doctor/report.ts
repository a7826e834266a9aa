import { SEVERITIES, type Finding } from './types.ts';

/** Exit status of `sekisho doctor`: 1 when any finding is high, else 0. */
export function exitCodeFor(findings: readonly Finding[]): number {
  return findings.some((f) => f.severity === 'high') ? 1 : 0;
}

/** Highest severity first; stable within a severity. */
function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity));
}

/** The report as printed: one block per finding, then a summary line. */
export function formatReport(findings: readonly Finding[]): string {
  const sorted = sortFindings(findings);
  const blocks = sorted.map((f) =>
    [
      `${f.severity.toUpperCase().padEnd(6)} ${f.subject} [${f.id}]`,
      `       ${f.message}`,
      `       fix: ${f.fix}`,
    ].join('\n'),
  );
  const count = (severity: string) => findings.filter((f) => f.severity === severity).length;
  const summary =
    findings.length === 0
      ? 'no findings: the configuration meets the security baseline'
      : `${findings.length} finding${findings.length === 1 ? '' : 's'}: ${count('high')} high, ${count('medium')} medium, ${count('low')} low`;
  return [...blocks, summary].join('\n\n');
}
