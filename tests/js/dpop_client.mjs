// An independent DPoP client (oauth4webapi) against a live Custos; driven by
// tests/oauth/test_dpop_oauth4webapi.py. Usage: node dpop_client.mjs ISSUER CLIENT_ID SECRET
// It prints the authorization URL, reads the callback URL from stdin (the test approves the
// consent screen as the person), then runs the positive and negative cases and prints one
// JSON line of what it saw. It asserts nothing itself: the test does.
import * as oauth from 'oauth4webapi'
import { createInterface } from 'node:readline'

const [issuerUrl, clientId, clientSecret, scope] = process.argv.slice(2)
const issuer = new URL(issuerUrl)
const insecure = { [oauth.allowInsecureRequests]: true } // http on loopback, in tests only
const redirectUri = 'https://vendor.example/cb'

const as = await oauth.processDiscoveryResponse(
  issuer, await oauth.discoveryRequest(issuer, { ...insecure, algorithm: 'oauth2' }))
const client = { client_id: clientId }
const auth = oauth.ClientSecretBasic(clientSecret)
const keyPair = await oauth.generateKeyPair('ES256')
const DPoP = oauth.DPoP(client, keyPair)
const seen = {}

const verifier = oauth.generateRandomCodeVerifier()
const state = oauth.generateRandomState()
const url = new URL(as.authorization_endpoint)
for (const [k, v] of Object.entries({
  response_type: 'code', client_id: clientId, redirect_uri: redirectUri, scope, state,
  code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256'
})) url.searchParams.set(k, v)
console.log(url.href)

const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]()
const callback = new URL((await lines.next()).value)
const params = oauth.validateAuthResponse(as, client, callback, state)

// RFC 9449 section 8: a server may ask for a nonce; oauth4webapi keeps it, we retry once
async function withNonce (send, process) {
  try {
    return await process(await send())
  } catch (err) {
    if (!oauth.isDPoPNonceError(err)) throw err
    seen.nonce_asked = true
    return await process(await send())
  }
}

const tokens = await withNonce(
  () => oauth.authorizationCodeGrantRequest(as, client, auth, params, redirectUri, verifier,
    { DPoP, ...insecure }),
  (r) => oauth.processAuthorizationCodeResponse(as, client, r))
seen.token_type = tokens.token_type

const data = new URL('/api/v1/data', issuer)
const proofs = [] // the DPoP headers oauth4webapi sent, to replay them
const recording = {
  ...insecure,
  DPoP,
  [oauth.customFetch]: (u, o) => { proofs.push(new Headers(o.headers).get('dpop')); return fetch(u, o) }
}
let lastBody = ''
async function resource (options, target = data) {
  try {
    const response = await oauth.protectedResourceRequest(tokens.access_token, 'GET', target,
      undefined, undefined, options)
    lastBody = await response.text()
    return response.status
  } catch (err) {
    if (oauth.isDPoPNonceError(err)) return resource(options, target)
    return err.response ? err.response.status : String(err)
  }
}
seen.read = await resource(recording)
seen.read_body_has_email = lastBody.includes('ada@example.org')

// a stolen token, replayed without the key: as Bearer, and as DPoP without a proof
seen.stolen_as_bearer = (await fetch(data, {
  headers: { authorization: `Bearer ${tokens.access_token}` } })).status
seen.stolen_without_proof = (await fetch(data, {
  headers: { authorization: `DPoP ${tokens.access_token}` } })).status
// a proof that was already used, sent again
const used = proofs.at(-1)
seen.replayed_proof = (await fetch(data, {
  headers: { authorization: `DPoP ${tokens.access_token}`, dpop: used } })).status
// a proof made for another URI (htu /api/v1/me) sent to /api/v1/data
const elsewhere = new URL('/api/v1/me', issuer)
seen.wrong_htu = await resource({
  ...insecure, DPoP, [oauth.customFetch]: (u, o) => fetch(data, o) }, elsewhere)
seen.right_htu_me = await resource({ ...insecure, DPoP }, elsewhere)

const refreshed = await withNonce(
  () => oauth.refreshTokenGrantRequest(as, client, auth, tokens.refresh_token, { DPoP, ...insecure }),
  (r) => oauth.processRefreshTokenResponse(as, client, r))
seen.refreshed_token_type = refreshed.token_type
const intro = await oauth.processIntrospectionResponse(as, client,
  await oauth.introspectionRequest(as, client, auth, refreshed.access_token, insecure))
seen.introspected_jkt = intro.cnf && intro.cnf.jkt
seen.key_jkt = await thumbprint()
console.log(JSON.stringify(seen))
process.exit(0)

// RFC 7638 thumbprint of the public key, to compare with cnf.jkt
async function thumbprint () {
  const jwk = await crypto.subtle.exportKey('jwk', keyPair.publicKey)
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y })
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(canonical))
  return Buffer.from(digest).toString('base64url')
}
