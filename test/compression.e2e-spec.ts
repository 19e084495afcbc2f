import { gunzipSync } from 'node:zlib';
import { acceptsGzip, COMPRESS_FROM_BYTES } from '../src/common/compression';
import { TestContext } from './harness';

describe('compression of large answers', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await TestContext.create();
  });
  afterAll(() => ctx.close());

  /** The answer as sent, bytes untouched (supertest would gunzip them). */
  const raw = async (path: string, acceptEncoding: string) => {
    const res = await ctx.app
      .getHttpAdapter()
      .getInstance()
      .inject({ method: 'GET', url: path, headers: { 'accept-encoding': acceptEncoding } });
    expect(res.statusCode).toBe(200);
    return { headers: res.headers, body: res.rawPayload };
  };

  it('gzips a large answer for a client that takes gzip, and sends it as is to one that does not', async () => {
    const plain = await raw('/docs-json', 'identity');
    const body = plain.body;
    expect(body.length).toBeGreaterThan(COMPRESS_FROM_BYTES);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers.vary).toMatch(/accept-encoding/i);

    const zipped = await raw('/docs-json', 'gzip, deflate, br');
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers.vary).toMatch(/accept-encoding/i);
    const packed = zipped.body;
    expect(packed.length).toBeLessThan(body.length / 4);
    expect(JSON.parse(gunzipSync(packed).toString('utf8'))).toEqual(JSON.parse(body.toString()));
  });

  it('leaves small answers alone', async () => {
    const res = await raw('/health', 'gzip');
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(res.body.toString())).toBeTruthy();
  });

  it('reads Accept-Encoding with its weights', () => {
    expect(acceptsGzip('gzip')).toBe(true);
    expect(acceptsGzip('br, gzip;q=0.5')).toBe(true);
    expect(acceptsGzip('gzip;q=0')).toBe(false);
    expect(acceptsGzip('gzip; q=0.0')).toBe(false);
    expect(acceptsGzip('*')).toBe(true);
    expect(acceptsGzip('*;q=0')).toBe(false);
    expect(acceptsGzip('gzip;q=0, *')).toBe(false);
    expect(acceptsGzip('identity')).toBe(false);
    expect(acceptsGzip(undefined)).toBe(false);
    expect(acceptsGzip(['deflate', 'GZIP'])).toBe(true);
  });
});
