// The instances of the fault tests are child processes that import `express` themselves, so
// the EXPRESS_MAJOR=4 alias of the test process never reaches them: on the Express 4 pass the
// fault suite would run the same Express 5 processes a second time. It runs once.

/** True on the `EXPRESS_MAJOR=4` pass of the suite. */
export const skipOnExpress4 = process.env.EXPRESS_MAJOR === '4';
if (skipOnExpress4) {
  console.warn('Fault tests SKIPPED on the Express 4 pass: their app processes run Express 5 either way.');
}
