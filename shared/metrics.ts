import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRICS_NAMESPACE, METRICS_SERVICE, type MetricName } from './metric-names';

/**
 * The notifier's CloudWatch metrics, written as embedded metric format into the function's log (no
 * PutMetricData call on the way). A handler adds counts and the `logMetrics` middleware flushes them at
 * the end of each invocation. `POWERTOOLS_METRICS_DISABLED=true` keeps them out of local logs.
 */
export const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: METRICS_SERVICE });

/** Adds a count to this invocation's metrics. */
export function count(name: MetricName, value: number) {
  metrics.addMetric(name, MetricUnit.Count, value);
}

/** Records a rate in this invocation's metrics (per second). */
export function perSecond(name: MetricName, value: number) {
  metrics.addMetric(name, MetricUnit.CountPerSecond, value);
}
