import { wantsColor } from '../../cli/color';

describe('wantsColor', () => {
  it('colours a terminal unless NO_COLOR is set and not empty', () => {
    // Act / Assess
    expect(wantsColor({}, true)).toBe(true);
    expect(wantsColor({}, false)).toBe(false);
    expect(wantsColor({ NO_COLOR: '1' }, true)).toBe(false);
    expect(wantsColor({ NO_COLOR: '' }, true)).toBe(true);
  });

  it('lets FORCE_COLOR colour a pipe, or turn colours off with 0 or false, whatever NO_COLOR says', () => {
    // Act / Assess
    expect(wantsColor({ FORCE_COLOR: '1' }, false)).toBe(true);
    expect(wantsColor({ FORCE_COLOR: '' }, false)).toBe(true);
    expect(wantsColor({ FORCE_COLOR: '1', NO_COLOR: '1' }, false)).toBe(true);
    expect(wantsColor({ FORCE_COLOR: '0' }, true)).toBe(false);
    expect(wantsColor({ FORCE_COLOR: 'false' }, true)).toBe(false);
  });
});
