import { ConfigError, loadConfig } from './app-config';

describe('HOST', () => {
  it('listens on the loopback unless told otherwise, in development as in production', () => {
    expect(loadConfig({}).host).toBe('127.0.0.1');
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) }).host).toBe(
      '127.0.0.1',
    );
  });

  it('takes any address or host name (0.0.0.0 or :: in a container)', () => {
    for (const host of ['0.0.0.0', '::', '::1', '10.1.2.3', 'localhost', 'app.internal']) {
      expect(loadConfig({ HOST: host }).host).toBe(host);
    }
    expect(loadConfig({ HOST: '  0.0.0.0 ' }).host).toBe('0.0.0.0');
  });

  it('refuses what is neither, naming HOST', () => {
    for (const bad of ['0.0.0.0:3000', 'http://0.0.0.0', 'a b', '-bad-', 'x..y']) {
      let error: unknown;
      try {
        loadConfig({ HOST: bad });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message).toContain(`HOST must be`);
    }
  });
});
