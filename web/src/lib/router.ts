import { useEffect, useState } from 'react';

// Five pages do not need a routing library: history.pushState plus a popstate listener.
export type Route = { page: 'playground' | 'approvals' | 'kpis' | 'audit' | 'privacy'; query: URLSearchParams };

export function parseLocation(pathname: string, search: string): Route {
  const query = new URLSearchParams(search);
  const first = pathname.split('/').filter(Boolean)[0] ?? '';
  switch (first) {
    case 'approvals':
      return { page: 'approvals', query };
    case 'kpis':
      return { page: 'kpis', query };
    case 'explorer':
      return { page: 'audit', query };
    case 'data-requests':
      return { page: 'privacy', query };
    default:
      return { page: 'playground', query };
  }
}

export const paths: Record<Route['page'], string> = {
  playground: '/playground',
  approvals: '/approvals',
  kpis: '/kpis',
  audit: '/explorer', // not /audit: that prefix belongs to the REST API
  privacy: '/data-requests', // not /privacy: that prefix belongs to the REST API
};

export function navigate(to: string): void {
  window.history.pushState(null, '', to);
  window.dispatchEvent(new PopStateEvent('popstate'));
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseLocation(window.location.pathname, window.location.search));
  useEffect(() => {
    const onPop = () => setRoute(parseLocation(window.location.pathname, window.location.search));
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  return route;
}
