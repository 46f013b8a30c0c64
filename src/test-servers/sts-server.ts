/**
 * A local HTTP(S) server that speaks STS AssumeRole's wire protocol (AWS query: a form-encoded POST, an XML answer),
 * for tests of assumed roles without AWS.
 *
 * It verifies each request's SigV4 signature (service `sts`) against the base credentials it was given, checks the
 * parameters against STS's rules, applies each role's trust rules (which callers, which external ID), and answers
 * temporary credentials that expire after DurationSeconds. `onIssue` hands each issued key to whoever should accept
 * it (e.g. SageMakerServer.addCredentials), with its session token and expiration.
 *
 * Self-contained like sagemaker-server: Node's `http`/`https` and `crypto` plus the Smithy SigV4 signer.
 */

import { randomBytes, randomUUID, timingSafeEqual } from 'crypto';
import type { IncomingMessage, ServerResponse } from 'http';
import type { ServerOptions as HttpsServerOptions } from 'https';
import { Sha256 } from '../server/sha256';
import { SignatureV4 } from '@smithy/signature-v4';
import { Listener } from '../server/listener';

export interface StsKey {
  accessKeyId: string;
  secretAccessKey: string;
  /** when set, requests signed with this key must carry exactly this `x-amz-security-token` */
  sessionToken?: string;
}

/** Temporary credentials as issued. */
export interface IssuedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

/** A role's trust policy, reduced to what tests need. */
export interface StsRole {
  /** access key ids allowed to assume the role; default: every key the server knows */
  trustedKeys?: string[];
  /** when set, AssumeRole must pass exactly this ExternalId (the `sts:ExternalId` condition) */
  externalId?: string;
  /** the role's maximum session duration in seconds; default 3600 (STS refuses longer DurationSeconds) */
  maxSessionDuration?: number;
}

/** One AssumeRole call as the server saw it. */
export interface AssumeRoleCall {
  /** the base key that signed the call, when the signature checked out */
  callerKeyId?: string;
  roleArn?: string;
  roleSessionName?: string;
  externalId?: string;
  durationSeconds?: number;
  status: number;
  /** the error code answered, if any */
  error?: string;
  /** the access key issued, if any */
  issuedKeyId?: string;
}

export interface StsServerOptions {
  /** base credentials it accepts */
  credentials: StsKey[];
  /** roles by ARN */
  roles: Record<string, StsRole>;
  /** default 'us-east-1': the credential scope must name it */
  region?: string;
  /** the account of the callers named in AccessDenied messages; default '123456789012' */
  accountId?: string;
  onIssue?: (credentials: IssuedCredentials) => void;
  /** serve HTTPS with this key and certificate; url is then https:// */
  tls?: Pick<HttpsServerOptions, 'key' | 'cert' | 'ca'>;
}

const SERVICE = 'sts';
const NS = 'https://sts.amazonaws.com/doc/2011-06-15/';
const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

/** STS's parameter rules (AssumeRole API reference). */
const RULES: Record<string, { min: number; max: number; re: RegExp }> = {
  RoleArn: { min: 20, max: 2048, re: /^[\t\n\r\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD]+$/ },
  RoleSessionName: { min: 2, max: 64, re: /^[\w+=,.@-]*$/ },
  ExternalId: { min: 2, max: 1224, re: /^[\w+=,.@:/-]*$/ },
};

class StsError {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly message: string,
  ) {}
}

const xmlEscape = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

function parseAmzDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number);
  return new Date(Date.UTC(y, mo - 1, d, h, mi, s));
}

