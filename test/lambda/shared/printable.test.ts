import { describeValue, hasControlCharacters, printable, safeJson } from '../../../lambda/shared/printable';

describe('printable', () => {
  it('writes C0, DEL, C1, separators and bidi overrides as visible escapes', () => {
    // Act
    const text = printable('a\u001b[2J\r\nb\u007f\u009b31m\u2028\u202ec');

    // Assess
    expect(text).toBe('a\\x1b[2J\\x0d\\x0ab\\x7f\\x9b31m\\u2028\\u202ec');
    expect(hasControlCharacters(text)).toBe(false);
  });

  it('cuts long text to the length given', () => {
    // Act & Assess
    expect(printable('x'.repeat(100), 10)).toBe('xxxxxxx...');
  });
});

describe('safeJson', () => {
  it('escapes what JSON.stringify leaves raw, and parses back to the same value', () => {
    // Prepare
    const value = { server: 'a\u009b2J\u2028\u001b' };

    // Act
    const json = safeJson(value);

    // Assess
    expect(hasControlCharacters(json.replace(/\n/g, ''))).toBe(false);
    expect(JSON.parse(json)).toEqual(value);
  });
});

describe('describeValue', () => {
  it('pictures a deep, wide or hostile value within its limits, in one printable line', () => {
    // Prepare
    let deep: unknown = 'bottom';
    for (let i = 0; i < 5000; i++) deep = [deep];
    const limits = { depth: 1, entries: 2, stringLength: 5, length: 40 };

    // Act
    const pictures = [describeValue(undefined), describeValue(deep), describeValue({ a: 'x\u001b[2Jlong', b: [1, 2, 3], c: 3 }, limits), describeValue('y'.repeat(1e6))];

    // Assess
    expect(pictures).toEqual(['nothing', '[[[...]]]', '{"a":"x\\u001b[2J...","b":[...],...}', `"${'y'.repeat(40)}..."`]);
  });
});
