/** The HMAC secret shared by the `tars-ws-tokens` server and the connect benchmark that signs its tokens (loopback only). */
export const BENCH_TOKEN_SECRET = 'bench-only-hs256-secret-of-32-bytes!';
