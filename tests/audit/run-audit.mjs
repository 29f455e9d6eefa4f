// Runs graphql-http's GraphQL-over-HTTP server audits against a running endpoint and prints
// the results as one JSON document on stdout (tests/test_graphql_http_audit.py reads it).
//
//   node tests/audit/run-audit.mjs http://127.0.0.1:8000/graphql
//
// Exit status: 0 when the audits ran (whatever their results), 2 on bad usage; a crash (such
// as an unreachable server) exits non-zero with the error on stderr.
import { auditServer } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node run-audit.mjs <graphql endpoint url>');
  process.exit(2);
}

const results = await auditServer({ url });
const counts = { ok: 0, notice: 0, warn: 0, error: 0 };
const report = [];
for (const result of results) {
  counts[result.status] += 1;
  const entry = { id: result.id, name: result.name, status: result.status };
  if (result.status !== 'ok') {
    entry.reason = result.reason;
    // The response that failed the audit, so a failure can be understood from the log alone.
    entry.response = {
      status: result.response.status,
      contentType: result.response.headers.get('content-type'),
      body: (await result.response.text()).slice(0, 500),
    };
  }
  report.push(entry);
}
process.stdout.write(JSON.stringify({ total: results.length, counts, results: report }, null, 2) + '\n');
