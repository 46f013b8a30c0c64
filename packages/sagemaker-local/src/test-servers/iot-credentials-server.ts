/**
 * AWS IoT Core's credentials provider for tests: HTTPS that asks for a client certificate signed by the device CA
 * (mutual TLS; a certificate from another CA is refused in the handshake), answering
 * `GET /role-aliases/<alias>/credentials` with temporary credentials for the known role aliases, 403 (as AWS IoT
 * does, without saying why) for an unknown alias or a thing name not attached to the certificate. Each issue is
 * handed to `onIssue` (the tests let the SageMaker server accept it). Counts its requests.
 */
import { randomBytes } from 'crypto';
import type { IncomingMessage, ServerResponse } from 'http';
import type { TLSSocket } from 'tls';
import { Listener } from '../io/listener';

export interface IotIssued {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

export interface IotRequest {
  path: string;
  /** the x-amzn-iot-thingname header, if sent */
  thingName?: string;
  /** the subject CN of the client certificate presented */
  device?: string;
  status: number;
}

export interface IotServerOptions {
  /** the server's certificate and key, and the CA that signs device certificates */
  tls: { key: Buffer; cert: Buffer; ca: Buffer };
  /** role alias -> the things attached to the device certificate (empty: any thing name, or none) */
  roleAliases: Record<string, string[]>;
  /** seconds the credentials live (AWS IoT: the role alias's credentialDurationSeconds, 900–43200) */
  lifetimeSeconds?: number;
  onIssue?: (credentials: IotIssued) => void;
}

export class IotCredentialsServer extends Listener {
  readonly requests: IotRequest[] = [];
  readonly issued: IotIssued[] = [];

  constructor(private readonly options: IotServerOptions) {
    super('IotCredentialsServer', { ...options.tls, requestCert: true, rejectUnauthorized: true });
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = req.url ?? '';
    const thingHeader = req.headers['x-amzn-iot-thingname'];
    const thingName = typeof thingHeader === 'string' ? thingHeader : undefined;
    const cn: unknown = (req.socket as TLSSocket).getPeerCertificate?.().subject?.CN;
    const device = typeof cn === 'string' ? cn : undefined;
    const record: IotRequest = { path, status: 0, ...(thingName ? { thingName } : {}), ...(device ? { device } : {}) };
    this.requests.push(record);
    const answer = (status: number, body: unknown): void => {
      record.status = status;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const m = /^\/role-aliases\/([^/]+)\/credentials$/.exec(path);
    if (req.method !== 'GET' || !m) return answer(404, { message: 'Not found' });
    const things = this.options.roleAliases[decodeURIComponent(m[1])];
    if (!things || (things.length > 0 && (!thingName || !things.includes(thingName)))) {
      return answer(403, { message: 'Access Denied' });
    }
    const issued: IotIssued = {
      accessKeyId: `ASIAIOT${randomBytes(6).toString('hex').toUpperCase()}`,
      secretAccessKey: randomBytes(30).toString('base64'),
      sessionToken: randomBytes(60).toString('base64'),
      expiration: new Date(Math.floor(Date.now() / 1000) * 1000 + (this.options.lifetimeSeconds ?? 3600) * 1000),
    };
    this.issued.push(issued);
    this.options.onIssue?.(issued);
    answer(200, { credentials: { ...issued, expiration: issued.expiration.toISOString() } });
  }
}
