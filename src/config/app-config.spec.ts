import { ConfigError, loadConfig } from './app-config';

describe(loadConfig.name, () => {
  it('gives working defaults for a bare machine', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.databaseUrl).toBeUndefined();
    expect(c.embeddedPgPort).not.toBe(5432);
    expect(c.twilio).toBeUndefined();
    expect(c.publicBaseUrl).toBe('http://localhost:3000');
  });

  it('names every bad variable in one error', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: 'abc',
        DATABASE_URL: 'mysql://x',
        LOG_LEVEL: 'loud',
        ADMIN_EMAIL: 'a@b.c',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const text = (error as ConfigError).message;
    for (const name of ['PORT', 'DATABASE_URL', 'LOG_LEVEL', 'ADMIN_PASSWORD']) {
      expect(text).toContain(name);
    }
  });

  it('refuses a partial Twilio configuration, naming the missing variables', () => {
    expect(() => loadConfig({ TWILIO_ACCOUNT_SID: 'AC1', TWILIO_AUTH_TOKEN: 't' })).toThrow(
      /missing: TWILIO_API_KEY_SID, TWILIO_API_KEY_SECRET, TWILIO_TWIML_APP_SID/,
    );
  });

  it('uses Twilio when all of its variables are set', () => {
    const c = loadConfig({
      TWILIO_ACCOUNT_SID: 'AC1',
      TWILIO_AUTH_TOKEN: 't',
      TWILIO_API_KEY_SID: 'SK1',
      TWILIO_API_KEY_SECRET: 's',
      TWILIO_TWIML_APP_SID: 'AP1',
    });
    expect(c.twilio?.twimlAppSid).toBe('AP1');
  });

  it('requires JWT_SECRET in production and never echoes a database password', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET/);
    expect(() => loadConfig({ DATABASE_URL: 'http://u:hunter2@h/db' })).toThrow(/u:\*\*\*@/);
    expect(() => loadConfig({ DATABASE_URL: 'http://u:hunter2@h/db' })).not.toThrow(/hunter2/);
  });

  it('gives up reconciling a call after 6 hours unless told otherwise, within an hour to a week', () => {
    expect(loadConfig({}).reconcileGiveUpSeconds).toBe(21600);
    expect(loadConfig({ RECONCILE_GIVE_UP_SECONDS: '3600' }).reconcileGiveUpSeconds).toBe(3600);
    expect(loadConfig({ RECONCILE_GIVE_UP_SECONDS: '604800' }).reconcileGiveUpSeconds).toBe(604800);
    for (const bad of ['3599', '604801', '1.5', 'six hours']) {
      expect(() => loadConfig({ RECONCILE_GIVE_UP_SECONDS: bad })).toThrow(
        /RECONCILE_GIVE_UP_SECONDS must be an integer from 3600 to 604800/,
      );
    }
  });

  it('reads the per-state daily call limits, defaulting to Florida, Oklahoma and Maryland at 3', () => {
    expect(loadConfig({}).stateDailyCallLimits).toEqual({ FL: 3, OK: 3, MD: 3 });
    expect(loadConfig({ STATE_DAILY_CALL_LIMITS: 'fl:2, TX:5' }).stateDailyCallLimits).toEqual({
      FL: 2,
      TX: 5,
    });
    expect(() => loadConfig({ STATE_DAILY_CALL_LIMITS: 'Florida=3' })).toThrow(
      /STATE_DAILY_CALL_LIMITS/,
    );
  });

  it('bounds the pool wait and the streams, leaving streams less than the pool', () => {
    const c = loadConfig({});
    expect(c.database).toEqual({ poolSize: 10, acquireTimeoutMs: 5000 });
    expect(c.streams).toEqual({ writeTimeoutSeconds: 30, perKey: 2, perClient: 4, total: 5 });
    const set = loadConfig({
      DB_POOL_SIZE: '20',
      DB_POOL_ACQUIRE_TIMEOUT_MS: '1500',
      STREAM_WRITE_TIMEOUT_SECONDS: '5',
      STREAMS_PER_KEY: '1',
      STREAMS_PER_CLIENT: '3',
    });
    expect(set.database).toEqual({ poolSize: 20, acquireTimeoutMs: 1500 });
    // The instance's cap follows the pool (half of it) unless set.
    expect(set.streams).toEqual({ writeTimeoutSeconds: 5, perKey: 1, perClient: 3, total: 10 });
    expect(loadConfig({ DB_POOL_SIZE: '3', STREAMS_MAX: '2' }).streams.total).toBe(2);
    expect(() => loadConfig({ DB_POOL_SIZE: '4', STREAMS_MAX: '4' })).toThrow(
      /STREAMS_MAX must be less than DB_POOL_SIZE/,
    );
    expect(() => loadConfig({ DB_POOL_ACQUIRE_TIMEOUT_MS: '0' })).toThrow(
      /DB_POOL_ACQUIRE_TIMEOUT_MS must be an integer/,
    );
    expect(() => loadConfig({ STREAM_WRITE_TIMEOUT_SECONDS: '0' })).toThrow(
      /STREAM_WRITE_TIMEOUT_SECONDS must be an integer/,
    );
  });

  it('takes TRUST_PROXY as a hop count or proxy addresses, never "trust every hop"', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '0' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(
      loadConfig({ TRUST_PROXY: '10.0.0.0/8, 192.0.2.7 ,loopback,fd00::/8,2001:db8::1' })
        .trustProxy,
    ).toEqual(['10.0.0.0/8', '192.0.2.7', 'loopback', 'fd00::/8', '2001:db8::1']);
    // The old `true` trusted the client-written leftmost X-Forwarded-For: a clear start-up error.
    expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY=true is no longer/);
    expect(() => loadConfig({ TRUST_PROXY: 'yes' })).toThrow(/TRUST_PROXY=true is no longer/);
    for (const bad of [
      '11',
      '0.0.0.0/0',
      '0.0.0.0/1',
      '::/0',
      '::/6',
      'proxy.example',
      '10.0.0.0/33',
      ',',
    ]) {
      expect(() => loadConfig({ TRUST_PROXY: bad })).toThrow(/TRUST_PROXY must be/);
    }
  });
});
