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
});
