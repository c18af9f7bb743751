import { Agent } from 'node:https';
import { connect } from 'node:net';
import { type ConnectionOptions, connect as tlsConnect } from 'node:tls';

/**
 * An HTTPS agent that opens every connection to `target` whatever host the request names: how an
 * SDK with fixed hosts (firebase-admin's fcm.googleapis.com and its OAuth token endpoint) is
 * pointed at a test's fake server or a proxy. An `http:` target gets plain HTTP.
 */
export class RedirectingAgent extends Agent {
  constructor(private readonly target: URL) {
    super({ keepAlive: true });
  }

  override createConnection(options: Parameters<Agent['createConnection']>[0]) {
    const secure = this.target.protocol === 'https:';
    const port = Number(this.target.port || (secure ? 443 : 80));
    const host = this.target.hostname;
    return secure
      ? tlsConnect({ ...(options as ConnectionOptions), host, port, servername: host })
      : connect(port, host);
  }
}
