import { ACCEPTED_AGE, hangupDatums } from '../../../lambda/access-logs/datums';
import { AccessLogTally } from '../../../lambda/access-logs/tally';
import { CLASSIC } from './lines';

const at = (iso: string) => CLASSIC.seed.replace('2018-12-04T21:46:54.679150Z', iso);

describe('hangupDatums', () => {
  it('publishes two datums per load balancer and minute in the detailed set, zero hang-ups included, at the minute of the lines', () => {
    // Prepare
    const tally = new AccessLogTally();
    [at('2026-11-25T18:00:59.999999Z'), CLASSIC.http.replace('2015-05-13T23:39:43.945958Z', '2026-11-25T18:01:00.000001Z').replace('my-loadbalancer', 'my-elb')].forEach((line, i) => tally.add(line, 'a.log', i + 1));

    // Act
    const { datums, requestsOutOfRange } = hangupDatums(tally, new Date('2026-11-25T18:10:00Z'), 'detailed');

    // Assess
    const dimension = [{ Name: 'LoadBalancer', Value: 'my-elb' }];
    expect(datums).toEqual([
      { MetricName: 'BackendHangups', Unit: 'Count', Value: 1, Timestamp: new Date('2026-11-25T18:00:00Z'), Dimensions: dimension },
      { MetricName: 'RequestsLogged', Unit: 'Count', Value: 1, Timestamp: new Date('2026-11-25T18:00:00Z'), Dimensions: dimension },
      { MetricName: 'BackendHangups', Unit: 'Count', Value: 0, Timestamp: new Date('2026-11-25T18:01:00Z'), Dimensions: dimension },
      { MetricName: 'RequestsLogged', Unit: 'Count', Value: 1, Timestamp: new Date('2026-11-25T18:01:00Z'), Dimensions: dimension },
    ]);
    expect(requestsOutOfRange).toBe(0);
  });

  it('publishes in the lean set, the default, only the hang-ups of the minutes that have some', () => {
    // Prepare: a hang-up at 18:00, none at 18:01
    const tally = new AccessLogTally();
    [at('2026-11-25T18:00:59.999999Z'), CLASSIC.http.replace('2015-05-13T23:39:43.945958Z', '2026-11-25T18:01:00.000001Z').replace('my-loadbalancer', 'my-elb')].forEach((line, i) => tally.add(line, 'a.log', i + 1));

    // Act
    const { datums } = hangupDatums(tally, new Date('2026-11-25T18:10:00Z'));

    // Assess
    expect(datums).toEqual([{ MetricName: 'BackendHangups', Unit: 'Count', Value: 1, Timestamp: new Date('2026-11-25T18:00:00Z'), Dimensions: [{ Name: 'LoadBalancer', Value: 'my-elb' }] }]);
  });

  it('leaves out, and counts, minutes CloudWatch would refuse: older than two weeks or hours ahead', () => {
    // Prepare: the seed line itself (2018), one line 13 days old, one 3 hours ahead
    const now = new Date('2026-11-25T18:10:00Z');
    const tally = new AccessLogTally();
    tally.add(CLASSIC.seed, 'old.log', 1);
    tally.add(at(new Date(now.getTime() - 13 * 24 * 3600_000).toISOString().replace('Z', '000Z')), 'old.log', 2);
    tally.add(at(new Date(now.getTime() + 3 * 3600_000).toISOString().replace('Z', '000Z')), 'old.log', 3);

    // Act
    const { datums, requestsOutOfRange } = hangupDatums(tally, now, 'detailed');

    // Assess
    expect(datums.map((d) => d.Timestamp.toISOString())).toEqual(['2026-11-12T18:10:00.000Z', '2026-11-12T18:10:00.000Z']);
    expect(requestsOutOfRange).toBe(2);
    expect(ACCEPTED_AGE.maxPastMs).toBeLessThan(14 * 24 * 3600_000);
  });
});
