import { checkMetricsProp, checkNumberProps } from '../../lib/props';
import { RANGES } from '../../lambda/shared/settings';

describe('checkNumberProps', () => {
  it.each([
    [{ maxConcurrency: 41 }, 'maxConcurrency: expected a whole number from 1 to 40, got 41'],
    [{ maxConcurrency: 2.5 }, 'maxConcurrency: expected a whole number from 1 to 40, got 2.5'],
    [{ inlineMaxBackends: -1 }, 'inlineMaxBackends: expected a whole number from 0 to 10000, got -1'],
    [{ marginS: Number.NaN }, 'marginS: expected a number from 0 to 600, got NaN'],
    [{ maxBackendsPerPort: 0 }, 'maxBackendsPerPort: expected a whole number from 1 to 1000, got 0'],
    [{ periodMinutes: 1441 }, 'periodMinutes: expected a number from 1 to 1440, got 1441'],
  ])('rejects %j in one line naming the prop, what is accepted and the value', (props, message) => {
    // Act & Assess
    expect(() => checkNumberProps(props)).toThrow(message);
  });

  it('accepts the ends of every range the functions and cdk.json accept, and props left unset', () => {
    // Prepare
    const ends = (end: 'min' | 'max') => ({
      marginS: RANGES.marginS[end],
      maxBackendsPerPort: RANGES.maxBackendsPerPort[end],
      periodMinutes: RANGES.periodMinutes[end],
      maxConcurrency: RANGES.maxConcurrency[end],
      inlineMaxBackends: RANGES.inlineMaxBackends[end],
    });

    // Act & Assess
    expect(() => [checkNumberProps(ends('min')), checkNumberProps(ends('max')), checkNumberProps({})]).not.toThrow();
  });
});

describe('checkMetricsProp', () => {
  it('rejects a set that does not exist in one line naming the prop, the sets and the value, and accepts both sets and none', () => {
    // Act & Assess
    expect(() => checkMetricsProp({ metrics: 'full' })).toThrow(`metrics: expected 'lean' or 'detailed', got "full"`);
    expect(() => [checkMetricsProp({ metrics: 'lean' }), checkMetricsProp({ metrics: 'detailed' }), checkMetricsProp({})]).not.toThrow();
  });
});
