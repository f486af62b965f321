import { closedWithOf } from '../../../lambda/probe/classify';

describe('closedWithOf', () => {
  it.each([
    ['fin', null, 'fin'],
    ['rst', null, 'rst'],
    ['fin', 408, 'http-408'],
    ['rst', 408, 'http-408'],
    ['fin', 400, 'http-other'],
    ['http-other', null, 'http-other'],
    ['timeout', null, 'timeout'],
    ['timeout', 408, 'timeout'],
  ] as const)('classifies a %s after status %s as %s', (end, status, expected) => {
    // Act & Assess
    expect(closedWithOf(end, status)).toBe(expected);
  });
});
