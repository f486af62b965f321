import { withDefaults } from '../../../lambda/shared/defaults';

describe('withDefaults', () => {
  it('keeps a default when the option is given as undefined, and takes every other value, falsy ones too', () => {
    // Act
    const settings = withDefaults({ marginS: 1, precisionS: 0.5, json: true }, { marginS: undefined, precisionS: 0, json: false });

    // Assess
    expect(settings).toEqual({ marginS: 1, precisionS: 0, json: false });
  });
});
