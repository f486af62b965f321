import { nlbIdleTimeoutS } from '../../../lambda/discovery/network-origin';

describe('nlbIdleTimeoutS', () => {
  it("reads a listener's TCP idle timeout, AWS's 350 s when the listener does not report it", () => {
    // Act and assess
    expect([nlbIdleTimeoutS({ Attributes: [{ Key: 'tcp.idle_timeout.seconds', Value: '6000' }] }), nlbIdleTimeoutS({ Attributes: [] })]).toEqual([6000, 350]);
  });

  it('rejects a value that is no TCP idle timeout, naming it and what is accepted', () => {
    // Act and assess
    expect(() => nlbIdleTimeoutS({ Attributes: [{ Key: 'tcp.idle_timeout.seconds', Value: '30\u001b[2J' }] })).toThrow(/^tcp\.idle_timeout\.seconds=.*: expected a whole number from 60 to 6000$/);
  });
});
