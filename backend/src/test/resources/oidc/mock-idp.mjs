// A real OpenID Connect provider for the tests (npm oauth2-mock-server, pinned in the root package.json): it serves
// discovery and its JWKS over HTTP, and mints tokens on command. Usage: node mock-idp.mjs PORT
// stdin, one JSON command per line; stdout, one JSON answer per line:
//   {"cmd":"token","kid":K?,"expiresIn":S?,"claims":{…}}  -> {"token":"…"}   (claims set over iss/iat/exp/nbf)
//   {"cmd":"rotate"}                                      -> {"kid":"…"}     (a new RS256 key, published beside the old)
// The first line printed is {"issuer":"http://127.0.0.1:PORT","kid":"…"}. End of stdin stops the server.
import { OAuth2Server } from 'oauth2-mock-server';
import readline from 'node:readline';

const port = Number(process.argv[2] ?? 0);
const server = new OAuth2Server();
const first = await server.issuer.keys.generate('RS256');
await server.start(port, '127.0.0.1');
const say = (o) => process.stdout.write(JSON.stringify(o) + '\n');
say({ issuer: server.issuer.url, kid: first.kid });

const lines = readline.createInterface({ input: process.stdin });
for await (const line of lines) {
  try {
    const c = JSON.parse(line);
    if (c.cmd === 'token') {
      const token = await server.issuer.buildToken({
        kid: c.kid,
        expiresIn: c.expiresIn,
        scopesOrTransform: (header, payload) => Object.assign(payload, c.claims ?? {}),
      });
      say({ token });
    } else if (c.cmd === 'rotate') {
      const key = await server.issuer.keys.generate('RS256');
      say({ kid: key.kid });
    } else {
      say({ error: `unknown command '${c.cmd}'` });
    }
  } catch (e) {
    say({ error: String(e) });
  }
}
await server.stop();
