import { hashApiKey, looksLikeApiKey, newApiKey } from './api-key-format';

describe('API key format', () => {
  it('makes distinct keys whose prefix is visible and whose hash is not the key', () => {
    const a = newApiKey();
    const b = newApiKey();
    expect(a.key).not.toBe(b.key);
    expect(a.key.startsWith(a.prefix)).toBe(true);
    expect(a.prefix).toMatch(/^rdk_.{8}$/);
    expect(a.hash).toBe(hashApiKey(a.key));
    expect(a.hash).not.toContain(a.key.slice(4));
    expect(looksLikeApiKey(a.key)).toBe(true);
    expect(looksLikeApiKey('eyJhbGciOi...')).toBe(false);
  });
});
