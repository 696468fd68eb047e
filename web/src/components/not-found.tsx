import { Link } from 'react-router';
import { useTitle } from './common';

export function NotFound({ what = 'page' }: { what?: string }) {
  useTitle('Not found');
  return (
    <div className="page center" data-testid="not-found">
      <h1>{what === 'page' ? 'Page not found' : `This ${what} does not exist`}</h1>
      <p className="muted">{what === 'page' ? 'There is nothing at this address.' : `It may have been deleted, or it is private.`}</p>
      <p>
        <Link to="/" className="btn btn-primary">
          Go to the playground
        </Link>{' '}
        <Link to="/projects" className="btn">
          Browse projects
        </Link>
      </p>
    </div>
  );
}
