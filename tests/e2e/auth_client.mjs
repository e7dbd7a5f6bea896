// Better Auth's official JS client against a running `raypx serve`.
// Usage: node auth_client.mjs BASE_URL EMAIL ; prints one JSON object of observations.
import { createAuthClient } from "better-auth/client";

const [base, email] = process.argv.slice(2);
const jar = new Map();

// Node's fetch keeps no cookies and always sends Sec-Fetch-Mode, so act like a browser on
// the app's own origin: keep a cookie jar and send Origin.
async function browserFetch(input, init = {}) {
  const headers = new Headers(init.headers || {});
  headers.set("origin", base);
  if (jar.size) headers.set("cookie", [...jar].map(([k, v]) => `${k}=${v}`).join("; "));
  const response = await fetch(input, { ...init, headers });
  for (const line of response.headers.getSetCookie()) {
    const [pair, ...attributes] = line.split("; ");
    const at = pair.indexOf("=");
    const name = pair.slice(0, at);
    if (attributes.includes("Max-Age=0")) jar.delete(name);
    else jar.set(name, pair.slice(at + 1));
  }
  return response;
}

const client = createAuthClient({ baseURL: base, fetchOptions: { customFetchImpl: browserFetch } });
const out = {};
const err = (e) => (e ? { status: e.status, code: e.code, message: e.message } : null);

let r = await client.signUp.email({ name: "E2E User", email, password: "password123" });
out.signUp = { error: err(r.error), email: r.data?.user?.email, token: r.data?.token };
r = await client.getSession();
out.getSession = { error: err(r.error), email: r.data?.user?.email, token: r.data?.session?.token };
r = await client.signUp.email({ name: "Again", email, password: "password123" });
out.duplicate = { error: err(r.error) };
r = await client.signOut();
out.signOut = { error: err(r.error), data: r.data, cookies: [...jar.keys()] };
r = await client.getSession();
out.afterSignOut = { data: r.data };
r = await client.signIn.email({ email, password: "wrong-password" });
out.wrongPassword = { error: err(r.error) };
r = await client.signIn.email({ email, password: "password123" });
out.signIn = { error: err(r.error), email: r.data?.user?.email, token: r.data?.token };
r = await client.changePassword({
  currentPassword: "password123",
  newPassword: "password456",
  revokeOtherSessions: true,
});
out.changePassword = { error: err(r.error), token: r.data?.token };
r = await client.updateUser({ name: "Renamed" });
out.updateUser = { error: err(r.error), data: r.data };
r = await client.getSession();
out.renamed = { name: r.data?.user?.name };
r = await client.listSessions();
out.listSessions = { error: err(r.error), count: r.data?.length, tokens: r.data?.map((s) => s.token) };
r = await client.getSession();
out.sessionAfterChange = { token: r.data?.session?.token };
r = await client.signOut();
out.finalSignOut = { error: err(r.error), data: r.data };
r = await client.getSession();
out.finalSession = { data: r.data };
console.log(JSON.stringify(out));
