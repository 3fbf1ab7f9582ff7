/**
 * The admin dashboard in tests: a gateway with it mounted (as runGateway does), and a client of its JSON API that
 * keeps the session cookie and CSRF token like the page does.
 */
import {
  enableAdmin,
  registerRoomCommands,
  type Gateway,
  type GatewayConfig,
  type GatewayDeps,
} from '../../src/index.js';
import type { AdminDashboard } from '../../src/http/admin/index.js';
import { startGateway } from './gateway.js';

export const ADMIN_PASSWORD = 'correct horse battery staple';

/** A gateway with the room commands and the dashboard (password {@link ADMIN_PASSWORD}, 100 ms login delay). */
export async function startAdminGateway(
  overrides: Partial<GatewayConfig> = {},
  deps: GatewayDeps = {},
): Promise<{ gateway: Gateway; dashboard: AdminDashboard | undefined }> {
  let dashboard: Promise<AdminDashboard | undefined> = Promise.resolve(undefined);
  const gateway = await startGateway(
    { adminPassword: ADMIN_PASSWORD, adminLoginDelayMs: 100, ...overrides },
    deps,
    (g) => {
      registerRoomCommands(g);
      dashboard = enableAdmin(g);
    },
  );
  return { gateway, dashboard: await dashboard };
}

export interface AdminResponse {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

export class AdminClient {
  cookie = '';
  csrf = '';
  constructor(readonly baseUrl: string) {}

  async login(password = ADMIN_PASSWORD): Promise<AdminResponse> {
    const res = await this.post('login', { password }, { csrf: false });
    const setCookie = res.headers.get('set-cookie') ?? '';
    if (res.status === 200) {
      this.cookie = setCookie.split(';', 1)[0] ?? '';
      this.csrf = String(res.body['csrf']);
    }
    return res;
  }

  get(path: string): Promise<AdminResponse> {
    return this.#fetch(path, { headers: this.cookie ? { cookie: this.cookie } : {} });
  }

  post(
    path: string,
    body: Record<string, unknown>,
    { csrf = true, origin }: { csrf?: boolean | string; origin?: string } = {},
  ): Promise<AdminResponse> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.cookie) headers['cookie'] = this.cookie;
    if (csrf !== false) headers['x-csrf-token'] = csrf === true ? this.csrf : csrf;
    if (origin !== undefined) headers['origin'] = origin;
    return this.#fetch(path, { method: 'POST', headers, body: JSON.stringify(body) });
  }

  async #fetch(path: string, init: RequestInit): Promise<AdminResponse> {
    const res = await fetch(`${this.baseUrl}/admin/api/${path}`, init);
    const text = await res.text();
    return {
      status: res.status,
      headers: res.headers,
      body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    };
  }
}
