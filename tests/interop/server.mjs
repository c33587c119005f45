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
//   * two grant types oidc-provider does not implement, registered through its
//     registerGrantType() extension point: the JWT bearer grant (RFC 7523 section 2.1)
//     and token exchange (RFC 8693).  Their policy is ours (see the handlers); client
//     authentication, parameter parsing, DPoP/replay machinery and error responses
//     around them are oidc-provider's.

import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import * as http from 'node:http';

import { createLocalJWKSet, jwtVerify } from 'jose'; // oidc-provider's own JOSE library
import Provider, { errors } from 'oidc-provider';

const port = Number(process.argv[2] || process.env.PORT);
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error('usage: node server.mjs <port>');
  process.exit(2);
}
const issuer = `http://127.0.0.1:${port}`;

// The redirect_uri every browser-flow client registers.  Tests never fetch it: the
// headless helper stops at the redirect and hands the URL to complete_authorization.
const REDIRECT_URI = 'http://127.0.0.1/callback';
const POST_LOGOUT_REDIRECT_URI = 'http://127.0.0.1/signed-out';
// Access tokens of these clients live 2 seconds, so expiry and renewal happen for real.
const SHORT_LIVED_CLIENTS = new Set([
  'interop-short-lived', 'interop-dpop-short-lived', 'interop-service-short-lived',
]);
const SHORT_ACCESS_TOKEN_TTL = 2;

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

// The public halves of the test clients' P-256 keys.  The private halves are derived in
// test_interop_advanced.py from the same labels ("oauth2-core interop key A"/"B").
const KEY_A = {
  kty: 'EC', crv: 'P-256', kid: 'interop-key-a',
  x: '1gsdia4zSB2hpHTSoL9prBVeMpXZsrVZIly5KTI2tEo',
  y: 'o-dUCEaXySnW2_Fn0dP83butak0IPZfWz8an7QXI7Ko',
};
const KEY_B = {
  kty: 'EC', crv: 'P-256', kid: 'interop-key-b',
  x: 'YTU1ebrbm0yTkjSv5xU62-Hdr4vYA2G-Kvf8Jftpckw',
  y: 'eTK4aYiEvDST_BJFa9uuLU-uruf24S4xcpiCOuaYCUE',
};

// Resource indicators (RFC 8707) this server knows; their access tokens are JWTs.
const RESOURCE_SERVERS = {
  'https://api.interop.test/': 'api:read api:write',
  'https://reports.interop.test/': 'api:read',
};

const browserClient = {
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  redirect_uris: [REDIRECT_URI],
  post_logout_redirect_uris: [POST_LOGOUT_REDIRECT_URI],
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
    authorization_details_types: ['interop_payment'],
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
    client_id: 'interop-short-lived',
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
  // RFC 7523 client authentication.
  {
    ...browserClient,
    grant_types: [...browserClient.grant_types, 'client_credentials', JWT_BEARER,
      TOKEN_EXCHANGE],
    client_id: 'interop-private-key-jwt',
    token_endpoint_auth_method: 'private_key_jwt',
    jwks: { keys: [KEY_A] },
  },
  {
    client_id: 'interop-service-short-lived',
    grant_types: [JWT_BEARER],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: 'private_key_jwt',
    jwks: { keys: [KEY_A] },
  },
  {
    ...browserClient,
    grant_types: [...browserClient.grant_types, 'client_credentials'],
    client_id: 'interop-client-secret-jwt',
    client_secret: 'interop-client-secret-jwt-0123456789abcdef',
    token_endpoint_auth_method: 'client_secret_jwt',
  },
  // RFC 9126: this client's authorization requests must be pushed.
  {
    ...browserClient,
    client_id: 'interop-par-required',
    client_secret: 'interop-par-required-secret',
    token_endpoint_auth_method: 'client_secret_basic',
    require_pushed_authorization_requests: true,
  },
  // RFC 9101: this client's authorization requests must be signed with key B.
  {
    ...browserClient,
    client_id: 'interop-jar',
    token_endpoint_auth_method: 'private_key_jwt',
    jwks: { keys: [KEY_B] },
    require_signed_request_object: true,
    request_object_signing_alg: 'ES256',
  },
  // RFC 9449: public clients whose tokens are all DPoP-bound.
  {
    ...browserClient,
    client_id: 'interop-dpop',
    token_endpoint_auth_method: 'none',
    dpop_bound_access_tokens: true,
  },
  {
    ...browserClient,
    client_id: 'interop-dpop-short-lived',
    token_endpoint_auth_method: 'none',
    dpop_bound_access_tokens: true,
  },
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

// The key pair comes back as PEM and is read into a key object of its own before the
// JWK export.  Exporting the generated key object itself hung Node 20 about once in 120
// starts: the export holds the key's lock while it builds the JWK, and a garbage
// collection in the middle of it destroys the finished key-generation job, which takes
// the same lock (gdb: ~KeyGenJob waiting in ExportJWKRsaKey).  Both halves come back as
// PEM, so no key object of the job's reaches JavaScript at all.
const { privateKey: signingPem } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
});
const signingKey = {
  ...createPrivateKey(signingPem).export({ format: 'jwk' }),
  kid: 'interop-rs256', use: 'sig', alg: 'RS256',
};

