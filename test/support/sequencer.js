/**
 * The order jest starts test files in: the packaging files, then the compatibility files, then
 * the other integration files, then the unit files; within each group jest's own order (files
 * that failed last time first, then by the time they took, then by size).
 *
 * Why: a packaging file installs the packed package with npm, type-checks and synthesizes a
 * user's app (a minute and a half of one core, three to four minutes beside the rest), and a
 * compat file waits minutes on real server timers (a 60 s load balancer's horizon and a sweep
 * past it) with little CPU: each finishes last unless it starts first. The packaging files go
 * first because theirs is the longer chain: started after the compat files, when the first of
 * them ended (96 s in), the package file ended the run at 322 s, alone. jest puts the files it
 * timed before longest first, but on a fresh clone it has no timings and starts the largest files
 * first: the 29-line CI recipe test, minutes of waiting, started 346 s into the run and ended it alone.
 *
 * @example
 * // jest.config.js
 * module.exports = { testSequencer: '<rootDir>/test/support/sequencer.js', projects: [...] };
 */
const Sequencer = require('@jest/test-sequencer').default;

/** The groups, first to last: a file goes to the first whose test matches its path. */
const GROUPS = [(path) => path.includes('/test/package/'), (path) => path.endsWith('.compat.test.ts'), (path) => path.endsWith('.integration.test.ts'), () => true];

const groupOf = (test) => GROUPS.findIndex((inGroup) => inGroup(test.path));

class SlowFirst extends Sequencer {
  sort(tests) {
    // Array.prototype.sort is stable: jest's order stands within a group.
    return super.sort(tests).sort((a, b) => groupOf(a) - groupOf(b));
  }
}

module.exports = SlowFirst;
