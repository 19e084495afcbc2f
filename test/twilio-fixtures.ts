/** What the Twilio tests configure: a public URL and credentials of the right shapes (fake). */
export const TWILIO_BASE = 'https://desk.example.com';
export const TWILIO_CREDS = {
  accountSid: 'AC' + '1'.repeat(32),
  authToken: 'test-auth-token-0123456789abcdef',
  apiKeySid: 'SK' + '2'.repeat(32),
  apiKeySecret: 'test-api-key-secret-0123456789',
  twimlAppSid: 'AP' + '3'.repeat(32),
};
