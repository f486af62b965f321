import { socketCapFor, softFileLimit } from '../../cli/fd-limit';

describe('socketCapFor', () => {
  it("keeps the engine's cap under a generous limit and lowers it to what a small one leaves", () => {
    // Act / Assess
    expect(socketCapFor(1_048_576, 20)).toBe(900);
    expect(socketCapFor(null, 20)).toBe(900);
    expect(socketCapFor(256, 24)).toBe(200);
    expect(socketCapFor(40, 24)).toBe(16);
  });
});

describe('softFileLimit', () => {
  it("reads this process's soft limit on open files", () => {
    // Act
    const limit = softFileLimit();

    // Assess
    expect(limit).toBeGreaterThan(0);
  });
});
