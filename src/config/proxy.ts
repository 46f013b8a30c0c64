/**
 * Which proxy a request goes through, by the rules of Node-RED core's HTTP request node, so one proxy set-up
 * (a core `http proxy` config node, or the environment) means the same for both.
 *
 * Core's proxy helper (@node-red/nodes/core/network/lib/proxyHelper.js, "strict" mode, itself based on Rob Wu's
 * proxy-from-env) reads, lower case before upper case: `npm_config_<proto>_proxy`, `<proto>_proxy`,
 * `npm_config_proxy`, `all_proxy`, and `npm_config_no_proxy` / `no_proxy`. With an `http proxy` node it reads the
 * node instead of the environment: its URL for both protocols and its no-proxy list. The same here.
 * No Node-RED import.
 */
import { FlowError } from '../shared/flow-error';

/** Proxy variables by name, as in process.env. */
export type ProxyEnv = Readonly<Record<string, string | undefined>>;

/** What this module needs of a core `http proxy` config node. */
export interface ProxyNodeSettings {
  url?: unknown;
  /** the node's no-proxy list: host names, `.domain` or `*.domain` suffixes, optionally with `:port` */
  noproxy?: unknown;
}

const DEFAULT_PORTS: Readonly<Record<string, number>> = { http: 80, https: 443 };

function getEnv(env: ProxyEnv, key: string): string {
  return env[key.toLowerCase()] || env[key.toUpperCase()] || '';
}

/** The variables an `http proxy` node stands for, as core's HTTP request node builds them. */
export function proxyEnvOfNode(node: ProxyNodeSettings): ProxyEnv {
  const url = typeof node.url === 'string' ? node.url.trim() : '';
  if (url === '') throw new FlowError('invalidField', { field: 'proxy', rule: 'must be an http proxy node with a URL' });
  checkProxyUrl(url, 'proxy');
  const list = Array.isArray(node.noproxy) ? node.noproxy.filter((h): h is string => typeof h === 'string') : [];
  return { no_proxy: list.join(','), http_proxy: url, https_proxy: url };
}

/** Only the proxy variables of an environment (so nothing else of process.env is kept). */
export function proxyEnvOf(env: ProxyEnv): ProxyEnv | undefined {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value && /^(npm_config_)?(https?_proxy|proxy|all_proxy|no_proxy)$/i.test(key)) out[key] = value;
  }
  const anyProxy = Object.keys(out).some((k) => !/no_proxy$/i.test(k));
  return anyProxy ? out : undefined;
}

/** Whether a host (and port) is not on the no-proxy list. */
export function shouldProxy(hostname: string, port: number, env: ProxyEnv): boolean {
  const noProxy = (getEnv(env, 'npm_config_no_proxy') || getEnv(env, 'no_proxy')).toLowerCase();
  if (!noProxy) return true;
  if (noProxy === '*') return false;
  const host = hostname.toLowerCase();
  return noProxy.split(/[,\s]/).every((entry) => {
    if (!entry) return true;
    const withPort = /^(.+):(\d+)$/.exec(entry);
    let entryHost = withPort ? withPort[1] : entry;
    const entryPort = withPort ? parseInt(withPort[2], 10) : 0;
    if (entryPort && entryPort !== port) return true;
    if (!/^[.*]/.test(entryHost)) return host !== entryHost;
    if (entryHost.charAt(0) === '*') entryHost = entryHost.slice(1);
    return !host.endsWith(entryHost);
  });
}

/** The proxy URL for a request to `target`, or '' to connect directly. */
export function proxyForUrl(target: { protocol: string; hostname: string; port?: number | string }, env: ProxyEnv): string {
  const proto = target.protocol.replace(/:$/, '');
  const port = Number(target.port) || DEFAULT_PORTS[proto] || 0;
  if (!target.hostname || !shouldProxy(target.hostname, port, env)) return '';
  let proxy =
    getEnv(env, `npm_config_${proto}_proxy`) || getEnv(env, `${proto}_proxy`) || getEnv(env, 'npm_config_proxy') || getEnv(env, 'all_proxy');
  if (proxy && !proxy.includes('://')) proxy = `${proto}://${proxy}`;
  return proxy;
}

/** Throws the `invalidField` FlowError unless `url` is an http:// or https:// URL with a host. */
export function checkProxyUrl(url: string, field: string): URL {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || !/^https?:$/.test(parsed.protocol) || !parsed.hostname) {
    throw new FlowError('invalidField', { field, rule: `must be an http:// or https:// proxy URL (it is ${redactUrl(url)})` });
  }
  return parsed;
}

/** The proxy URL with user and password set, as the proxy agent takes it (it sends them as Basic authentication). */
export function proxyUrlWithAuth(url: string, auth?: { username?: string; password?: string }): URL {
  const parsed = checkProxyUrl(url, 'proxy');
  if (auth && (auth.username || auth.password)) {
    parsed.username = auth.username ?? '';
    parsed.password = auth.password ?? '';
  }
  return parsed;
}

/** The passwords a set of proxy variables carries in its URLs (user:password@host), decoded. */
export function proxyEnvSecrets(env: ProxyEnv | undefined): string[] {
  const out: string[] = [];
  for (const value of Object.values(env ?? {})) {
    const m = value ? /^[a-z]+:\/\/[^/@\s]*:([^/@\s]+)@/i.exec(value) : null;
    if (m) {
      out.push(m[1]);
      try {
        out.push(decodeURIComponent(m[1]));
      } catch {
        // not percent-encoded: the raw form is enough
      }
    }
  }
  return out;
}

/** A URL fit for a message: any password in it replaced by "****". */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@\s:]*):[^/@\s]*@/i, '$1:****@');
}
