// Better Auth's official client plugins (emailOTPClient, magicLinkClient, apiKeyClient)
// against a running `raypx serve`. Mail is read from the server's outbox file.
// Usage: node auth_plugins_client.mjs BASE_URL OUTBOX ; prints one JSON object of observations.
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { createAuthClient } from "better-auth/client";
import { emailOTPClient, magicLinkClient, twoFactorClient } from "better-auth/client/plugins";
import { apiKeyClient } from "@better-auth/api-key/client";

const [base, outbox] = process.argv.slice(2);
const jar = new Map();
let address = 0;

// A browser on the app's own origin (cookie jar, Origin), arriving each time from another
// address: the server trusts 127.0.0.1 as a proxy, so every request gets its own
// rate-limit bucket and the flows below can show their error cases.
async function browserFetch(input, init = {}) {
  const headers = new Headers(init.headers || {});
  headers.set("origin", base);
  address += 1;
  headers.set("x-forwarded-for", `10.99.${Math.floor(address / 250)}.${(address % 250) + 1}`);
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

const client = createAuthClient({
  baseURL: base,
  plugins: [emailOTPClient(), magicLinkClient(), twoFactorClient(), apiKeyClient()],
  fetchOptions: { customFetchImpl: browserFetch },
});
const out = {};
const err = (e) => (e ? { status: e.status, code: e.code, message: e.message } : null);

function mailsTo(to) {
  let text = "";
  try {
    text = readFileSync(outbox, "utf8");
  } catch {
    return []; // nothing sent yet
  }
  return text.split("\n").filter(Boolean).map(JSON.parse).filter((m) => m.to === to);
}
// Mail goes out after the response: wait (with a deadline) for the one `send` causes.
async function mailFrom(to, send) {
  const before = mailsTo(to).length;
  const result = await send();
  const deadline = Date.now() + 10000;
  while (mailsTo(to).length <= before) {
    if (Date.now() > deadline) throw new Error(`no mail to ${to}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return [result, mailsTo(to).at(-1)];
}
const codeIn = (mail) => mail.text.match(/\b(\d{6})\b/)[1];
const wrongFor = (code) => (code === "000000" ? "111111" : "000000");

// --- email OTP: sign-in (new user), wrong, reused, too many attempts, expired-like reuse
const otpEmail = "otp@example.com";
let [r, mail] = await mailFrom(otpEmail, () =>
  client.emailOtp.sendVerificationOtp({ email: otpEmail, type: "sign-in" }),
);
out.sendOtp = { error: err(r.error), data: r.data };
let code = codeIn(mail);
r = await client.signIn.emailOtp({ email: otpEmail, otp: wrongFor(code) });
out.otpWrong = { error: err(r.error) };
r = await client.signIn.emailOtp({ email: otpEmail, otp: code });
out.otpSignIn = { error: err(r.error), email: r.data?.user?.email, verified: r.data?.user?.emailVerified };
r = await client.getSession();
out.otpSession = { email: r.data?.user?.email };
r = await client.signIn.emailOtp({ email: otpEmail, otp: code });
out.otpReused = { error: err(r.error) };
await client.signOut();
[r, mail] = await mailFrom(otpEmail, () =>
  client.emailOtp.sendVerificationOtp({ email: otpEmail, type: "sign-in" }),
);
code = codeIn(mail);
out.otpAttempts = [];
for (let i = 0; i < 3; i++) {
  r = await client.signIn.emailOtp({ email: otpEmail, otp: wrongFor(code) });
  out.otpAttempts.push(err(r.error)?.code);
}
r = await client.signIn.emailOtp({ email: otpEmail, otp: code });
out.otpTooMany = { error: err(r.error) };

// --- email OTP: reset password by code
await client.signUp.email({ name: "Reset", email: "reset@example.com", password: "password123" });
await client.signOut();
[r, mail] = await mailFrom("reset@example.com", () =>
  client.emailOtp.requestPasswordReset({ email: "reset@example.com" }),
);
out.resetRequest = { error: err(r.error), data: r.data };
code = codeIn(mail);
r = await client.emailOtp.resetPassword({ email: "reset@example.com", otp: code, password: "password456" });
out.reset = { error: err(r.error), data: r.data };
r = await client.signIn.email({ email: "reset@example.com", password: "password456" });
out.resetSignIn = { error: err(r.error), email: r.data?.user?.email };

// --- email OTP: verify email by code
[r, mail] = await mailFrom("reset@example.com", () =>
  client.emailOtp.sendVerificationOtp({ email: "reset@example.com", type: "email-verification" }),
);
code = codeIn(mail);
r = await client.emailOtp.verifyEmail({ email: "reset@example.com", otp: wrongFor(code) });
out.verifyWrong = { error: err(r.error) };
r = await client.emailOtp.verifyEmail({ email: "reset@example.com", otp: code });
out.verifyEmail = { error: err(r.error), verified: r.data?.user?.emailVerified };
await client.signOut();

// --- two-factor: TOTP setup, sign-in redirect, wrong code, trusted device, backup code
// (single use), OTP by mail, disable. TOTP computed here as an authenticator app would.
function totpNow(secret, shift = 0) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const ch of secret.toUpperCase()) bits += alphabet.indexOf(ch).toString(2).padStart(5, "0");
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor((Date.now() / 1000 + shift) / 30)));
  const mac = createHmac("sha1", key).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1e6).padStart(6, "0");
}
// A code that no step the server accepts (previous, current, next) matches.
const wrongTotp = (secret) => {
  const accepted = [-30, 0, 30].map((offset) => totpNow(secret, offset));
  return ["000000", "111111", "222222", "333333"].find((c) => !accepted.includes(c));
};
const tfEmail = "tf@example.com";
const tfSignIn = () => client.signIn.email({ email: tfEmail, password: "password123" });
await client.signUp.email({ name: "Two", email: tfEmail, password: "password123" });
r = await client.twoFactor.enable({ password: "wrong-password" });
out.tfEnableWrong = { error: err(r.error) };
r = await client.twoFactor.enable({ password: "password123" });
const secret = new URL(r.data.totpURI).searchParams.get("secret");
const backupCodes = r.data.backupCodes;
out.tfEnable = { error: err(r.error), uri: r.data.totpURI.split("?")[0], codes: backupCodes.length };
r = await client.twoFactor.verifyTotp({ code: totpNow(secret) });
out.tfConfirm = { error: err(r.error), enabled: r.data?.user?.twoFactorEnabled };
await client.signOut();
r = await tfSignIn();
out.tfRedirect = { error: err(r.error), data: r.data };
r = await client.getSession();
out.tfNoSessionYet = { data: r.data };
r = await client.twoFactor.verifyTotp({ code: wrongTotp(secret) });
out.tfWrong = { error: err(r.error) };
r = await client.twoFactor.verifyTotp({ code: totpNow(secret), trustDevice: true });
out.tfTotp = { error: err(r.error), hasToken: !!r.data?.token, trusted: jar.has("better-auth.trust_device") };
r = await client.getSession();
out.tfSession = { twoFactorEnabled: r.data?.user?.twoFactorEnabled };
await client.signOut();
r = await tfSignIn();
out.tfTrusted = { error: err(r.error), redirect: r.data?.twoFactorRedirect ?? false, email: r.data?.user?.email };
await client.signOut();
jar.delete("better-auth.trust_device");
await tfSignIn();
r = await client.twoFactor.verifyBackupCode({ code: backupCodes[0] });
out.tfBackup = { error: err(r.error), hasToken: !!r.data?.token };
await client.signOut();
await tfSignIn();
r = await client.twoFactor.verifyBackupCode({ code: backupCodes[0] });
out.tfBackupReused = { error: err(r.error) };
[r, mail] = await mailFrom(tfEmail, () => client.twoFactor.sendOtp());
out.tfSendOtp = { error: err(r.error), data: r.data };
r = await client.twoFactor.verifyOtp({ code: codeIn(mail) });
out.tfOtp = { error: err(r.error), hasToken: !!r.data?.token };
r = await client.twoFactor.disable({ password: "password123" });
out.tfDisable = { error: err(r.error), data: r.data };
await client.signOut();
r = await tfSignIn();
out.tfAfterDisable = { redirect: r.data?.twoFactorRedirect ?? false, email: r.data?.user?.email };
await client.signOut();

// --- magic link: sign-up by link, reused link
const linkEmail = "link@example.com";
[r, mail] = await mailFrom(linkEmail, () => client.signIn.magicLink({ email: linkEmail, name: "Linked" }));
out.magicSend = { error: err(r.error), data: r.data };
const token = new URL(mail.url).searchParams.get("token");
r = await client.magicLink.verify({ query: { token } });
out.magicVerify = { error: err(r.error), email: r.data?.user?.email, hasToken: !!r.data?.token };
r = await client.getSession();
out.magicSession = { email: r.data?.user?.email, name: r.data?.user?.name };
await client.signOut();
const reused = await browserFetch(`${base}/api/auth/magic-link/verify?token=${token}`, { redirect: "manual" });
out.magicReused = { status: reused.status, location: reused.headers.get("location") };

// --- API keys: create (shown once), use on the JSON API, list, update, delete
await client.signIn.email({ email: "reset@example.com", password: "password456" });
r = await client.apiKey.create({ name: "e2e" });
out.keyCreate = { error: err(r.error), prefix: r.data?.key?.slice(0, 4), id: r.data?.id, name: r.data?.name };
const key = r.data?.key;
let me = await fetch(`${base}/api/me`, { headers: { "x-api-key": key } });
out.keyUse = { status: me.status, email: (await me.json()).user?.email };
r = await client.apiKey.list();
out.keyList = { error: err(r.error), total: r.data?.total, keys: r.data?.apiKeys?.map((k) => "key" in k) };
r = await client.apiKey.update({ keyId: out.keyCreate.id, name: "renamed", enabled: false });
out.keyUpdate = { error: err(r.error), name: r.data?.name, enabled: r.data?.enabled };
me = await fetch(`${base}/api/me`, { headers: { "x-api-key": key } });
out.keyDisabled = { status: me.status, code: (await me.json()).code };
r = await client.apiKey.delete({ keyId: out.keyCreate.id });
out.keyDelete = { error: err(r.error), data: r.data };
me = await fetch(`${base}/api/me`, { headers: { authorization: `Bearer ${key}` } });
out.keyDeleted = { status: me.status, code: (await me.json()).code };
out.secrets = { key };
console.log(JSON.stringify(out));
