/**
 * SQL: `phone` (an SQL expression) is on a do-not-call list that binds a campaign of client
 * `clientId` (SQL), a consumer campaign when `consumer` (SQL) is true: the agency's and the
 * client's own lists always, national registry numbers only for consumer campaigns. The one
 * statement of the rule for the claim, the dial, the import and what a caller is shown.
 */
export function onDoNotCall(phone: string, clientId: string, consumer: string): string {
  return `EXISTS (SELECT 1 FROM dnc_numbers d WHERE d.phone = ${phone}
                     AND (d.client_id IS NULL OR d.client_id = ${clientId})
                     AND (d.source <> 'registry' OR ${consumer}))`;
}
