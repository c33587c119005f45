// An oidc-provider (panva) authorization server for oauth2-core's interoperability tests.
//
//   node server.mjs <port>        (or PORT=<port> node server.mjs)
//
// Listens on 127.0.0.1 only, with issuer http://127.0.0.1:<port>, and prints
// "READY <issuer>" once it accepts connections.  Nothing here is persistent: the
// in-memory adapter and fresh keys on every start.
//
// The configuration below is ours; the protocol code is oidc-provider's.  Two things
// are added around it so tests run without a browser and say more than "it worked":
//   * /interaction/:uid finishes login and consent in code (devInteractions is off), so
//     a test follows redirects with a cookie jar and lands on the redirect_uri.
//   * each client must authenticate with the method it registered (oidc-provider
//     accepts Basic and body credentials interchangeably), so a client that silently
//     falls back from client_secret_post to client_secret_basic fails.

import { generateKeyPairSync } from 'node:crypto';
import * as http from 'node:http';

import Provider from 'oidc-provider';

const port = Number(process.argv[2] || process.env.PORT);
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error('usage: node server.mjs <port>');
  process.exit(2);
}
const issuer = `http://127.0.0.1:${port}`;

// The redirect_uri every browser-flow client registers.  Tests never fetch it: the
// headless helper stops at the redirect and hands the URL to complete_authorization.
const REDIRECT_URI = 'http://127.0.0.1/callback';
// Access tokens of this client live 2 seconds, so expiry and refresh happen for real.
const SHORT_LIVED_CLIENT = 'interop-short-lived';
const SHORT_ACCESS_TOKEN_TTL = 2;

const browserClient = {
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  redirect_uris: [REDIRECT_URI],
};

// One static client per token-endpoint authentication method.  Client ids and secrets
// are ASCII (oidc-provider requires it); the Basic one is full of characters that
// RFC 6749 section 2.3.1 says must be form-urlencoded before Base64.
const clients = [
  {
    ...browserClient,
    client_id: 'interop-public',
    token_endpoint_auth_method: 'none', // public: PKCE is required
  },
  {
    ...browserClient,
    grant_types: [...browserClient.grant_types, 'client_credentials'],
    client_id: 'a:b%c+d /e',
    client_secret: 's3:cr%et+ /&=?x',
    token_endpoint_auth_method: 'client_secret_basic',
  },
  {
    ...browserClient,
    grant_types: [...browserClient.grant_types, 'client_credentials'],
    client_id: 'interop-post',
    client_secret: 'interop-post-secret',
    token_endpoint_auth_method: 'client_secret_post',
  },
  {
    ...browserClient,
    client_id: SHORT_LIVED_CLIENT,
    client_secret: 'interop-short-lived-secret',
    token_endpoint_auth_method: 'client_secret_basic',
  },
  {
    client_id: 'interop-device',
    grant_types: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: 'none',
  },
  // client_secret_jwt / private_key_jwt / DPoP-bound clients: added with those features.
];

// Any login succeeds: the account id is the login_hint (or "interop-user").
async function findAccount(ctx, accountId) {
  return {
    accountId,
    async claims() {
      return {
        sub: accountId,
        email: `${accountId}@example.test`,
        email_verified: true,
        name: `Interop ${accountId}`,
        preferred_username: accountId,
      };
    },
  };
}

