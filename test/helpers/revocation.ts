import type { SynergyFlowEmulator } from 'passport-synergyflow/testing';
import { CLIENT_ID, CLIENT_SECRET } from './rig.js';

/** An access and a refresh token the emulator issued. */
export interface IssuedTokens {
  access: string;
  refresh: string;
}

/** What the provider says of a login's tokens now. */
export interface ProviderView {
  /** The status `/api/user` answers the access token. */
  api: number;
  /** The status the refresh grant answers the refresh token. */
  refresh: number;
  /** The refresh grant's `error`, when it failed. */
  refreshError?: string;
}

/** The access and refresh token the emulator issued last. */
export function lastTokens(emulator: Pick<SynergyFlowEmulator, 'issuedSecrets'>): IssuedTokens {
  const secrets = emulator.issuedSecrets();
  return {
    access: secrets.filter((s) => s.startsWith('at_')).at(-1) ?? '',
    refresh: secrets.filter((s) => s.startsWith('rt_')).at(-1) ?? '',
  };
}

/**
 * Asks the provider itself about `tokens` (the API with the access token, the refresh grant with
 * the refresh token of the rig's client): what a thief holding them would get after a revocation.
 */
export async function providerView(
  emulator: Pick<SynergyFlowEmulator, 'url'>,
  tokens: IssuedTokens,
): Promise<ProviderView> {
  const api = await fetch(`${emulator.url}/api/user`, { headers: { authorization: `Bearer ${tokens.access}` } });
  const refresh = await fetch(`${emulator.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh,
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
    }),
  });
  const body = (await refresh.json().catch(() => ({}))) as { error?: string };
  return {
    api: api.status,
    refresh: refresh.status,
    ...(body.error === undefined ? {} : { refreshError: body.error }),
  };
}
