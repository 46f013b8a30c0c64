/**
 * What Node's and OpenSSL's error codes say about a request that got no answer: a TLS handshake that failed, a
 * connection that could not be made or broke; and the SDK's names for credentials it could not get. Read by the
 * invoke node's error mapping (src/invoke/errors) and by endpoint discovery's (src/discovery/problems), so both name
 * the same failures the same way. No Node-RED import.
 */

/**
 * Node's and OpenSSL's codes for a TLS handshake that failed: an unknown CA, a wrong host name, an expired cert;
 * EPROTO is what an https:// URL to a plain-HTTP port gives ("wrong version number").
 */
export const TLS_CODE = /^(UNABLE_TO_|SELF_SIGNED_CERT|DEPTH_ZERO_SELF_SIGNED_CERT|CERT_|ERR_TLS_|ERR_SSL_|EPROTO$)/;
/** OpenSSL's words when the server's first bytes are not TLS at all: a plain-HTTP server behind an https:// URL. */
export const NOT_TLS = /wrong version number|packet length too long|http request|unknown protocol/i;

/** Node's codes for a connection that could not be made or broke before an answer. */
const NO_ANSWER_CODES =
  'ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|EAI_FAIL|EAI_NODATA|EHOSTUNREACH|EHOSTDOWN|ENETUNREACH|ENETDOWN|ENETRESET|EPIPE|ECONNABORTED|ETIMEDOUT|EADDRNOTAVAIL|ERR_SOCKET_CONNECTION_TIMEOUT|ERR_STREAM_PREMATURE_CLOSE';

/**
 * Node's codes for a connection that could not be made or broke: refused, reset ("socket hang up"), a name that
 * does not resolve, a network that cannot be reached, and an answer that is not HTTP at all (HPE_*).
 */
export const NETWORK_CODE = new RegExp(`^(${NO_ANSWER_CODES}|UND_ERR_\\w+|HPE_\\w+)$`);

/**
 * The codes of a network that could not be reached or broke before an answer: not an answer that is not HTTP
 * (HPE_*), which a server did send. A TLS handshake that was interrupted is a reset (ECONNRESET).
 */
export const UNREACHABLE_CODE = new RegExp(`^(${NO_ANSWER_CODES})$`);

/** The SDK's names for credentials that could not be had at all (no profile, nothing in the default chain). */
export const NO_CREDENTIALS_NAMES: ReadonlySet<string> = new Set(['CredentialsProviderError', 'TokenProviderError', 'ProviderError']);
