import cluster from 'node:cluster';
import { randomUUID } from 'node:crypto';
import { AggregatorRegistry, type Registry } from 'prom-client';

/** The message a worker sends for the metrics of all workers, and the supervisor's answer. */
const REQUEST = 'sekisho:cluster-metrics';
const ANSWER = 'sekisho:cluster-metrics-answer';
/** A worker gives up on the supervisor after this (the scrape then fails, rather than lie). */
const answerWithinMs = 6000;

interface MetricsRequest {
  readonly type: typeof REQUEST;
  readonly id: string;
}

interface MetricsAnswer {
  readonly type: typeof ANSWER;
  readonly id: string;
  readonly body?: string;
  readonly error?: string;
}

/**
 * In the supervisor of `cluster.workers` > 1: answers a worker's request for the metrics of all
 * workers, summed by prom-client's cluster aggregation (each worker reports its registry).
 */
export function aggregateWorkerMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, message: Partial<MetricsRequest>) => {
    if (message?.type !== REQUEST || typeof message.id !== 'string') return;
    const id = message.id;
    aggregator.clusterMetrics().then(
      (body) => worker.send({ type: ANSWER, id, body } satisfies MetricsAnswer),
      (error: unknown) =>
        worker.send({
          type: ANSWER,
          id,
          error: error instanceof Error ? error.message : 'failed',
        } satisfies MetricsAnswer),
    );
  });
}

/**
 * The Prometheus exposition this process serves at `/_sekisho/metrics`. In a cluster worker,
 * the sum over all workers (asked of the supervisor): a scrape lands on whichever worker takes
 * the connection, and each must give the same totals or Prometheus would read the jumps between
 * workers' counters as resets. Elsewhere, this process's own registry.
 */
export function metricsExposition(registry: Registry): () => Promise<string> {
  if (!cluster.isWorker) return () => registry.metrics();
  // This worker reports `registry` when the supervisor aggregates (the listeners come with an instance).
  AggregatorRegistry.setRegistries([registry]);
  new AggregatorRegistry();
  const waiting = new Map<string, (answer: MetricsAnswer) => void>();
  process.on('message', (message: Partial<MetricsAnswer>) => {
    if (message?.type !== ANSWER || typeof message.id !== 'string') return;
    waiting.get(message.id)?.(message as MetricsAnswer);
  });
  return () =>
    new Promise<string>((resolve, reject) => {
      const id = randomUUID();
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error('the cluster supervisor did not answer with the metrics'));
      }, answerWithinMs);
      waiting.set(id, (answer) => {
        clearTimeout(timer);
        waiting.delete(id);
        if (answer.body !== undefined) resolve(answer.body);
        else reject(new Error(`cluster metrics: ${answer.error ?? 'no answer'}`));
      });
      process.send?.({ type: REQUEST, id } satisfies MetricsRequest);
    });
}