const randomUpper = (n: number): string =>
  Array.from(randomBytes(n), (b) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'[b % 32]).join('');

export class StsServer {
  private readonly keys = new Map<string, StsKey>();
  private readonly roles: Record<string, StsRole>;
  private readonly region: string;
  private readonly accountId: string;
  private readonly onIssue?: (credentials: IssuedCredentials) => void;
  private readonly listener: Listener;
  /** every AssumeRole call, in order of arrival */
  readonly calls: AssumeRoleCall[] = [];

  constructor(options: StsServerOptions) {
    for (const k of options.credentials) this.keys.set(k.accessKeyId, { ...k });
    this.roles = options.roles;
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '123456789012';
    this.onIssue = options.onIssue;
    this.listener = new Listener('StsServer', (req, res) => void this.handle(req, res), options.tls);
  }

  listen(port = 0, host = '127.0.0.1'): Promise<string> {
    return this.listener.listen(port, host);
  }

  close(): Promise<void> {
    return this.listener.close();
  }

  get url(): string {
    return this.listener.url;
  }

  /** How many AssumeRole calls issued credentials. */
  get issuedCount(): number {
    return this.calls.filter((c) => c.issuedKeyId !== undefined).length;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const params = new URLSearchParams(body.toString('utf8'));
    const call: AssumeRoleCall = { status: 0 };
    try {
      if (req.method !== 'POST') throw new StsError(400, 'InvalidAction', 'Could not find operation for this request');
      call.callerKeyId = await this.verify(req, body);
      if (params.get('Action') !== 'AssumeRole') {
        throw new StsError(400, 'InvalidAction', `Could not find operation ${params.get('Action') ?? ''} for version ${params.get('Version') ?? ''}`);
      }
      this.calls.push(call);
      call.roleArn = params.get('RoleArn') ?? undefined;
      call.roleSessionName = params.get('RoleSessionName') ?? undefined;
      call.externalId = params.get('ExternalId') ?? undefined;
      const duration = params.get('DurationSeconds');
      call.durationSeconds = duration === null ? undefined : Number(duration);
      const issued = this.assumeRole(call);
      call.issuedKeyId = issued.accessKeyId;
      this.onIssue?.(issued);
      this.answer(res, call, 200, this.resultXml(call, issued));
    } catch (err) {
      const e = err instanceof StsError ? err : new StsError(500, 'InternalFailure', 'An internal error occurred.');
      if (!this.calls.includes(call)) this.calls.push(call);
      call.error = e.code;
      const type = e.status >= 500 ? 'Receiver' : 'Sender';
      this.answer(
        res,
        call,
        e.status,
        `<ErrorResponse xmlns="${NS}"><Error><Type>${type}</Type><Code>${e.code}</Code><Message>${xmlEscape(e.message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
      );
    }
  }

  private answer(res: ServerResponse, call: AssumeRoleCall, status: number, xml: string): void {
    call.status = status;
    res.statusCode = status;
    res.setHeader('Content-Type', 'text/xml');
    res.setHeader('x-amzn-RequestId', randomUUID());
    res.setHeader('Date', new Date().toUTCString());
    res.end(xml);
  }

  /** Checks the parameters and the role's trust rules; issues the credentials. */
  private assumeRole(call: AssumeRoleCall): IssuedCredentials {
    const problems: string[] = [];
    const check = (name: string, value: string | undefined, required: boolean): void => {
      if (value === undefined) {
        if (required) problems.push(`Value null at '${name.charAt(0).toLowerCase()}${name.slice(1)}' failed to satisfy constraint: Member must not be null`);
        return;
      }
      const r = RULES[name];
      const member = `${name.charAt(0).toLowerCase()}${name.slice(1)}`;
      if (value.length < r.min) problems.push(`Value '${value}' at '${member}' failed to satisfy constraint: Member must have length greater than or equal to ${r.min}`);
      if (value.length > r.max) problems.push(`Value '${value}' at '${member}' failed to satisfy constraint: Member must have length less than or equal to ${r.max}`);
      if (!r.re.test(value)) problems.push(`Value '${value}' at '${member}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${r.re.source}`);
    };
    check('RoleArn', call.roleArn, true);
    check('RoleSessionName', call.roleSessionName, true);
    check('ExternalId', call.externalId, false);
    if (call.durationSeconds !== undefined && (!Number.isInteger(call.durationSeconds) || call.durationSeconds < 900 || call.durationSeconds > 43200)) {
      problems.push(`Value '${call.durationSeconds}' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900 and less than or equal to 43200`);
    }
    if (problems.length > 0) {
      throw new StsError(400, 'ValidationError', `${problems.length} validation error${problems.length === 1 ? '' : 's'} detected: ${problems.join('; ')}`);
    }
    const roleArn = call.roleArn as string;
    const role = this.roles[roleArn];
    const denied = new StsError(
      403,
      'AccessDenied',
      `User: arn:aws:iam::${this.accountId}:user/${call.callerKeyId} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
    );
    if (!role) throw denied;
    if (role.trustedKeys && !role.trustedKeys.includes(call.callerKeyId as string)) throw denied;
    if (role.externalId !== undefined && call.externalId !== role.externalId) throw denied;
    const duration = call.durationSeconds ?? 3600;
    const max = role.maxSessionDuration ?? 3600;
    if (duration > max) {
      throw new StsError(400, 'ValidationError', `The requested DurationSeconds exceeds the MaxSessionDuration set for this role.`);
    }
    return {
      accessKeyId: `ASIA${randomUpper(16)}`,
      secretAccessKey: randomBytes(30).toString('base64'),
      sessionToken: `IQoJb3JpZ2luX2VjE${randomBytes(96).toString('base64')}`,
      // STS expirations have whole seconds
      expiration: new Date(Math.floor(Date.now() / 1000) * 1000 + duration * 1000),
    };
  }

  private resultXml(call: AssumeRoleCall, c: IssuedCredentials): string {
    const roleName = (call.roleArn as string).split('/').pop() as string;
    const account = /::(\d{12}):/.exec(call.roleArn as string)?.[1] ?? this.accountId;
    return (
      `<AssumeRoleResponse xmlns="${NS}"><AssumeRoleResult>` +
      `<AssumedRoleUser><Arn>arn:aws:sts::${account}:assumed-role/${xmlEscape(roleName)}/${xmlEscape(call.roleSessionName as string)}</Arn>` +
      `<AssumedRoleId>AROA${randomUpper(17)}:${xmlEscape(call.roleSessionName as string)}</AssumedRoleId></AssumedRoleUser>` +
      `<Credentials><AccessKeyId>${c.accessKeyId}</AccessKeyId><SecretAccessKey>${xmlEscape(c.secretAccessKey)}</SecretAccessKey>` +
      `<SessionToken>${xmlEscape(c.sessionToken)}</SessionToken><Expiration>${c.expiration.toISOString().replace(/\.\d{3}Z$/, 'Z')}</Expiration></Credentials>` +
      `</AssumeRoleResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></AssumeRoleResponse>`
    );
  }

  /** Verifies the SigV4 header signature by signing the same request again; resolves the signing key's id. */
  private async verify(req: IncomingMessage, body: Buffer): Promise<string> {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
    const authorization = headers['authorization'] ?? '';
    const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]+)$/.exec(authorization);
    if (!m) throw new StsError(400, 'IncompleteSignature', 'Request must contain a signature that conforms to AWS standards');
    const [, keyId, , region, service, signedList, signature] = m;
    const key = this.keys.get(keyId);
    if (!key) throw new StsError(403, 'InvalidClientTokenId', 'The security token included in the request is invalid.');
    if (service !== SERVICE || region !== this.region) {
      throw new StsError(403, 'SignatureDoesNotMatch', `Credential should be scoped to a valid region and service '${SERVICE}'.`);
    }
    const token = headers['x-amz-security-token'];
    if (key.sessionToken !== undefined && (token === undefined || !safeEqual(token, key.sessionToken))) {
      throw new StsError(403, 'InvalidClientTokenId', 'The security token included in the request is invalid.');
    }
    const date = parseAmzDate(headers['x-amz-date'] ?? '');
    if (!date || Math.abs(date.getTime() - Date.now()) > MAX_CLOCK_SKEW_MS) {
      throw new StsError(403, 'SignatureDoesNotMatch', 'Signature expired or not yet current.');
    }
    const signed = new Set(signedList.split(';'));
    const signedHeaders: Record<string, string> = {};
    for (const name of signed) if (headers[name] !== undefined) signedHeaders[name] = headers[name];
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const query: Record<string, string> = {};
    if (q >= 0) for (const [k, v] of new URLSearchParams(rawUrl.slice(q + 1))) query[k] = v;
    const signer = new SignatureV4({
      service: SERVICE,
      region: this.region,
      sha256: Sha256,
      applyChecksum: false,
      credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey, sessionToken: signed.has('x-amz-security-token') ? token : undefined },
    });
    const resigned = await signer.sign(
      { method: req.method ?? 'POST', protocol: 'https:', hostname: 'localhost', path: q < 0 ? rawUrl : rawUrl.slice(0, q), query, headers: signedHeaders, body },
      { signingDate: date, signingRegion: this.region, signingService: SERVICE, signableHeaders: signed },
    );
    const expected = /Signature=([0-9a-f]+)/.exec(String(resigned.headers['authorization'] ?? ''))?.[1] ?? '';
    if (!safeEqual(expected, signature)) {
      throw new StsError(
        403,
        'SignatureDoesNotMatch',
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
      );
    }
    return keyId;
  }
}
