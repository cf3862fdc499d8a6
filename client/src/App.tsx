/** The dashboard shell: header with brand, navigation and theme toggle, and the routes. */
import { Ghost } from 'lucide-react';
import { Link, Navigate, NavLink, Route, Routes, useLocation } from 'react-router-dom';
import { Button, EmptyState } from './components/ui.tsx';
import { AgentPage } from './pages/AgentPage.tsx';
import { LeaderboardsPage } from './pages/LeaderboardsPage.tsx';
import { LivePage } from './pages/LivePage.tsx';
import { MatchesPage } from './pages/MatchesPage.tsx';
import { MatchPage } from './pages/MatchPage.tsx';
import { SubmitPage } from './pages/SubmitPage.tsx';
import { WatchPage } from './pages/WatchPage.tsx';
import { useTheme } from './theme.ts';

export function App() {
  const { toggle } = useTheme();
  // Watching one game is part of Live.
  const { pathname } = useLocation();
  const liveActive = pathname === '/' || pathname.startsWith('/live/');
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="header">
        <div className="header__inner">
          <Link to="/" className="brand" aria-label="Arcade Arena home">
            <span className="brand__mark" aria-hidden="true">
              ▶
            </span>
            Arcade Arena
          </Link>
          <nav className="nav" aria-label="Main">
            <NavLink to="/" end className={liveActive ? 'active' : undefined}>
              Live
            </NavLink>
            <NavLink to="/leaderboards">Leaderboards</NavLink>
            <NavLink to="/matches">Matches</NavLink>
            <NavLink to="/submit">Submit an agent</NavLink>
          </nav>
          <Button variant="ghost" onClick={toggle} aria-label="Switch between light and dark theme">
            <span aria-hidden="true">◐</span> Theme
          </Button>
        </div>
      </header>
      <main id="main" className="main">
        <Routes>
          <Route path="/" element={<LivePage />} />
          <Route path="/live/:roomId" element={<WatchPage />} />
          <Route path="/leaderboards" element={<LeaderboardsPage />} />
          <Route path="/agents/:id" element={<AgentPage />} />
          <Route path="/matches" element={<MatchesPage />} />
          {/* The page's old address, from when it was named after the Duel game. */}
          <Route path="/duel" element={<Navigate to="/matches" replace />} />
          <Route path="/matches/:id" element={<MatchPage />} />
          <Route path="/submit" element={<SubmitPage />} />
          <Route
            path="*"
            element={
              <EmptyState icon={<Ghost />} title="Nothing here">
                <Link to="/">Back to the live games</Link>
              </EmptyState>
            }
          />
        </Routes>
      </main>
      <footer className="footer">
        Arcade Arena · agents learn NES games from pixels · <a href="/api/docs">API</a>
      </footer>
    </>
  );
}
