// Runs every graphql-http server audit (GraphQL-over-HTTP conformance) against a running
// Medtour server and fails when a MUST or SHOULD audit fails; MAY audits are reported only.
//
//   AUDIT_URL=http://127.0.0.1:8080/graphql AUDIT_TOKEN=<bearer token> node audit.mjs
//
// Every GraphQL operation needs a bearer token, so a custom fetch adds one to each request;
// without it every audit would only see 401s.
import { serverAudits } from 'graphql-http';

const url = process.env.AUDIT_URL;
const token = process.env.AUDIT_TOKEN;
if (!url || !token) {
  console.error('audit: set AUDIT_URL (the /graphql endpoint) and AUDIT_TOKEN (a bearer token)');
  process.exit(2);
}

/** `fetch` with `authorization: Bearer $AUDIT_TOKEN` added to every request. */
async function fetchWithToken(input, init = {}) {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${token}`);
  return fetch(input, { ...init, headers });
}

/** The requirement level an audit name starts with: MUST, SHOULD or MAY. */
const level = (name) => name.split(' ', 1)[0];

/** A short description of the response an audit failed on. */
async function describe(response) {
  if (!response) return '';
  let body = '';
  try {
    body = (await response.clone().text()).replace(/\s+/g, ' ').slice(0, 300);
  } catch {
    // The body was already read by the audit; the status is enough.
  }
  return ` [HTTP ${response.status} ${response.headers.get('content-type') ?? '(no content-type)'}] ${body}`;
}

const counts = { ok: 0, MUST: 0, SHOULD: 0, MAY: 0 };
for (const audit of serverAudits({ url, fetchFn: fetchWithToken })) {
  const requirement = level(audit.name);
  let result;
  try {
    result = await audit.fn();
  } catch (error) {
    // graphql-http throws only on fatal errors (e.g. connection refused): count it as a failure.
    result = { status: 'fatal', reason: String(error?.stack ?? error) };
  }
  if (result.status === 'ok') {
    counts.ok += 1;
    console.log(`ok      ${audit.id}  ${audit.name}`);
    continue;
  }
  counts[requirement] += 1;
  const tag = requirement === 'MAY' ? 'info' : 'FAIL';
  console.log(`${tag.padEnd(7)} ${audit.id}  ${audit.name}\n        ${result.reason}${await describe(result.response)}`);
}

const total = counts.ok + counts.MUST + counts.SHOULD + counts.MAY;
console.log(
  `\naudit: ${total} audits, ${counts.ok} passed, ${counts.MUST} MUST failed, ${counts.SHOULD} SHOULD failed, ` +
    `${counts.MAY} MAY not met (informational)`,
);
process.exit(counts.MUST + counts.SHOULD > 0 ? 1 : 0);
