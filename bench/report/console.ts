/** The summary the bench prints when it is done: the main table, compact, and the targets. */
import type { Summary } from '../summary/summarise';
import { scenarioName } from '../plan';
import { fmt, goal, labelled, measured } from './format';

export function renderConsole(s: Summary): string {
  const lines = ['', 'scenario                                   conns    req/s   texts/s  p50 ms  p99 ms  failed  cpu µs/req  main µs/req'];
  for (const { scenario, agg: a } of [...s.closed, ...s.halfLoad]) {
    const label = `${scenarioName(scenario)}${scenario.load.kind === 'closed' ? '' : ` @${fmt(a.offered)}/s`}`;
    lines.push(
      `${label.padEnd(42)} ${String(scenario.load.connections).padStart(5)} ${fmt(a.rps).padStart(8)} ${fmt(a.tps).padStart(9)} ${fmt(a.p50, 2).padStart(7)} ${fmt(a.p99, 2).padStart(7)} ${String(a.failed).padStart(7)} ${fmt(a.cpuUs).padStart(11)} ${fmt(a.mainUs).padStart(12)}`,
    );
  }
  for (const x of s.inprocess) lines.push(`${`in-process batch ${x.batch}`.padEnd(42)} ${'-'.padStart(5)} ${'-'.padStart(8)} ${fmt(x.textsPerSec).padStart(9)}`);
  lines.push('');
  for (const t of s.targets) {
    lines.push(`${t.met ? 'met   ' : 'MISSED'}  ${t.name}: ${measured(t)} (goal ${goal(t)})`);
    if (!t.met && t.bounds.length) lines.push(`        bounds: ${t.bounds.map(labelled).join('; ')}`);
  }
  return lines.join('\n');
}
