/**
 * Setup of the projects that wait on real time (integration, compat): a test or hook without a
 * bound of its own gets 60 s, not jest's 5 s.
 *
 * Why: their files run side by side (jest.config.js's workers), so starting or stopping moto,
 * a process or Chromium takes seconds more than alone (an afterAll stopping moto, `npx --help`
 * of the packed package and a TLS probe went past 5 s). A bound, never a measurement. Here, not
 * in the project's `testTimeout`, which jest reads from the global configuration only.
 */
jest.setTimeout(60_000);