// Minimal device-flow pages around the forms oidc-provider builds (the forms carry the
// xsrf token the headless helper posts back).
function page(title, body) {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${title}</title></head>`
    + `<body><h1>${title}</h1>${body}</body></html>`;
}

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'interop-rs256', use: 'sig', alg: 'RS256' };

const configuration = {
  clients,
  findAccount,
  // oidc-provider's defaults, spelled out: the tests build their Provider from these paths
  // (only the discovery tests read them from /.well-known/openid-configuration).
  routes: {
    authorization: '/auth',
    token: '/token',
    revocation: '/token/revocation',
    introspection: '/token/introspection',
    userinfo: '/me',
    device_authorization: '/device/auth',
    code_verification: '/device',
    jwks: '/jwks',
    pushed_authorization_request: '/request',
  },
  jwks: { keys: [signingKey] },
  cookies: { keys: ['interop-cookie-key-not-secret'] },
  // The default tolerance (15 s) would accept an expired token for 15 more seconds.
  clockTolerance: 0,
  rotateRefreshToken: true,
  scopes: ['openid', 'offline_access', 'api:read', 'api:write'],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'preferred_username'],
  },
  ttl: {
    AccessToken: (ctx, token, client) => (
      client.clientId === SHORT_LIVED_CLIENT ? SHORT_ACCESS_TOKEN_TTL : 3600),
    AuthorizationCode: 60,
    ClientCredentials: 600,
    DeviceCode: 600,
    Grant: 3600,
    IdToken: 3600,
    Interaction: 600,
    RefreshToken: 3600,
    Session: 3600,
  },
  features: {
    devInteractions: { enabled: false }, // replaced by the /interaction/:uid route below
    clientCredentials: { enabled: true },
    // Confidential clients may introspect any token (as RFC 7662 resource servers do),
    // public clients only their own; every client may revoke only its own tokens.
    introspection: {
      enabled: true,
      allowedPolicy: async (ctx, client, token) => (
        client.clientAuthMethod !== 'none' || token.clientId === client.clientId),
    },
    revocation: {
      enabled: true,
      allowedPolicy: async (ctx, client, token) => token.clientId === client.clientId,
    },
    deviceFlow: {
      enabled: true,
      userCodeInputSource: async (ctx, form) => { ctx.body = page('Enter code', form); },
      userCodeConfirmSource: async (ctx, form) => { ctx.body = page('Confirm device', form); },
      successSource: async (ctx) => { ctx.body = page('Sign-in Success', ''); },
    },
    // oidc-provider 9 enables these by default; they are spelled out here so the issues
    // that test PAR, DPoP and resource indicators configure them in one place.
    pushedAuthorizationRequests: { enabled: true },
    dPoP: { enabled: true },
    resourceIndicators: { enabled: true },
  },
};

const provider = new Provider(issuer, configuration);

// Enforce each client's registered authentication method (see the header comment).
// Provider.ctx is the request being served; a secret sent in the body is client_secret_post.
const compareClientSecret = provider.Client.prototype.compareClientSecret;
provider.Client.prototype.compareClientSecret = async function strictCompare(secret) {
  const ctx = Provider.ctx;
  const used = ctx?.oidc?.params?.client_secret ? 'client_secret_post' : 'client_secret_basic';
  if (used !== this.clientAuthMethod) {
    return false; // answered as invalid_client, like any wrong secret
  }
  return compareClientSecret.call(this, secret);
};

// Login and consent without a browser: whatever the prompt, grant what it asks for.
// login_hint=deny makes the user refuse (the client then sees access_denied).
async function finishInteraction(req, res) {
  const details = await provider.interactionDetails(req, res);
  const { prompt, params, session } = details;
  if (params.login_hint === 'deny') {
    await provider.interactionFinished(req, res, {
      error: 'access_denied', error_description: 'the test user refused',
    }, { mergeWithLastSubmission: false });
    return;
  }
  if (prompt.name === 'login') {
    const accountId = params.login_hint || 'interop-user';
    await provider.interactionFinished(req, res, { login: { accountId } });
    return;
  }
  if (prompt.name !== 'consent') {
    throw new Error(`unexpected prompt ${prompt.name}`);
  }
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  const missing = prompt.details;
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes || {})) {
    grant.addResourceScope(indicator, scopes.join(' '));
  }
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { consent: { grantId } });
}

const INTERACTION = /^\/interaction\/[A-Za-z0-9_-]+$/;
const handle = provider.callback();

const server = http.createServer((req, res) => {
  const { pathname } = new URL(req.url, issuer);
  if (req.method === 'GET' && INTERACTION.test(pathname)) {
    finishInteraction(req, res).catch((err) => {
      console.error('interaction failed:', err);
      res.statusCode = 500;
      res.setHeader('Content-Type', 'text/plain');
      res.end(`interaction failed: ${err.message}\n`);
    });
    return;
  }
  handle(req, res);
});

server.listen(port, '127.0.0.1', () => {
  console.log(`READY ${issuer}`);
});

// Nothing to flush (all state is in memory): stop at once, keep-alive sockets or not.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => process.exit(0));
}
