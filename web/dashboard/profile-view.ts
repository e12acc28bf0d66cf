import type { Api } from '../shared/api.js';

/**
 * The dashboard opened for one profile (`/?profile=NAME`) instead of the active one: the
 * calls about "the" stats and connection go to that profile's routes. What only exists for
 * the active profile (goals, history, switching, test alerts) is hidden on such a page.
 */
export function profileApi(api: Api, profile: string): Api {
  const base = `/api/profiles/${encodeURIComponent(profile)}`;
  const rewrite = (path: string): string => {
    for (const rest of ['connection', 'stats', 'leaderboard']) {
      const plain = `/api/${rest}`;
      if (path === plain || path.startsWith(`${plain}/`) || path.startsWith(`${plain}?`)) {
        return base + path.slice('/api'.length);
      }
    }
    return path;
  };
  return {
    get: (path) => api.get(rewrite(path)),
    post: (path, body) => api.post(rewrite(path), body),
    patch: (path, body) => api.patch(rewrite(path), body),
    delete: (path) => api.delete(rewrite(path)),
  };
}

/** A link to the dashboard of one profile (none: the active profile's), keeping the token. */
export function dashboardHref(profile: string | null, token: string | null): string {
  const query = new URLSearchParams();
  if (profile) query.set('profile', profile);
  if (token) query.set('token', token);
  const text = query.toString();
  return text ? `/?${text}` : '/';
}
