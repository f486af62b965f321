import { EXIT, exitCodeOf, withReport } from '../../cli/exit-code';
import type { ProbeResult } from '../../lambda/probe';

const result = (verdict: ProbeResult['verdict'], error = false): ProbeResult => ({
  target: { host: 'a', port: 1, tls: false, path: '/' },
  loadBalancerIdleTimeoutS: 60,
  horizonS: 66,
  phases: {},
  verdict,
  startedAt: '2026-11-24T10:15:00.000Z',
  elapsedS: 1,
  socketsUsed: 1,
  ...(error ? { error: { code: 'refused', message: 'refused' } } : {}),
});

describe('exitCodeOf', () => {
  it('is 0 when every phase passes, 1 on any failure, 3 when in doubt', () => {
    // Act & Assess
    expect(exitCodeOf([result('pass'), result('pass')])).toBe(0);
    expect(exitCodeOf([result('pass'), result('fail')])).toBe(1);
    expect(exitCodeOf([result('pass'), result('inconclusive')])).toBe(3);
  });

  it('is 2 when a target could not be probed at all, unless another fails', () => {
    // Act & Assess
    expect(exitCodeOf([result('pass'), result('inconclusive', true)])).toBe(2);
    expect(exitCodeOf([result('fail'), result('inconclusive', true)])).toBe(1);
  });
});

describe('withReport', () => {
  it('keeps the verdict first and turns only a pass into 2 when the report could not be written', () => {
    // Act & Assess
    expect(withReport(EXIT.fail, false)).toBe(EXIT.fail);
    expect(withReport(EXIT.inconclusive, false)).toBe(EXIT.inconclusive);
    expect(withReport(EXIT.pass, false)).toBe(EXIT.badInput);
    expect(withReport(EXIT.pass, true)).toBe(EXIT.pass);
  });
});
