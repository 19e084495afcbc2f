import { TestContext } from './harness';

describe('health and docs', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await TestContext.create();
  });
  afterAll(() => ctx.close());

  it('answers /health with the database reachable', async () => {
    const res = await ctx.http().get('/health').expect(200);
    expect(res.body).toEqual({ status: 'ok', database: 'up' });
  });

  it('serves the OpenAPI document generated from the code, and its page', async () => {
    const json = await ctx.http().get('/docs-json').expect(200);
    expect(json.body.openapi).toMatch(/^3\./);
    expect(Object.keys(json.body.paths)).toEqual(
      expect.arrayContaining([
        '/auth/login',
        '/clients',
        '/clients/{id}/api-keys',
        '/v1/me',
        '/users',
      ]),
    );
    const loginBody = json.body.components.schemas.LoginDto;
    expect(loginBody.required).toEqual(expect.arrayContaining(['email', 'password']));
    const page = await ctx.http().get('/docs').redirects(1).expect(200);
    expect(page.text).toContain('swagger');
  });

  it('answers an unknown route with the error shape', async () => {
    const res = await ctx.http().get('/no-such-route').expect(404);
    expect(res.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
    expect(typeof res.body.message).toBe('string');
  });
});
