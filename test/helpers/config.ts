import { loadConfig, type Config } from '../../server/config.js';

/** A relay configuration for tests: the defaults, silent, publishing from loopback allowed; `overrides` win. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  // Tests publish from loopback without a token; the tests of publish auth override this.
  return { ...loadConfig({}), LOG_LEVEL: 'silent', PUBLISH_ALLOW_LOOPBACK: true, ...overrides };
}