// Claims our grant handlers give the tokens they issue; oidc-provider asks for them
// (extraTokenClaims) while it saves the token, and introspection reports them.
const HANDLER_CLAIMS = new WeakMap();

// RFC 7523 section 2.1 with our policy: an assertion signed by a key registered for the
// client (its jwks), for this server, used once; the token acts for its subject.
async function jwtBearerGrant(ctx) {
  const { client, params, provider: op } = ctx.oidc;
  let payload;
  try {
    ({ payload } = await jwtVerify(params.assertion, createLocalJWKSet(client.jwks), {
      issuer: client.clientId,
      audience: [op.issuer, op.urlFor('token')],
      requiredClaims: ['sub', 'exp', 'jti'],
    }));
  } catch (err) {
    throw new errors.InvalidGrant(`assertion rejected: ${err.code || err.message}`);
  }
  if (!await op.ReplayDetection.unique(client.clientId, payload.jti, payload.exp)) {
    throw new errors.InvalidGrant('assertion replayed (its jti was seen before)');
  }
  const token = new op.ClientCredentials({ client, scope: params.scope || undefined });
  HANDLER_CLAIMS.set(token, { sub: payload.sub });
  ctx.body = {
    access_token: await token.save(),
    token_type: 'Bearer',
    expires_in: token.expiration,
    scope: token.scope,
  };
}

// RFC 8693 with our policy: any active access token of this server may be exchanged
// for a token naming its subject, the acting client (act) and the audience asked for.
async function tokenExchangeGrant(ctx) {
  const { client, params, provider: op } = ctx.oidc;
  if (params.subject_token_type !== ACCESS_TOKEN_TYPE) {
    throw new errors.InvalidRequest('only access tokens can be exchanged here');
  }
  if (params.requested_token_type && params.requested_token_type !== ACCESS_TOKEN_TYPE) {
    throw new errors.InvalidRequest('only access tokens are issued here');
  }
  const subject = await op.AccessToken.find(params.subject_token)
    || await op.ClientCredentials.find(params.subject_token);
  if (!subject || subject.isExpired) {
    throw new errors.InvalidGrant('subject_token is not an active access token');
  }
  const token = new op.ClientCredentials({ client, scope: params.scope || subject.scope });
  HANDLER_CLAIMS.set(token, {
    sub: subject.accountId || subject.clientId, act: { sub: client.clientId },
  });
  if (params.audience) token.setAudience(params.audience);
  ctx.body = {
    access_token: await token.save(),
    issued_token_type: ACCESS_TOKEN_TYPE,
    token_type: 'Bearer',
    expires_in: token.expiration,
    scope: token.scope,
  };
}

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
  extraTokenClaims: (ctx, token) => HANDLER_CLAIMS.get(token),
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
      SHORT_LIVED_CLIENTS.has(client.clientId) ? SHORT_ACCESS_TOKEN_TTL : 3600),
    AuthorizationCode: 60,
    ClientCredentials: (ctx, token, client) => (
      SHORT_LIVED_CLIENTS.has(client.clientId) ? SHORT_ACCESS_TOKEN_TTL : 600),
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
    pushedAuthorizationRequests: { enabled: true },
    requestObjects: { enabled: true },
    // Every DPoP proof must carry a nonce this server issued (RFC 9449 section 8), so
    // each test sees a use_dpop_nonce challenge first.
    dPoP: {
      enabled: true,
      nonceSecret: Buffer.from('interop-dpop-nonce-secret-32byte'),
      requireNonce: () => true,
    },
    resourceIndicators: {
      enabled: true,
      getResourceServerInfo: async (ctx, indicator) => {
        const scope = RESOURCE_SERVERS[indicator];
        if (!scope) throw new errors.InvalidTarget();
        return {
          scope, audience: indicator, accessTokenFormat: 'jwt', accessTokenTTL: 600,
          jwt: { sign: { alg: 'RS256' } },
        };
      },
    },
    // RFC 9396 for client credentials: the token carries the details asked for.
    richAuthorizationRequests: {
      enabled: true,
      types: { interop_payment: { validate: async () => {} } },
      authorizationDetailsForAccessToken: (ctx) => JSON.parse(
        ctx.oidc.params.authorization_details),
      authorizationDetailsForIntrospection: (ctx, token) => token.rar,
      authorizationDetailsForGrantSource: () => undefined,
    },
    rpInitiatedLogout: {
      enabled: true,
      logoutSource: async (ctx, form) => { ctx.body = page('Sign out', form); },
    },
  },
};

const provider = new Provider(issuer, configuration);
provider.registerGrantType(JWT_BEARER, jwtBearerGrant, ['assertion', 'scope']);
provider.registerGrantType(TOKEN_EXCHANGE, tokenExchangeGrant, [
  'subject_token', 'subject_token_type', 'actor_token', 'actor_token_type',
  'requested_token_type', 'audience', 'resource', 'scope',
], ['audience', 'resource']);

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
