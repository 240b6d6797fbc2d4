/**
 * passport-synergyflow/testing: an in-process SynergyFlow Pro emulator and a small cookie-jar
 * browser, for this package's tests and for the tests of apps that use it.
 */
export { SynergyFlowEmulator, startSynergyFlowEmulator } from './emulator.js';
export type { EmulatorOptions, EmulatorCounters, RecordedCall } from './emulator.js';
export type { EmulatedClient, EmulatedUser } from './emulator-state.js';
export type { Misbehaviour, EmulatedEndpoint } from './misbehaviour.js';
export type { ForcedTarget } from './forced-answers.js';
export type { AuthorizationRecord } from './authorize.js';
export type { EmulatedAnswer, EmulatedRequest, EmulatedRouteHandler, EmulatedRouteOptions } from './custom-routes.js';
export { TestBrowser } from './test-browser.js';
export type { BrowserRequest, BrowserResponse } from './test-browser.js';
export { PhpOAuthEmulator, startPhpOAuthEmulator } from './php-oauth-emulator.js';
export type { PhpOAuthEmulatorOptions, PhpOAuthUser } from './php-oauth-emulator.js';
export { SynapseFiEmulator, startSynapseFiEmulator } from './synapsefi-emulator.js';
export type { SynapseFiEmulatorOptions } from './synapsefi-emulator.js';
export { revocableSynergyFlowProvider } from './revocation-endpoint.js';
export { FakeClock } from './fake-clock.js';
export { startTestApp } from './test-app.js';
export type {
  StartTestAppOptions,
  TestApp,
  TestAppAuthOptions,
  TestAppContext,
  TestLogin,
  TestLogout,
  TestRequestListener,
} from './test-app.js';
