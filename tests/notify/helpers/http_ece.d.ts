// Types for the parts of http_ece (Encrypted Content-Encoding for HTTP, RFC 8188) the test push service uses.
declare module 'http_ece' {
  import type { ECDH } from 'node:crypto'
  export interface EceParams {
    version?: 'aes128gcm' | 'aesgcm' | 'aesgcm128'
    /** The receiver's ECDH key pair (the browser's subscription key). */
    privateKey?: ECDH
    /** The subscription's 16-byte authentication secret (RFC 8291). */
    authSecret?: Buffer | string
    rs?: number
  }
  export function decrypt(buffer: Buffer, params: EceParams): Buffer
  const ece: { decrypt: typeof decrypt }
  export default ece
}
