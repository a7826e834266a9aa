/** Runs autocannon in its own process (pinned by the parent) and reports one LoadResult over IPC. */
import autocannon from 'autocannon';
import type { LoadOptions, LoadResult } from './load.ts';

const options = JSON.parse(process.argv[2] ?? '{}') as LoadOptions;
const result = await autocannon({
  url: options.url,
  connections: options.connections,
  duration: options.seconds,
  headers: { ...options.headers },
});
const report: LoadResult = {
  requestsPerSecond: result.requests.average,
  p50: result.latency.p50,
  p99: result.latency.p99,
  errors: result.errors + result.timeouts + result.non2xx,
  requests: result.requests.total,
};
process.send?.(report, () => process.exit(0));
