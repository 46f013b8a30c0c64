/**
 * A local HTTP(S) server that speaks STS AssumeRole's wire protocol (AWS query: a form-encoded POST, an XML answer),
 * for tests of assumed roles without AWS.
 *
 * It verifies each request's SigV4 signature (service `sts`) against the base credentials it was given, checks the
 * parameters against STS's rules, applies each role's trust rules (which callers, which external ID), and answers
 * temporary credentials that expire after DurationSeconds. `onIssue` hands each issued key to whoever should accept
 * it (e.g. SageMakerServer.addCredentials), with its session token and expiration.
 *
 * Built from the SageMaker server's own parts: the listener, the HTTP plumbing, the SigV4 check and the validation
 * messages; only the query protocol, the rules and the trust checks are its own.
 */

import { randomBytes, randomUUID } from 'crypto';
import type { IncomingMessage, ServerResponse } from 'http';
import type { ServerOptions as HttpsServerOptions } from 'https';
import { Listener } from '../io/listener';
import { AuthFailure, verifySignature, type AuthProblem, type SigningKey } from '../signing/sigv4';
import { flattenHeaders, readBody, splitUrl, writeHead } from '../io/http-io';
import { validationMessage, violations, type Constraint } from '../runtime/constraints';

/** A base key the server accepts (with `sessionToken`, requests must carry exactly that token). */
export type StsKey = Omit<SigningKey, 'expiration'>;

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

/** STS's parameter rules (AssumeRole API reference); `member` is how its validation messages name them. */
const RULES: Readonly<Record<'RoleArn' | 'RoleSessionName' | 'ExternalId' | 'DurationSeconds', Constraint>> = {
  RoleArn: { member: 'roleArn', min: 20, max: 2048, pattern: pattern(/^[\t\n\r\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD]+$/) },
  RoleSessionName: { member: 'roleSessionName', min: 2, max: 64, pattern: pattern(/^[\w+=,.@-]*$/) },
  ExternalId: { member: 'externalId', min: 2, max: 1224, pattern: pattern(/^[\w+=,.@:/-]*$/) },
  DurationSeconds: { member: 'durationSeconds', min: 900, max: 43200, integer: true },
};

/** The query protocol's error code and status for each authentication failure. */
const AUTH_ERROR: Readonly<Record<AuthProblem, [number, string]>> = {
  missing: [403, 'MissingAuthenticationToken'],
  incomplete: [400, 'IncompleteSignature'],
  unknownKey: [403, 'InvalidClientTokenId'],
  expired: [403, 'ExpiredToken'],
  mismatch: [403, 'SignatureDoesNotMatch'],
};

function pattern(re: RegExp): { re: RegExp; source: string } {
  return { re, source: re.source };
}

class StsError {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly message: string,
  ) {}
}

const xmlEscape = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

const randomUpper = (n: number): string =>
  Array.from(randomBytes(n), (b) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'[b % 32]).join('');

export class StsServer extends Listener {
  private readonly keys = new Map<string, StsKey>();
  private readonly roles: Record<string, StsRole>;
  private readonly region: string;
  private readonly accountId: string;
  private readonly onIssue?: (credentials: IssuedCredentials) => void;
  /** every AssumeRole call, in order of arrival */
  readonly calls: AssumeRoleCall[] = [];

  constructor(options: StsServerOptions) {
    super('StsServer', options.tls);
    for (const k of options.credentials) this.keys.set(k.accessKeyId, { ...k });
    this.roles = options.roles;
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '123456789012';
    this.onIssue = options.onIssue;
  }

  /** How many AssumeRole calls issued credentials. */
  get issuedCount(): number {
    return this.calls.filter((c) => c.issuedKeyId !== undefined).length;
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const outcome = await readBody(req, res);
    if (outcome.kind !== 'ok') return;
    const params = new URLSearchParams(outcome.body.toString('utf8'));
    const call: AssumeRoleCall = { status: 0 };
    try {
      if (req.method !== 'POST') throw new StsError(400, 'InvalidAction', 'Could not find operation for this request');
      call.callerKeyId = await this.verify(req, outcome.body);
      if (params.get('Action') !== 'AssumeRole') {
        throw new StsError(400, 'InvalidAction', `Could not find operation ${params.get('Action') ?? ''} for version ${params.get('Version') ?? ''}`);
      }
      this.calls.push(call);
      call.roleArn = params.get('RoleArn') ?? undefined;
      call.roleSessionName = params.get('RoleSessionName') ?? undefined;
      call.externalId = params.get('ExternalId') ?? undefined;
      const duration = params.get('DurationSeconds');
      call.durationSeconds = duration === null ? undefined : Number(duration);
      this.validate(params);
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
    writeHead(res, status, 'text/xml');
    res.end(xml);
  }

  /** Checks the parameters against STS's rules, as STS words its ValidationError. */
  private validate(params: URLSearchParams): void {
    const problems: string[] = [];
    for (const [name, rule] of Object.entries(RULES)) {
      const value = params.get(name);
      if (value !== null) problems.push(...violations(rule, value));
      else if (name === 'RoleArn' || name === 'RoleSessionName') {
        problems.push(`Value null at '${rule.member}' failed to satisfy constraint: Member must not be null`);
      }
    }
    const message = validationMessage(problems);
    if (message !== undefined) throw new StsError(400, 'ValidationError', message);
  }

  /** Applies the role's trust rules; issues the credentials. */
  private assumeRole(call: AssumeRoleCall): IssuedCredentials {
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

  /** The SigV4 check the SageMaker server makes, scoped to STS; resolves the signing key's id. */
  private async verify(req: IncomingMessage, body: Buffer): Promise<string> {
    const { rawPath, rawQuery } = splitUrl(req);
    const signed = { method: req.method ?? 'POST', rawPath, rawQuery, headers: flattenHeaders(req), distinctHeaders: req.headersDistinct, body };
    const auth = await verifySignature(signed, { service: SERVICE, region: this.region }, this.keys, Date.now());
    if (auth instanceof AuthFailure) throw new StsError(...AUTH_ERROR[auth.problem], auth.message);
    return auth.accessKeyId;
  }
}
