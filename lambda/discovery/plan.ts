/**
 * From discovered load balancers to probe jobs: one job per distinct backend.
 */
import type { LoadBalancerPlan, PlannedBackend, ProbePlanItem } from './types';

/**
 * One probe job per distinct backend (same address, port, protocol, path and proxy header),
 * judged later against each of its load balancers.
 *
 * Why: a node behind several Kubernetes services' load balancers is probed once, with a
 * horizon long enough for the longest of their idle timeouts.
 *
 * Backends their security groups do not admit the probe to are left out (`which: 'blocked'`
 * lists them alone, the same way, for the judge).
 *
 * @example
 * toProbePlan(discovery.loadBalancers); // [{ key, job: { target, loadBalancerIdleTimeoutS: 350 }, loadBalancers: ['a', 'b'] }]
 */
export function toProbePlan(loadBalancers: readonly LoadBalancerPlan[], which: 'probed' | 'blocked' = 'probed'): ProbePlanItem[] {
  const items = new Map<string, { backend: PlannedBackend; timeoutS: number; loadBalancers: string[] }>();
  for (const lb of loadBalancers) {
    // A load balancer whose idle timeout is unknown has an error and no backends to judge.
    if (lb.idleTimeoutS === null) continue;
    for (const backend of lb.backends) {
      if (isBlocked(backend) !== (which === 'blocked')) continue;
      const key = planKeyOf(backend);
      const item = items.get(key);
      if (item === undefined) items.set(key, { backend, timeoutS: lb.idleTimeoutS, loadBalancers: [lb.name] });
      else {
        item.timeoutS = Math.max(item.timeoutS, lb.idleTimeoutS);
        item.loadBalancers.push(lb.name);
      }
    }
  }
  return [...items.entries()].map(([key, { backend, timeoutS, loadBalancers: names }]) => ({
    key,
    job: { target: { ...backend.target, ...(backend.proxyProtocol ? { proxyProtocol: true } : {}) }, loadBalancerIdleTimeoutS: timeoutS },
    loadBalancers: names,
  }));
}

/**
 * What makes two backends the same probe: address, port, protocol (HTTP version included),
 * path and proxy header. The judge matches results back to load balancers with it.
 *
 * Why the HTTP version: an HTTP/2 and an HTTP/1.1 target group on one address and port are two
 * probes, each judged on the protocol its load balancer speaks. HTTP/1.1 keys stay as they were.
 *
 * @example
 * planKeyOf({ id: '10.0.1.7:50051', proxyProtocol: false, target: { host: '10.0.1.7', port: 50051, tls: false, path: '/', protocolVersion: 'GRPC' } });
 * // '10.0.1.7:50051|http|/|plain|GRPC'
 */
export function planKeyOf(backend: PlannedBackend): string {
  const version = backend.target.protocolVersion ?? 'HTTP1';
  return `${backend.target.host}:${backend.target.port}|${backend.target.tls ? 'https' : 'http'}|${backend.target.path}|${backend.proxyProtocol ? 'proxy' : 'plain'}${version === 'HTTP1' ? '' : `|${version}`}`;
}

/** Whether the backend's security groups surely keep the probe out: it is then not probed. */
export function isBlocked(backend: PlannedBackend): boolean {
  return backend.reachability?.status === 'blocked';
}
