import { hasControlCharacters, printable, safeJson } from '../../../lambda/shared/printable';

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
